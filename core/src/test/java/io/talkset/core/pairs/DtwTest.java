package io.talkset.core.pairs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The DTW's band, maps, invariances and input checks (librosa agreement: DtwLibrosaTest). */
class DtwTest {
  private static final Random RND = new Random(1);

  /** The band as a 0/1 mask: finite accumulated cost on an all-ones cost matrix. */
  private static int[][] mask(int n, int m, double bandRad) {
    double[] ones = new double[n * m];
    Arrays.fill(ones, 1);
    double[] acc = new double[n * m];
    new Dtw(Dtw.Params.defaults().withBand(Dtw.Band.fraction(bandRad))).alignCost(ones, n, m,
        acc);
    int[][] out = new int[n][m];
    for (int k = 0; k < n * m; k++) {
      out[k / m][k % m] = acc[k] < Double.POSITIVE_INFINITY ? 1 : 0;
    }
    return out;
  }

  /** The two examples printed in librosa.util.fill_off_diagonal's documentation. */
  @Test
  void bandIsLibrosasFillOffDiagonalShape() {
    int[][] square = {
      {1, 1, 0, 0, 0, 0, 0, 0},
      {1, 1, 1, 0, 0, 0, 0, 0},
      {0, 1, 1, 1, 0, 0, 0, 0},
      {0, 0, 1, 1, 1, 0, 0, 0},
      {0, 0, 0, 1, 1, 1, 0, 0},
      {0, 0, 0, 0, 1, 1, 1, 0},
      {0, 0, 0, 0, 0, 1, 1, 1},
      {0, 0, 0, 0, 0, 0, 1, 1},
    };
    int[][] wide = {
      {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0},
      {1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0},
      {0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},
      {0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0},
      {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0},
      {0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0},
      {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1},
      {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1},
    };
    assertArrayEquals(square, mask(8, 8, 0.25));
    assertArrayEquals(wide, mask(8, 12, 0.25));
    // The tall case is the transpose of the wide one.
    int[][] tall = mask(12, 8, 0.25);
    for (int i = 0; i < 12; i++) {
      for (int j = 0; j < 8; j++) {
        assertEquals(wide[j][i], tall[i][j], "(" + i + ", " + j + ")");
      }
    }
  }

  /**
   * Radius r on N × N keeps |j − i| < r: N(2r − 1) − r(r − 1) cells, linear in N; each row's
   * steps are one byte, so the work and memory grow by the same factor as N.
   */
  @Test
  void aFixedRadiusBandEvaluatesCellsLinearInLength() {
    int r = 20;
    for (int n : new int[] {100, 1000, 10000}) {
      float[][] a = DtwLibrosaTest.random(RND, n, 4);
      Dtw.Result res = new Dtw(Dtw.Params.defaults().withBand(Dtw.Band.frames(r))).align(a, a);
      assertEquals((long) n * (2 * r - 1) - (long) r * (r - 1), res.cells(), "N = " + n);
      assertEquals(0, res.cost(), 0, "a sequence against itself");
      assertEquals(n, res.length());
    }
  }

  @Test
  void fractionRoundsHalfToEvenAsNumpyRound() {
    assertEquals(2, Dtw.Band.fraction(0.25).radiusFor(10, 20));
    assertEquals(4, Dtw.Band.fraction(0.25).radiusFor(30, 14));
    assertEquals(0, Dtw.Band.fraction(0.5).radiusFor(1, 9));
    assertEquals(7, Dtw.Band.frames(7).radiusFor(3, 400));
    assertEquals(-1, Dtw.Band.full().radiusFor(3, 400));
  }

