package io.talkset.core.face;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import io.talkset.testing.Samples;
import io.talkset.testing.TestModels;
import java.util.List;
import java.util.Random;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

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
    int covered = 0;
    for (int[] r : new int[][] {ThreeDmm.ID, ThreeDmm.EXP, ThreeDmm.TEX, ThreeDmm.ANGLES,
        ThreeDmm.GAMMA, ThreeDmm.TRANS}) {
      assertEquals(covered, r[0]);
      covered = r[1];
    }
    assertEquals(257, covered);
  }
}
