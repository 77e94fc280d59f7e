package io.talkset.core.faceparams;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import io.talkset.testing.DlibFaces;
import io.talkset.testing.Samples;
import io.talkset.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The 3DMM slot with a regressor of known weights: batching and the 257-way split, exactly. */
class ThreeDmmTest {

  @Test
  void batchedOutputsAreTheKnownFunctionOfEachAlignedCrop() throws Exception {
    Random rnd = new Random(7);
    long[] index = new long[257];
    float[] weight = new float[257];
    float[] bias = new float[257];
    for (int k = 0; k < 257; k++) {
      index[k] = rnd.nextInt(3 * 224 * 224);
      weight[k] = 1 + k;
      bias[k] = k * 1000;
    }
    Mat astronaut = imread(Samples.get("photos/skimage/astronaut.png").toString());
    // Three faces: the same picture with three different landmark sets (shifted and scaled).
    float[][] lms = new float[3][136];
    for (int f = 0; f < 3; f++) {
      for (int k = 0; k < 68; k++) {
        double a = 2 * Math.PI * k / 68;
        lms[f][2 * k] = (float) (220 + 10 * f + (40 + 5 * f) * Math.cos(a));
        lms[f][2 * k + 1] = (float) (120 + 8 * f + (50 + 5 * f) * Math.sin(a));
      }
    }
    try (ThreeDmm mm = new ThreeDmm(TestModels.threeDmm(index, weight, bias), Device.cpu())) {
      List<float[]> out = mm.coefficients(List.of(astronaut, astronaut, astronaut),
          List.of(lms[0], lms[1], lms[2]));
      assertEquals(3, out.size());
      for (int f = 0; f < 3; f++) {
        float[] input = new float[3 * 224 * 224];
        ThreeDmm.input(astronaut, lms[f], input, 0);
        for (int k = 0; k < 257; k++) {
          assertEquals(weight[k] * input[(int) index[k]] + bias[k], out.get(f)[k], 1e-3,
              "face " + f + " coefficient " + k);
        }
      }
      // The faces differ, so the batch did not repeat one input.
      assertEquals(false, java.util.Arrays.equals(out.get(0), out.get(1)));
    }
  }

  /**
   * A TorchScript regressor (DJL's PyTorch engine, picked by the file's content) gives exactly
   * the ONNX stand-in's outputs on the same three batched faces.
   */
  @Test
  void torchScriptRegressorMatchesTheOnnxOne(@TempDir Path tmp) throws Exception {
    Random rnd = new Random(11);
    long[] index = new long[257];
    float[] weight = new float[257];
    float[] bias = new float[257];
    for (int k = 0; k < 257; k++) {
      index[k] = rnd.nextInt(3 * 224 * 224);
      weight[k] = 1 + k;
      bias[k] = k * 1000;
    }
    byte[] onnx = TestModels.threeDmm(index, weight, bias);
    byte[] pt = TestModels.threeDmmTorchScript(index, weight, bias, tmp);
    assertEquals("PyTorch", ThreeDmm.engineFor(pt));
    assertEquals("OnnxRuntime", ThreeDmm.engineFor(onnx));
    Mat astronaut = imread(Samples.get("photos/skimage/astronaut.png").toString());
    float[][] lms = new float[3][136];
    for (int f = 0; f < 3; f++) {
      for (int k = 0; k < 68; k++) {
        double a = 2 * Math.PI * k / 68;
        lms[f][2 * k] = (float) (230 - 12 * f + (45 + 4 * f) * Math.cos(a));
        lms[f][2 * k + 1] = (float) (115 + 9 * f + (55 - 3 * f) * Math.sin(a));
      }
    }
    List<Mat> pictures = List.of(astronaut, astronaut, astronaut);
    List<float[]> marks = List.of(lms[0], lms[1], lms[2]);
    List<float[]> fromOnnx;
    List<float[]> fromTorch;
    try (ThreeDmm mm = new ThreeDmm(onnx, Device.cpu())) {
      fromOnnx = mm.coefficients(pictures, marks);
    }
    try (ThreeDmm mm = new ThreeDmm(pt, Device.cpu())) {
      fromTorch = mm.coefficients(pictures, marks);
    }
    assertEquals(3, fromTorch.size());
    for (int f = 0; f < 3; f++) {
      assertEquals(257, fromTorch.get(f).length);
      for (int k = 0; k < 257; k++) {
        assertEquals(fromOnnx.get(f)[k], fromTorch.get(f)[k], 1e-4,
            "face " + f + " coefficient " + k);
      }
    }
    assertEquals(false, java.util.Arrays.equals(fromTorch.get(0), fromTorch.get(1)));
  }

  /**
   * Alignment through the slot: five coloured dots drawn where a real face's five alignment
   * points are (dlib's labelled points); the model reads the pixels where Deep3DFaceRecon's
   * alignment puts those points in the 224 crop, and must see each dot's colour in RGB order.
   */
  @Test
  void theRegressorSeesTheFivePointsWhereTheAlignmentPutsThem() throws Exception {
    DlibFaces.Face face = DlibFaces.load("testing_with_face_landmarks.xml").get(0);
    float[] lm5 = Align5.fromDlib68(face.points());
    int[][] colours = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 0}, {0, 255, 255}};
    Mat canvas = new Mat(480, 640, org.bytedeco.opencv.global.opencv_core.CV_8UC3,
        new org.bytedeco.opencv.opencv_core.Scalar(128, 128, 128, 0));
    for (int i = 0; i < 5; i++) {
      // OpenCV draws in BGR.
      org.bytedeco.opencv.global.opencv_imgproc.circle(canvas,
          new org.bytedeco.opencv.opencv_core.Point(Math.round(lm5[2 * i]),
              Math.round(lm5[2 * i + 1])), 2,
          new org.bytedeco.opencv.opencv_core.Scalar(colours[i][2], colours[i][1],
              colours[i][0], 0), -1, org.bytedeco.opencv.global.opencv_imgproc.LINE_8, 0);
    }
    Align5.Transform t = Align5.fit(lm5, canvas.cols(), canvas.rows());
    long[] index = new long[257];
    float[] weight = new float[257];
    float[] bias = new float[257];
    int k = 0;
    for (int i = 0; i < 5; i++) {
      double[] at = t.toCrop(lm5[2 * i], lm5[2 * i + 1]);
      int x = (int) Math.round(at[0]);
      int y = (int) Math.round(at[1]);
      for (int c = 0; c < 3; c++) {
        index[k] = (long) c * 224 * 224 + y * 224L + x;
        weight[k++] = 255;
      }
    }
    try (ThreeDmm mm = new ThreeDmm(TestModels.threeDmm(index, weight, bias), Device.cpu())) {
      float[] out = mm.coefficients(List.of(canvas), List.of(face.points())).get(0);
      for (int i = 0; i < 5; i++) {
        for (int c = 0; c < 3; c++) {
          assertEquals(colours[i][c], out[3 * i + c], 40, "point " + i + " channel " + c);
        }
      }
    }
  }
}