  /**
   * Each reference frame said twice: the path is exact (cost 0), covers both copies, and the
   * map picks the first, lower middle or last copy as asked.
   */
  @Test
  void aDoubledClipIsMatchedExactlyAndMappedByTheChosenRule() {
    int n = 40;
    float[][] a = DtwLibrosaTest.random(RND, n, 13);
    float[][] doubled = new float[2 * n][];
    for (int i = 0; i < n; i++) {
      doubled[2 * i] = a[i];
      doubled[2 * i + 1] = a[i];
    }
    for (Dtw.MapChoice c : Dtw.MapChoice.values()) {
      Dtw.Result r = new Dtw(Dtw.Params.defaults().withNormalization(Dtw.Normalization.NONE)
          .withBand(Dtw.Band.full()).withMap(c)).align(a, doubled);
      assertEquals(0, r.cost(), 0);
      assertEquals(2 * n, r.length());
      for (int i = 0; i < n; i++) {
        int expected = c == Dtw.MapChoice.LAST ? 2 * i + 1 : 2 * i;
        assertEquals(expected, r.referenceMap()[i], c + " frame " + i);
      }
    }
    int[] map = Dtw.referenceMap(new int[] {0, 0, 0, 0, 1}, new int[] {0, 1, 2, 3, 4}, 2,
        Dtw.MapChoice.MEDIAN);
    assertArrayEquals(new int[] {1, 4}, map, "a run 0..3 maps to its lower middle");
  }

  /** The step pattern is symmetric: swapping the clips transposes the path, same cost. */
  @Test
  void swappingTheClipsTransposesThePath() {
    float[][] a = DtwLibrosaTest.random(RND, 60, 13);
    float[][] b = DtwLibrosaTest.random(RND, 85, 13);
    for (Dtw.Metric metric : Dtw.Metric.values()) {
      Dtw dtw = new Dtw(Dtw.Params.defaults().withMetric(metric).withBand(Dtw.Band.frames(5)));
      Dtw.Result ab = dtw.align(a, b);
      Dtw.Result ba = dtw.align(b, a);
      assertEquals(ab.cost(), ba.cost(), 1e-12 * ab.cost(), metric.name());
      assertArrayEquals(ab.reference(), ba.other(), metric.name());
      assertArrayEquals(ab.other(), ba.reference(), metric.name());
    }
  }

  /**
   * Mean/variance normalization per clip removes a per-dimension gain and offset (a louder
   * take, another microphone); mean normalization only the offset; none neither.
   */
  @Test
  void normalizationRemovesPerDimensionGainAndOffset() {
    float[][] a = DtwLibrosaTest.random(RND, 50, 6);
    float[][] b = DtwLibrosaTest.random(RND, 70, 6);
    float[][] shifted = new float[b.length][6];
    float[][] scaled = new float[b.length][6];
    for (int j = 0; j < b.length; j++) {
      for (int k = 0; k < 6; k++) {
        shifted[j][k] = b[j][k] + 3f * k - 4f;
        scaled[j][k] = 2f * b[j][k] + 3f * k - 4f;
      }
    }
    Dtw.Params p = Dtw.Params.defaults();
    Dtw mv = new Dtw(p.withNormalization(Dtw.Normalization.MEAN_VARIANCE));
    Dtw mean = new Dtw(p.withNormalization(Dtw.Normalization.MEAN));
    Dtw none = new Dtw(p.withNormalization(Dtw.Normalization.NONE));
    double base = mv.align(a, b).cost();
    assertEquals(base, mv.align(a, scaled).cost(), 1e-5 * base);
    assertEquals(mean.align(a, b).cost(), mean.align(a, shifted).cost(), 1e-5 * base);
    assertNotEquals(mean.align(a, b).cost(), mean.align(a, scaled).cost(), 1e-2 * base);
    assertNotEquals(none.align(a, b).cost(), none.align(a, shifted).cost(), 1e-2 * base);
  }

