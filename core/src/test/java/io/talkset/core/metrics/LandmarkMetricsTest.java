package io.talkset.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.talkset.core.metrics.LandmarkMetrics.Region;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** LMD and LVD against geometry whose answer is known. */
class LandmarkMetricsTest {
  static float[][] face(int frames, long seed) {
    Random r = new Random(seed);
    float[][] f = new float[frames][136];
    for (int i = 0; i < frames; i++) {
      for (int k = 0; k < 136; k++) {
        f[i][k] = 100 + 50 * r.nextFloat();
      }
    }
    return f;
  }

  static float[][] moved(float[][] a, double dx, double dy, double perFrameX, Region only) {
    float[][] b = new float[a.length][];
    for (int i = 0; i < a.length; i++) {
      b[i] = a[i].clone();
      for (int k = only.from; k < only.to; k++) {
        b[i][2 * k] += (float) (dx + perFrameX * i);
        b[i][2 * k + 1] += (float) dy;
      }
    }
    return b;
  }

  @Test
  void aShiftedFaceIsItsShiftAwayAndMovesTheSame() {
    float[][] a = face(10, 1);
    float[][] b = moved(a, 3, 4, 0, Region.FACE);
    assertEquals(5.0, LandmarkMetrics.mean(LandmarkMetrics.lmdPerFrame(a, b, Region.FACE)), 1e-4);
    assertEquals(0.0, LandmarkMetrics.mean(LandmarkMetrics.lvdPerFrame(a, b, Region.FACE)), 1e-4);
    assertEquals(0.0, LandmarkMetrics.mean(LandmarkMetrics.lmdPerFrame(a, a, Region.MOUTH)), 0);
  }

  @Test
  void aMouthThatDriftsShowsInTheMouthRegionAndItsVelocity() {
    float[][] a = face(11, 2);
    // Only the mouth drifts right by 0.5 px a frame.
    float[][] b = moved(a, 0, 0, 0.5, Region.MOUTH);
    double[] lvd = LandmarkMetrics.lvdPerFrame(a, b, Region.MOUTH);
    assertEquals(10, lvd.length);
    for (double v : lvd) {
      assertEquals(0.5, v, 1e-4);
    }
    // Mean mouth offset over frames 0..10 is 2.5 px; the whole face dilutes it by 20/68.
    assertEquals(2.5, LandmarkMetrics.mean(LandmarkMetrics.lmdPerFrame(a, b, Region.MOUTH)),
        1e-4);
    assertEquals(2.5 * 20 / 68,
        LandmarkMetrics.mean(LandmarkMetrics.lmdPerFrame(a, b, Region.FACE)), 1e-4);
    assertEquals(0.0, LandmarkMetrics.mean(LandmarkMetrics.lvdPerFrame(a, b, Region.EYES)), 0);
  }
}
