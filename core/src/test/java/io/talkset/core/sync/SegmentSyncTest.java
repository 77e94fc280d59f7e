package io.talkset.core.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A segment's estimate where the truth is built in: audio whose loudness follows a syllable-like
 * mouth signal k frames later; and the two reasons for no estimate.
 */
class SegmentSyncTest {

  /** Mouth opening at 3-6 Hz syllable rate with random amplitude, frames [0, n). */
  static double[] mouth(int n, long seed) {
    Random r = new Random(seed);
    double[] m = new double[n];
    double phase = 0;
    for (int t = 0; t < n; t++) {
      phase += 2 * Math.PI * (3 + 3 * r.nextDouble()) / 25;
      m[t] = Math.max(0, Math.sin(phase)) * (0.2 + 0.3 * r.nextDouble());
    }
    return m;
  }

  /** Noise whose RMS in frame t is proportional to mouth[t - lag] (0 outside). */
  static float[] audio(double[] mouth, int lag, int frames, long seed) {
    Random r = new Random(seed);
    float[] y = new float[frames * 640];
    for (int t = 0; t < frames; t++) {
      int src = t - lag;
      double a = src >= 0 && src < mouth.length ? mouth[src] : 0;
      for (int j = 0; j < 640; j++) {
        y[t * 640 + j] = (float) (0.01 * r.nextGaussian() * 0.05 + a * r.nextGaussian());
      }
    }
    return y;
  }

  @Test
  void aSegmentInsideTheClipRecoversTheBuiltInLag() {
    int clipFrames = 400;
    double[] m = mouth(clipFrames, 1);
    for (int lag : new int[] {-7, -2, 0, 3, 12}) {
      float[] y = audio(m, lag, clipFrames, 2);
      // Segment frames 100..299, with two frames missing (interpolated by the last value).
      int[] index = new int[198];
      double[] open = new double[198];
      int k = 0;
      for (int t = 100; t < 300; t++) {
        if (t == 150 || t == 151) {
          continue;
        }
        index[k] = t;
        open[k++] = m[t];
      }
      SegmentSync.Result r = SegmentSync.estimate(index, open, y, 16000, 15, 50, 0.003);
      assertTrue(r.ok());
      assertEquals(100, r.firstFrame());
      assertEquals(299, r.lastFrame());
      assertEquals(200, r.frames());
      assertEquals(198, r.framesUsed());
      assertEquals(lag, r.estimate().offsetFrames(), "lag " + lag);
      assertTrue(r.estimate().confidence() > 0.3, "confidence " + r.estimate().confidence());
    }
  }

  @Test
  void shortOrSilentSegmentsGetAReasonAndNoEstimate() {
    double[] m = mouth(100, 3);
    int[] index = new int[40];
    for (int i = 0; i < index.length; i++) {
      index[i] = i;
    }
    SegmentSync.Result shortOne = SegmentSync.estimate(index, m, audio(m, 0, 100, 4), 16000, 15,
        50, 0.003);
    assertEquals(SegmentSync.TOO_SHORT, shortOne.errorCode());
    assertNull(shortOne.estimate());
    int[] all = new int[100];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    SegmentSync.Result silent = SegmentSync.estimate(all, m, new float[100 * 640], 16000, 15,
        50, 0.003);
    assertEquals(SegmentSync.SILENT, silent.errorCode());
    assertNull(silent.estimate());
    // Audio that ends before the segment does (a short track) reads as silence past its end.
    SegmentSync.Result truncated = SegmentSync.estimate(all, m, new float[10], 16000, 15, 50,
        0.003);
    assertEquals(SegmentSync.SILENT, truncated.errorCode());
  }
}
