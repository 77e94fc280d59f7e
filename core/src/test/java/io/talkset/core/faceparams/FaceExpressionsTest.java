package io.talkset.core.faceparams;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.talkset.core.faces.BlazeFace;
import io.talkset.core.faces.Detection;
import io.talkset.core.models.FaceApiModels;
import io.talkset.testing.Samples;
import java.util.List;
import java.util.Locale;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/** face-api's expression network (our ONNX rendering) on real faces. */
class FaceExpressionsTest {

  @Test
  void theSmilingAstronautIsHappyAndTheMirrorAgrees() throws Exception {
    Mat img = imread(Samples.get("photos/skimage/astronaut.png").toString());
    try (BlazeFace det = new BlazeFace(Samples.blazeFace(256), 256, Device.cpu(), 0.5f, 0.3f);
        FaceLandmarker lm = new FaceLandmarker(Samples.models(), Device.cpu(),
            FaceLandmarker.Params.defaults());
        FaceExpressions fe = new FaceExpressions(Samples.models(), Device.cpu())) {
      List<Detection> d = det.detect(img);
      assertEquals(1, d.size());
      Detection f = d.get(0);
      float[][] pts = lm.landmarks(img, new float[][] {{f.x0(), f.y0(), f.x1(), f.y1()}});
      float[] p = fe.probabilities(img, pts)[0];
      double sum = 0;
      for (float v : p) {
        sum += v;
      }
      System.out.printf(Locale.ROOT, "astronaut expression: %s%n", describe(p));
      assertEquals(1.0, sum, 1e-4, "probabilities sum to one");
      assertEquals("happy", FaceApiModels.EXPRESSIONS[FaceExpressions.argmax(p)], describe(p));
      assertTrue(p[1] > 0.8, describe(p));
      // The mirror image: same expression.
      Mat flipped = new Mat();
      opencv_core.flip(img, flipped, 1);
      float[] mp = new float[136];
      for (int k = 0; k < 68; k++) {
        mp[2 * k] = img.cols() - 1 - pts[0][2 * FaceDescriptorsTest.MIRROR[k]];
        mp[2 * k + 1] = pts[0][2 * FaceDescriptorsTest.MIRROR[k] + 1];
      }
      float[] q = fe.probabilities(flipped, new float[][] {mp})[0];
      assertEquals(FaceExpressions.argmax(p), FaceExpressions.argmax(q), describe(q));
      assertEquals(p[1], q[1], 0.1, describe(q));
    }
  }

  static String describe(float[] p) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < p.length; i++) {
      b.append(String.format(Locale.ROOT, "%s %.3f ", FaceApiModels.EXPRESSIONS[i], p[i]));
    }
    return b.toString().trim();
  }
}
