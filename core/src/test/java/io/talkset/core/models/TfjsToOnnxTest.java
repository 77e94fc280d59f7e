package io.talkset.core.models;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.talkset.core.models.TfjsGraphModel.Port;
import io.talkset.testing.DlibFaces;
import io.talkset.testing.Samples;
import io.talkset.testing.Tfjs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tfjs graph importer against TensorFlow.js itself: the pinned FaceMesh and MobileFaceNet
 * graphs, converted to ONNX and run by ONNX Runtime (through DJL), give what
 * {@code @tensorflow/tfjs} 4.22.0's CPU backend gives for the same model.json under Node, on
 * real face crops (dlib's labelled faces), batches of 1 and 16.
 *
 * <p>With {@code -Dtalkset.tfjs.onnxDir=DIR} the converted graphs are also written there
 * ({@code facemesh.onnx}, {@code mobilefacenet.onnx}) to be checked on another machine.
 */
class TfjsToOnnxTest {
  /** The largest absolute difference allowed per output value (issue 16). */
  private static final double TOLERANCE = 1e-4;
  /**
   * For outputs whose values are large, the bound scales with the output's largest value:
   * 1e-6 of it, about 8 float32 units in the last place. FaceMesh's pixel outputs (values up
   * to 170) need it: tfjs adds a convolution's products one by one into float32, and for the
   * 288 products of the mesh head that alone is off the exactly rounded sum by up to 1.2e-4
   * (measured with numpy on tfjs's own head input: tfjs's output is reproduced bit for bit by
   * a sequential float32 sum, and differs from the float64 sum by that much), so no other
   * summation order can stay within 1e-4 of it everywhere. Embeddings and probabilities are
   * held to 1e-4 absolute.
   */
  private static final double RELATIVE = 1e-6;

  @Test
  void faceMeshAgreesWithTfjsOnRealFaces(@TempDir Path tmp) throws Exception {
    // human's window: the detector's box enlarged about 1.5 times, RGB in [0, 1].
    agreesWithTfjs(HumanModels.FACEMESH, HumanModels.FACEMESH_SIDE, 1.5, tmp);
  }

  @Test
  void mobileFaceNetAgreesWithTfjsOnRealFaces(@TempDir Path tmp) throws Exception {
    agreesWithTfjs(HumanModels.MOBILEFACENET, HumanModels.MOBILEFACENET_SIDE, 1.1, tmp);
  }

  private static void agreesWithTfjs(String relative, int side, double enlarge, Path tmp)
      throws Exception {
    Path models = Samples.models();
    TfjsGraphModel graph = HumanModels.graph(models, relative);
    long t0 = System.nanoTime();
    byte[] onnx = TfjsToOnnx.convert(graph);
    double convertMs = (System.nanoTime() - t0) / 1e6;
    String name = graph.file().replace(".json", "");
    String out = System.getProperty("talkset.tfjs.onnxDir");
    if (out != null && !out.isBlank()) {
      Path dir = Files.createDirectories(Path.of(out));
      Files.write(dir.resolve(name + ".onnx"), onnx);
      System.out.println("wrote " + dir.resolve(name + ".onnx"));
    }
    List<String> tensors = new ArrayList<>();
    for (Port p : graph.outputs()) {
      tensors.add(p.tensor());
    }
    float[] faces = crops(DlibFaces.all(), 16, side, enlarge);
    try (OnnxNet net = new OnnxNet(name, onnx, Device.cpu())) {
      for (int batch : new int[] {1, 16}) {
        float[] x = Arrays.copyOf(faces, batch * side * side * 3);
        long t1 = System.nanoTime();
        Map<String, float[]> ours = net.runAll(x, batch, side, side, 3);
        double onnxMs = (System.nanoTime() - t1) / 1e6;
        long t2 = System.nanoTime();
        List<float[]> ref = Tfjs.run(models.resolve(relative), x,
            new long[] {batch, side, side, 3}, tensors, Files.createDirectories(
                tmp.resolve("batch" + batch)));
        double tfjsMs = (System.nanoTime() - t2) / 1e6;
        assertEquals(graph.outputs().size(), ours.size(), ours.keySet().toString());
        for (int i = 0; i < tensors.size(); i++) {
          String port = graph.outputs().get(i).name();
          float[] a = ours.get(port);
          assertTrue(a != null, "ONNX output " + port + " missing from " + ours.keySet());
          float[] b = ref.get(i);
          assertEquals(b.length, a.length, port + " size");
          double max = 0;
          double scale = 0;
          for (int k = 0; k < a.length; k++) {
            assertFalse(Float.isNaN(a[k]), port + "[" + k + "] is NaN");
            max = Math.max(max, Math.abs(a[k] - b[k]));
            scale = Math.max(scale, Math.abs(b[k]));
          }
          double allowed = Math.max(TOLERANCE, RELATIVE * scale);
          System.out.printf(Locale.ROOT, "%s batch %d: %s (%d values, largest |value| %.3g):"
              + " max |ONNX - tfjs| = %.3g (allowed %.3g)%n", name, batch, port, a.length, scale,
              max, allowed);
          assertTrue(max <= allowed, name + " " + port + " batch " + batch + ": max diff "
              + max + " > " + allowed);
        }
        System.out.printf(Locale.ROOT, "%s batch %d: converted in %.0f ms, ONNX Runtime %.0f ms,"
            + " tfjs under Node %.0f ms%n", name, batch, convertMs, onnxMs, tfjsMs);
      }
    }
  }

  /**
   * The first {@code count} of dlib's labelled faces as square windows of {@code enlarge} × the
   * box's longer side around its centre, resampled bilinearly to {@code side}: NHWC float RGB
   * in [0, 1], black outside the picture.
   */
  static float[] crops(List<DlibFaces.Face> faces, int count, int side, double enlarge) {
    float[] out = new float[count * side * side * 3];
    for (int i = 0; i < count; i++) {
      DlibFaces.Face f = faces.get(i);
      Mat img = imread(Samples.get("photos/dlib/" + f.file()).toString());
      float[] b = f.box();
      double cx = (b[0] + b[2]) / 2.0;
      double cy = (b[1] + b[3]) / 2.0;
      double s = side / (enlarge * Math.max(b[2] - b[0], b[3] - b[1]));
      try (Mat m = new Mat(2, 3, CV_64F); Mat win = new Mat();
          DoubleIndexer a = m.createIndexer()) {
        a.put(0, 0, s, 0, side / 2.0 - s * cx);
        a.put(1, 0, 0, s, side / 2.0 - s * cy);
        warpAffine(img, win, m, new Size(side, side), INTER_LINEAR, BORDER_CONSTANT,
            new Scalar(0, 0, 0, 0));
        byte[] px = new byte[side * side * 3];
        win.data().get(px);
        int base = i * side * side * 3;
        for (int p = 0; p < side * side; p++) {
          out[base + 3 * p] = (px[3 * p + 2] & 0xFF) / 255f;
          out[base + 3 * p + 1] = (px[3 * p + 1] & 0xFF) / 255f;
          out[base + 3 * p + 2] = (px[3 * p] & 0xFF) / 255f;
        }
      }
      img.close();
    }
    return out;
  }

  @Test
  void anUnsupportedOpFailsTheImportWithOneLineNamingIt(@TempDir Path tmp) throws Exception {
    Path json = tmp.resolve("tiny.json");
    Files.writeString(json, """
        {"format": "graph-model", "modelTopology": {"node": [
          {"name": "x", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"},
            "shape": {"shape": {"dim": [{"size": "-1"}, {"size": "4"}]}}}},
          {"name": "y", "op": "Relu", "input": ["x"]},
          {"name": "bar", "op": "Foo", "input": ["y"]}]},
         "weightsManifest": []}
        """);
    TfjsGraphModel g = TfjsGraphModel.read(json);
    IOException e = assertThrows(IOException.class, () -> TfjsToOnnx.convert(g));
    System.out.println(e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    assertTrue(e.getMessage().startsWith("tfjs graph model tiny.json: unsupported op 'Foo' at"
        + " node 'bar' (supported: "), e.getMessage());
    assertTrue(e.getMessage().contains("_FusedConv2D"), e.getMessage());
  }
}
