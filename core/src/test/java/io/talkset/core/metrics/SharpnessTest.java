package io.talkset.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.testing.Samples;
import java.util.Locale;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CPBD sharpness on real photos: it must fall as Gaussian blur grows. No reference values: the
 * Python {@code cpbd} package is not on the machine's pip index.
 */
class SharpnessTest {
  private static final double[] SIGMAS = {0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0};

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void blurrierPicturesScoreLower(int crop) {
    Object[] c = MetricPictures.CROPS[crop];
    Mat m = MetricPictures.crop(Samples.dir(), (String) c[1], (int) c[2], (int) c[3],
        (int) c[4], (int) c[5]);
    Sharpness.Result original = Sharpness.compute(MetricPictures.rgb(m));
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
        "cpbd %-10s original %.4f (%d edges, %d/%d edge blocks)", c[0], original.cpbd(),
        original.edges(), original.edgeBlocks(), original.blocks()));
    assertTrue(original.edges() > 1000, c[0] + ": too few edges measured: " + original);
    double[] scores = new double[SIGMAS.length];
    for (int i = 0; i < SIGMAS.length; i++) {
      try (Mat b = MetricPictures.blur(m, SIGMAS[i])) {
        Sharpness.Result r = Sharpness.compute(MetricPictures.rgb(b));
        scores[i] = r.cpbd();
        line.append(String.format(Locale.ROOT, ", σ%.2f %.4f (%d)", SIGMAS[i], r.cpbd(),
            r.edges()));
      }
    }
    System.out.println(line);
    // Strictly lower at each step until every measured edge is wider than its JNB width
    // (from σ ≈ 1.5 on these photos), then 0 for good.
    double previous = original.cpbd();
    for (int i = 0; i < SIGMAS.length; i++) {
      if (previous > 0) {
        assertTrue(scores[i] < previous, c[0] + " σ " + SIGMAS[i] + ": " + scores[i] + " ≥ "
            + previous);
      } else {
        assertEquals(0, scores[i], c[0] + " σ " + SIGMAS[i]);
      }
      previous = scores[i];
    }
    assertTrue(scores[3] > 0, c[0] + ": already 0 at σ " + SIGMAS[3]);
    m.close();
  }

  @Test
  void bgrMatAndRgbBytesScoreTheSame() {
    Object[] c = MetricPictures.CROPS[0];
    Mat m = MetricPictures.crop(Samples.dir(), (String) c[1], (int) c[2], (int) c[3],
        (int) c[4], (int) c[5]);
    assertEquals(Sharpness.cpbd(MetricPictures.rgb(m)), Sharpness.cpbd(m), 0);
    m.close();
  }

  /** Marziliano width of a linear ramp: the distance between its two ends. */
  @Test
  void edgeWidthIsTheDistanceBetweenTheExtremaOfARamp() {
    int w = 40;
    float[] g = new float[3 * w];
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < w; x++) {
        // Flat at 20 up to x = 10, rising by 30 a pixel to 200 at x = 16, flat after.
        g[y * w + x] = Math.max(20, Math.min(200, 20 + 30 * (x - 10)));
      }
    }
    assertEquals(6, Sharpness.edgeWidth(g, w, 3, 13, 1));
    // Mirrored (falling edge) the same.
    float[] f = new float[3 * w];
    for (int i = 0; i < f.length; i++) {
      f[i] = g[(i / w) * w + (w - 1 - i % w)];
    }
    assertEquals(6, Sharpness.edgeWidth(f, w, 3, w - 1 - 13, 1));
  }

  @Test
  void picturesSmallerThanABlockScoreZero() {
    Sharpness.Result r = Sharpness.compute(new Pixels(new byte[63 * 100], 63, 100,
        Pixels.Order.GRAY));
    assertEquals(new Sharpness.Result(0, 0, 0, 0), r);
  }
}