  /**
   * The cost is D at the end: the local distances along the path added in path order. Computed
   * here from the definitions in plain scalar code, it must come out to the same bits as the
   * vectorized distances the recursion used (and the backtracking's own recomputation).
   */
  @Test
  void costIsTheSumOfLocalDistancesAlongThePath() throws Exception {
    float[][] a = DtwLibrosaTest.random(RND, 90, 13);
    float[][] b = DtwLibrosaTest.random(RND, 130, 13);
    float[][] speechA = Speech.mfcc("speech/allison/invalid.wav");
    float[][] speechB = Speech.mfcc("speech/allison/pbx-invalid.wav");
    for (float[][][] pair : new float[][][][] {{a, b}, {speechA, speechB}}) {
      for (Dtw.Metric metric : Dtw.Metric.values()) {
        for (Dtw.Band band : new Dtw.Band[] {Dtw.Band.full(), Dtw.Band.frames(7)}) {
          Dtw.Result r = new Dtw(Dtw.Params.defaults().withMetric(metric)
              .withNormalization(Dtw.Normalization.NONE).withBand(band)).align(pair[0], pair[1]);
          double sum = 0;
          for (int k = 0; k < r.length(); k++) {
            sum += distance(metric, pair[0][r.reference()[k]], pair[1][r.other()[k]]);
          }
          assertEquals(sum, r.cost(), 0, metric + " " + band);
        }
      }
    }
  }

  /** scipy's definitions, summed over dimensions in order. */
  private static double distance(Dtw.Metric metric, float[] u, float[] v) {
    double s = 0;
    double uu = 0;
    double vv = 0;
    for (int k = 0; k < u.length; k++) {
      double t = (double) u[k] - v[k];
      switch (metric) {
        case L1 -> s += Math.abs(t);
        case L2 -> s += t * t;
        default -> s += (double) u[k] * v[k];
      }
      uu += (double) u[k] * u[k];
      vv += (double) v[k] * v[k];
    }
    if (metric == Dtw.Metric.L2) {
      return Math.sqrt(s);
    }
    if (metric == Dtw.Metric.L1) {
      return s;
    }
    double cos = s / (Math.sqrt(uu) * Math.sqrt(vv));
    return 1 - Math.max(-1, Math.min(1, cos));
  }

  /** Hand-computed local distances on a one-frame pair, each metric. */
  @Test
  void metricsAreTheirDefinitions() {
    float[][] u = {{3, 4}};
    float[][] v = {{0, 8}};
    Dtw.Params p = Dtw.Params.defaults().withNormalization(Dtw.Normalization.NONE);
    assertEquals(7, new Dtw(p.withMetric(Dtw.Metric.L1)).align(u, v).cost(), 1e-12);
    assertEquals(5, new Dtw(p.withMetric(Dtw.Metric.L2)).align(u, v).cost(), 1e-12);
    assertEquals(1 - 32.0 / 40, new Dtw(p.withMetric(Dtw.Metric.COSINE)).align(u, v).cost(),
        1e-12);
    assertEquals(1, new Dtw(p.withMetric(Dtw.Metric.COSINE)).align(new float[][] {{0, 0}}, v)
        .cost(), 0, "a silent (zero) frame is at distance 1");
  }

  @Test
  void badInputsAreRejectedWithTheBadValue() {
    Dtw dtw = new Dtw(Dtw.Params.defaults());
    double inf = Double.POSITIVE_INFINITY;
    float[][] a = {{1, 2}, {3, 4}};
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> dtw.align(a, new float[][] {{1, 2, 3}})).getMessage().contains("3"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> dtw.align(a, new float[][] {{1, Float.NaN}})).getMessage().contains("NaN"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> dtw.align(new float[0][], a)).getMessage().contains("reference"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> dtw.alignCost(new double[] {0, Double.NaN}, 1, 2)).getMessage()
        .contains("(0, 1)"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> dtw.alignCost(
        new double[] {0, inf, inf, inf, inf, 0}, 2, 3))
        .getMessage().contains("no path"), "nothing finite connects (0,0) to (1,2)");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Dtw.Band.frames(-2))
        .getMessage().contains("-2"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Dtw.Band.fraction(-0.1))
        .getMessage().contains("-0.1"));
  }
}
