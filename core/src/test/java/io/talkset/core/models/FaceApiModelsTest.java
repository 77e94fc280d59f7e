package io.talkset.core.models;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.talkset.core.faceparams.FaceInput;
import io.talkset.testing.DlibFaces;
import io.talkset.testing.Samples;
import java.util.List;
import java.util.Locale;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/**
 * The face-api graphs with their dense blocks' sums run left to right (fused by ONNX Runtime
 * into the convolutions) against the same weights added in face-api's own order, on real face
 * windows (dlib's labelled faces, batch 16): only float32 rounding may differ.
 */
class FaceApiModelsTest {
  /**
   * Landmarks are fractions of the window: 1e-5 of a 300-pixel window is 0.003 pixels;
   * expression probabilities are held to the same absolute bound.
   */
  private static final double TOLERANCE = 1e-5;

  @Test
  void runningSumsGiveFaceApisLandmarksAndExpressions() throws Exception {
    float[] x = windows(16);
    compare("landmarks", FaceApiModels.landmarkGraph(Samples.models(), false),
        FaceApiModels.landmarkGraph(Samples.models(), true), x, 16);
    compare("expressions", FaceApiModels.expressionGraph(Samples.models(), false),
        FaceApiModels.expressionGraph(Samples.models(), true), x, 16);
  }

  private static void compare(String what, byte[] ours, byte[] faceApi, float[] x, int n)
      throws Exception {
    int side = FaceApiModels.FEATURE_SIDE;
    try (OnnxNet a = new OnnxNet("ours", ours, Device.cpu());
        OnnxNet b = new OnnxNet("face-api", faceApi, Device.cpu())) {
      float[][] ya = a.run(x, n, 3, side, side);
      float[][] yb = b.run(x, n, 3, side, side);
      double max = 0;
      double spread = 0;
      for (int i = 0; i < n; i++) {
        assertEquals(yb[i].length, ya[i].length);
        for (int k = 0; k < ya[i].length; k++) {
          max = Math.max(max, Math.abs(ya[i][k] - yb[i][k]));
          spread = Math.max(spread, Math.abs(yb[i][k] - yb[0][k]));
        }
      }
      System.out.printf(Locale.ROOT, "%s: max |running sums - face-api order| = %.3g (outputs"
          + " differ between faces by up to %.3g)%n", what, max, spread);
      assertTrue(max <= TOLERANCE, what + ": " + max);
      // Real, different faces: the comparison is not between constant outputs.
      assertTrue(spread > 0.05, what + " spread " + spread);
    }
  }

  /** The first {@code n} labelled faces, each window 1.2 times its box, as network input. */
  private static float[] windows(int n) throws Exception {
    int side = FaceApiModels.FEATURE_SIDE;
    float[] x = new float[n * 3 * side * side];
    List<DlibFaces.Face> faces = DlibFaces.all();
    assertTrue(faces.size() >= n);
    for (int i = 0; i < n; i++) {
      DlibFaces.Face f = faces.get(i);
      float[] b = f.box();
      try (Mat img = imread(Samples.get("photos/dlib/" + f.file()).toString())) {
        FaceInput.put(img, (b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0,
            1.2 * Math.max(b[2] - b[0], b[3] - b[1]), side, x, i);
      }
    }
    return x;
  }
}
