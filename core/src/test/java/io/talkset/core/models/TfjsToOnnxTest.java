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
 * The tfjs graph importer against TensorFlow.js itself: the pinned FaceMesh, MobileFaceNet,
 * MobileFace and FaceRes graphs, converted to ONNX and run by ONNX Runtime (through DJL), give what
 * {@code @tensorflow/tfjs} 4.22.0's CPU backend gives for the same model.json under Node, on
 * real face crops (dlib's labelled faces), batches of 1 and 16.
 *
 * <p>With {@code -Dtalkset.tfjs.onnxDir=DIR} the converted graphs are also written there
 * ({@code facemesh.onnx}, {@code mobilefacenet.onnx}, ...) to be checked on another machine.
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

  @Test
  void mobileFaceAgreesWithTfjsOnRealFaces(@TempDir Path tmp) throws Exception {
    // MobileFace normalizes inside the graph: raw pixel values 0-255.
    agreesWithTfjs(HumanModels.MOBILEFACE, HumanModels.MOBILEFACE_SIDE, 1.1, 255f, tmp);
  }

  @Test
  void faceResAgreesWithTfjsOnRealFaces(@TempDir Path tmp) throws Exception {
    // FaceRes works on 0-255 pixels (FaceIdentityTest: [0, 1] collapses every face).
    agreesWithTfjs(HumanModels.FACERES, HumanModels.FACERES_SIDE, 1.5, 255f, tmp);
  }

  @Test
  void faceResDeepAgreesWithTfjsOnRealFaces(@TempDir Path tmp) throws Exception {
    agreesWithTfjs(HumanModels.FACERES_DEEP, HumanModels.FACERES_SIDE, 1.5, 255f, tmp);
  }

  private static void agreesWithTfjs(String relative, int side, double enlarge, Path tmp)
      throws Exception {
    agreesWithTfjs(relative, side, enlarge, 1f, tmp);
  }

  /** As above with pixel values scaled to [0, {@code range}]. */
  private static void agreesWithTfjs(String relative, int side, double enlarge, float range,
      Path tmp) throws Exception {
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
    for (int i = 0; i < faces.length; i++) {
      faces[i] *= range;
    }
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

  /**
   * The semantics the two face graphs do not exercise, on a small graph of our own with random
   * weights, against tfjs: SAME padding on odd sizes with stride 2, a dilated depthwise
   * convolution with a channel multiplier, EXPLICIT padding, fused Relu6 and LeakyRelu, SAME
   * average pooling, PadV2's value, reductions with negative axes and keep_dims, Reshape's −1.
   */
  @Test
  void paddingDilationsAndReductionsAgreeWithTfjs(@TempDir Path tmp) throws Exception {
    java.util.Random r = new java.util.Random(16);
    List<float[]> weights = new ArrayList<>();
    StringBuilder specs = new StringBuilder();
    String[][] w = {{"w1", "3,3,3,4"}, {"b1", "4"}, {"w2", "3,3,4,2"}, {"w3", "2,3,8,5"},
        {"b3", "5"}};
    for (String[] spec : w) {
      int n = Arrays.stream(spec[1].split(",")).mapToInt(Integer::parseInt).reduce(1,
          (a, b) -> a * b);
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = (float) r.nextGaussian() * 0.5f;
      }
      weights.add(v);
      specs.append(specs.length() == 0 ? "" : ",").append("{\"name\": \"").append(spec[0])
          .append("\", \"shape\": [").append(spec[1]).append("], \"dtype\": \"float32\"}");
    }
    specs.append(", {\"name\": \"pads\", \"shape\": [4, 2], \"dtype\": \"int32\"}")
        .append(", {\"name\": \"padv\", \"shape\": [], \"dtype\": \"float32\"}")
        .append(", {\"name\": \"ax\", \"shape\": [1], \"dtype\": \"int32\"}")
        .append(", {\"name\": \"ax2\", \"shape\": [2], \"dtype\": \"int32\"}")
        .append(", {\"name\": \"shape\", \"shape\": [2], \"dtype\": \"int32\"}");
    java.io.ByteArrayOutputStream bin = new java.io.ByteArrayOutputStream();
    java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(4096)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (float[] v : weights) {
      for (float x : v) {
        bb.putFloat(x);
      }
    }
    for (int x : new int[] {0, 0, 1, 0, 0, 2, 0, 1}) {
      bb.putInt(x);
    }
    bb.putFloat(0.5f);
    bb.putInt(-2);
    bb.putInt(1);
    bb.putInt(-2);
    bb.putInt(-1);
    bb.putInt(6);
    bin.write(bb.array(), 0, bb.position());
    Files.write(tmp.resolve("synthetic.bin"), bin.toByteArray());
    String same = "\"U0FNRQ==\"";
    String explicit = "\"RVhQTElDSVQ=\"";
    String nodes = String.join(",\n",
        node("x", "Placeholder", "", "\"dtype\": {\"type\": \"DT_FLOAT\"}, \"shape\":"
            + " {\"shape\": {\"dim\": [{\"size\": \"-1\"}, {\"size\": \"7\"},"
            + " {\"size\": \"9\"}, {\"size\": \"3\"}]}}"),
        constant("w1"), constant("b1"), constant("w2"), constant("w3"), constant("b3"),
        constant("pads"), constant("padv"), constant("ax"), constant("ax2"), constant("shape"),
        node("c1", "_FusedConv2D", "\"x\", \"w1\", \"b1\"", "\"strides\": " + ints(1, 2, 2, 1)
            + ", \"padding\": {\"s\": " + same + "}, \"fused_ops\": {\"list\": {\"s\":"
            + " [\"Qmlhc0FkZA==\", \"UmVsdTY=\"]}}, \"num_args\": {\"i\": \"1\"}"),
        node("d1", "DepthwiseConv2dNative", "\"c1\", \"w2\"", "\"strides\": "
            + ints(1, 1, 1, 1) + ", \"dilations\": " + ints(1, 2, 2, 1)
            + ", \"padding\": {\"s\": " + same + "}"),
        node("c2", "_FusedConv2D", "\"d1\", \"w3\", \"b3\"", "\"strides\": "
            + ints(1, 1, 2, 1) + ", \"padding\": {\"s\": " + explicit
            + "}, \"explicit_paddings\": " + ints(0, 0, 1, 0, 2, 1, 0, 0)
            + ", \"fused_ops\": {\"list\": {\"s\": [\"Qmlhc0FkZA==\", \"TGVha3lSZWx1\"]}},"
            + " \"num_args\": {\"i\": \"1\"}, \"leakyrelu_alpha\": {\"f\": 0.1}"),
        node("p1", "AvgPool", "\"c2\"", "\"ksize\": " + ints(1, 3, 3, 1) + ", \"strides\": "
            + ints(1, 2, 2, 1) + ", \"padding\": {\"s\": " + same + "}"),
        node("pad", "PadV2", "\"p1\", \"pads\", \"padv\"", ""),
        node("mean", "Mean", "\"pad\", \"ax\"", "\"keep_dims\": {\"b\": true}"),
        node("sum", "Sum", "\"mean\", \"ax2\"", "\"keep_dims\": {\"b\": false}"),
        node("flat", "Reshape", "\"pad\", \"shape\"", ""),
        node("out", "Tanh", "\"flat\"", ""));
    Path json = tmp.resolve("synthetic.json");
    Files.writeString(json, "{\"format\": \"graph-model\", \"modelTopology\": {\"node\": [\n"
        + nodes + "], \"versions\": {}}, \"weightsManifest\": [{\"paths\": [\"synthetic.bin\"], \"weights\": ["
        + specs + "]}]}");
    TfjsGraphModel g = TfjsGraphModel.read(json);
    byte[] onnx = TfjsToOnnx.convert(g);
    float[] x = new float[3 * 7 * 9 * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    List<String> tensors = g.outputs().stream().map(Port::tensor).toList();
    assertEquals(List.of("sum", "out"), tensors);
    List<float[]> ref = Tfjs.run(json, x, new long[] {3, 7, 9, 3}, tensors, tmp);
    try (OnnxNet net = new OnnxNet("synthetic", onnx, Device.cpu())) {
      Map<String, float[]> ours = net.runAll(x, 3, 7, 9, 3);
      for (int i = 0; i < tensors.size(); i++) {
        float[] a = ours.get(tensors.get(i));
        float[] b = ref.get(i);
        assertEquals(b.length, a.length, tensors.get(i));
        double max = 0;
        for (int k = 0; k < a.length; k++) {
          max = Math.max(max, Math.abs(a[k] - b[k]));
        }
        System.out.printf(Locale.ROOT, "synthetic graph: %s (%d values) max |ONNX - tfjs| ="
            + " %.3g%n", tensors.get(i), a.length, max);
        assertTrue(max <= TOLERANCE, tensors.get(i) + ": " + max);
      }
    }
  }

  /**
   * PReLU (fused into a convolution, and alone) and zero channel padding, which the importer
   * writes as convolutions for speed, give the textbook values bit for bit: x for x > 0, alpha
   * times x otherwise, per channel (slopes negative, zero, between 0 and 1 and above 1, inputs
   * of both signs, zeros and large values), and zeros in the added channels. The fused one
   * follows a 1 × 1 convolution with identity weights and zero bias, which passes x through
   * unchanged.
   */
  @Test
  void preluAndChannelPaddingGiveTheTextbookValuesExactly(@TempDir Path tmp) throws Exception {
    int c = 16;
    float[] eye = new float[c * c];
    for (int k = 0; k < c; k++) {
      eye[k * c + k] = 1f;
    }
    float[] a1 = new float[c];
    float[] a2 = new float[c];
    for (int k = 0; k < c; k++) {
      a1[k] = (k - 5) * 0.173f;
      a2[k] = k % 3 == 0 ? 0.25f : 1.5f - k * 0.11f;
    }
    java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(4 * (c * c + 3 * c + 8))
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (float v : eye) {
      bb.putFloat(v);
    }
    for (int k = 0; k < c; k++) {
      bb.putFloat(0f);
    }
    for (float v : a1) {
      bb.putFloat(v);
    }
    for (float v : a2) {
      bb.putFloat(v);
    }
    for (int v : new int[] {0, 0, 0, 0, 0, 0, 0, c}) {
      bb.putInt(v);
    }
    Files.write(tmp.resolve("prelu.bin"), bb.array());
    String nodes = String.join(",\n",
        node("x", "Placeholder", "", "\"dtype\": {\"type\": \"DT_FLOAT\"}, \"shape\":"
            + " {\"shape\": {\"dim\": [{\"size\": \"-1\"}, {\"size\": \"5\"},"
            + " {\"size\": \"6\"}, {\"size\": \"" + c + "\"}]}}"),
        constant("eye"), constant("zero"), constant("a1"), constant("a2"), constant("pads"),
        node("c1", "_FusedConv2D", "\"x\", \"eye\", \"zero\", \"a1\"", "\"strides\": "
            + ints(1, 1, 1, 1) + ", \"padding\": {\"s\": \"U0FNRQ==\"}, \"fused_ops\":"
            + " {\"list\": {\"s\": [\"Qmlhc0FkZA==\", \"UHJlbHU=\"]}}, \"num_args\":"
            + " {\"i\": \"2\"}"),
        node("p2", "Prelu", "\"c1\", \"a2\"", ""),
        node("out", "Pad", "\"p2\", \"pads\"", ""));
    Path json = tmp.resolve("prelu.json");
    Files.writeString(json, "{\"format\": \"graph-model\", \"modelTopology\": {\"node\": [\n"
        + nodes + "], \"versions\": {}}, \"weightsManifest\": [{\"paths\": [\"prelu.bin\"],"
        + " \"weights\": [{\"name\": \"eye\", \"shape\": [1, 1, " + c + ", " + c + "],"
        + " \"dtype\": \"float32\"}, {\"name\": \"zero\", \"shape\": [" + c + "], \"dtype\":"
        + " \"float32\"}, {\"name\": \"a1\", \"shape\": [" + c + "], \"dtype\": \"float32\"},"
        + " {\"name\": \"a2\", \"shape\": [1, 1, " + c + "], \"dtype\": \"float32\"},"
        + " {\"name\": \"pads\", \"shape\": [4, 2], \"dtype\": \"int32\"}]}]}");
    byte[] onnx = TfjsToOnnx.convert(TfjsGraphModel.read(json));
    int n = 2;
    int hw = 5 * 6;
    float[] x = new float[n * hw * c];
    java.util.Random r = new java.util.Random(7);
    for (int i = 0; i < x.length; i++) {
      x[i] = i % 11 == 0 ? 0f : i % 13 == 0 ? -1e30f : (float) (r.nextGaussian() * 3);
    }
    float[] expected = new float[n * hw * 2 * c];
    for (int p = 0; p < n * hw; p++) {
      for (int k = 0; k < c; k++) {
        float v = x[p * c + k];
        v = v > 0 ? v : a1[k] * v;
        v = v > 0 ? v : a2[k] * v;
        expected[p * 2 * c + k] = v;
      }
    }
    try (OnnxNet net = new OnnxNet("prelu", onnx, Device.cpu())) {
      float[] ours = net.runAll(x, n, 5, 6, c).get("out");
      assertEquals(expected.length, ours.length);
      for (int i = 0; i < ours.length; i++) {
        // 0 == -0 here: a zero's sign is the one thing the two forms may disagree on.
        assertEquals(expected[i] + 0f, ours[i] + 0f, 0, "value " + i);
      }
    }
  }

  /**
   * The MatMul forms the two identity graphs do not exercise, on a graph of our own against
   * tfjs: transpose_a with a computed right operand (a Gram matrix over the batch),
   * _FusedMatMul with transpose_b, a computed right operand, BiasAdd and Relu6, then a constant
   * kernel with transpose_b, and Softmax.
   */
  @Test
  void matMulTransposesAndSoftmaxAgreeWithTfjs(@TempDir Path tmp) throws Exception {
    java.util.Random r = new java.util.Random(3);
    int k = 6;
    float[] bias = new float[k];
    float[] kernelT = new float[4 * k];
    java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(4 * (k + 4 * k + 2))
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < k; i++) {
      bias[i] = (float) r.nextGaussian();
      bb.putFloat(bias[i]);
    }
    for (int i = 0; i < kernelT.length; i++) {
      kernelT[i] = (float) r.nextGaussian();
      bb.putFloat(kernelT[i]);
    }
    bb.putInt(-1);
    bb.putInt(k);
    Files.write(tmp.resolve("matmul.bin"), bb.array());
    String noT = "\"transpose_a\": {\"b\": false}, \"transpose_b\": {\"b\": false}";
    String nodes = String.join(",\n",
        node("x", "Placeholder", "", "\"dtype\": {\"type\": \"DT_FLOAT\"}, \"shape\":"
            + " {\"shape\": {\"dim\": [{\"size\": \"-1\"}, {\"size\": \"1\"},"
            + " {\"size\": \"1\"}, {\"size\": \"" + k + "\"}]}}"),
        constant("bias"), constant("kernelT"), constant("shape"),
        node("flat", "Reshape", "\"x\", \"shape\"", ""),
        node("gram", "MatMul", "\"flat\", \"flat\"", "\"transpose_a\": {\"b\": true}"),
        node("fused", "_FusedMatMul", "\"flat\", \"gram\", \"bias\"", "\"transpose_b\":"
            + " {\"b\": true}, \"fused_ops\": {\"list\": {\"s\": [\"Qmlhc0FkZA==\","
            + " \"UmVsdTY=\"]}}, \"num_args\": {\"i\": \"1\"}"),
        node("logits", "MatMul", "\"fused\", \"kernelT\"", "\"transpose_b\": {\"b\": true}"),
        node("out", "Softmax", "\"logits\"", ""),
        node("plain", "MatMul", "\"flat\", \"gram\"", noT));
    Path json = tmp.resolve("matmul.json");
    Files.writeString(json, "{\"format\": \"graph-model\", \"modelTopology\": {\"node\": [\n"
        + nodes + "], \"versions\": {}}, \"weightsManifest\": [{\"paths\": [\"matmul.bin\"], \"weights\": ["
        + "{\"name\": \"bias\", \"shape\": [" + k + "], \"dtype\": \"float32\"},"
        + " {\"name\": \"kernelT\", \"shape\": [4, " + k + "], \"dtype\": \"float32\"},"
        + " {\"name\": \"shape\", \"shape\": [2], \"dtype\": \"int32\"}]}]}");
    TfjsGraphModel g = TfjsGraphModel.read(json);
    byte[] onnx = TfjsToOnnx.convert(g);
    int n = 5;
    float[] x = new float[n * k];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian() * 0.5f;
    }
    List<String> tensors = g.outputs().stream().map(Port::tensor).toList();
    assertEquals(List.of("out", "plain"), tensors);
    List<float[]> ref = Tfjs.run(json, x, new long[] {n, 1, 1, k}, tensors, tmp);
    try (OnnxNet net = new OnnxNet("matmul", onnx, Device.cpu())) {
      Map<String, float[]> ours = net.runAll(x, n, 1, 1, k);
      assertEquals(n * 4, ours.get("out").length);
      assertEquals(n * k, ours.get("plain").length);
      for (int i = 0; i < tensors.size(); i++) {
        float[] a = ours.get(tensors.get(i));
        float[] b = ref.get(i);
        assertEquals(b.length, a.length, tensors.get(i));
        double max = 0;
        for (int j = 0; j < a.length; j++) {
          max = Math.max(max, Math.abs(a[j] - b[j]));
        }
        System.out.printf(Locale.ROOT, "matmul graph: %s (%d values) max |ONNX - tfjs| = %.3g%n",
            tensors.get(i), a.length, max);
        assertTrue(max <= TOLERANCE, tensors.get(i) + ": " + max);
      }
      // Each softmax row sums to 1.
      for (int row = 0; row < n; row++) {
        double sum = 0;
        for (int c = 0; c < 4; c++) {
          sum += ours.get("out")[row * 4 + c];
        }
        assertEquals(1.0, sum, 1e-6);
      }
    }
  }

  private static String node(String name, String op, String inputs, String attrs) {
    return "{\"name\": \"" + name + "\", \"op\": \"" + op + "\", \"input\": [" + inputs
        + "], \"attr\": {" + attrs + "}}";
  }

  private static String constant(String name) {
    return node(name, "Const", "", "");
  }

  private static String ints(long... v) {
    return "{\"list\": {\"i\": [" + String.join(", ", Arrays.stream(v)
        .mapToObj(i -> "\"" + i + "\"").toList()) + "]}}";
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
