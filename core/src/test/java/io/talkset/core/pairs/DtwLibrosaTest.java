package io.talkset.core.pairs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our DTW against {@code librosa.sequence.dtw} (0.11, default steps and weights) run at test time
 * on the same inputs: on cost matrices the accumulated cost matrix must be bit-identical (+∞
 * outside the band included) and the path identical; on features (scipy's cdist computes
 * librosa's matrix, summing in its own order) the path must be identical and the cost within
 * 1e-12 relative.
 */
class DtwLibrosaTest {
  private static final int[][] SIZES = {
    {1, 1}, {1, 9}, {9, 1}, {2, 2}, {2, 3}, {9, 9}, {11, 4}, {20, 23}, {23, 20}, {30, 30},
    {40, 57}, {57, 40}, {120, 200}, {300, 260},
  };
  private static final Double[] BANDS = {null, 0.1, 0.25, 0.5};

  private static Dtw dtw(Double bandRad) {
    return new Dtw(Dtw.Params.defaults().withBand(bandRad == null ? Dtw.Band.full()
        : Dtw.Band.fraction(bandRad)));
  }

  /** Asserts D is bit-identical and the path equal; returns how many cells had tied steps. */
  private static int assertSameAsLibrosa(String what, double[] c, int n, int m, Double bandRad,
      LibrosaDtw.Answer lib) {
    assertNull(lib.error(), what);
    double[] acc = new double[n * m];
    Dtw.Result ours = dtw(bandRad).alignCost(c, n, m, acc);
    for (int k = 0; k < n * m; k++) {
      if (Double.doubleToLongBits(acc[k]) != Double.doubleToLongBits(lib.accumulated()[k])) {
        throw new AssertionError(what + ": D differs at (" + k / m + ", " + k % m + "): "
            + acc[k] + " vs librosa " + lib.accumulated()[k]);
      }
    }
    assertArrayEquals(lib.reference(), ours.reference(), what + " path (reference frames)");
    assertArrayEquals(lib.other(), ours.other(), what + " path (other frames)");
    assertEquals(lib.cost(), ours.cost(), 0, what + " cost");
    assertFalse(ours.fellBack(), what);
    return ties(c, acc, n, m);
  }

  /** Cells where two or more steps give the same minimal sum (the tie-breaking decides). */
  private static int ties(double[] c, double[] acc, int n, int m) {
    int ties = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        if (i + j == 0 || acc[i * m + j] == Double.POSITIVE_INFINITY) {
          continue;
        }
        double cost = c[i * m + j];
        double[] cand = {
          i > 0 && j > 0 ? acc[(i - 1) * m + j - 1] + cost : Double.POSITIVE_INFINITY,
          j > 0 ? acc[i * m + j - 1] + cost : Double.POSITIVE_INFINITY,
          i > 0 ? acc[(i - 1) * m + j] + cost : Double.POSITIVE_INFINITY,
        };
        double min = Math.min(cand[0], Math.min(cand[1], cand[2]));
        int at = 0;
        for (double v : cand) {
          at += v == min ? 1 : 0;
        }
        ties += at > 1 ? 1 : 0;
      }
    }
    return ties;
  }

  @Test
  void accumulatedCostAndPathAreLibrosasOnRandomCostMatricesFullAndBanded(@TempDir Path tmp)
      throws Exception {
    Random rnd = new Random(7);
    LibrosaDtw lib = new LibrosaDtw(tmp);
    List<double[]> costs = new ArrayList<>();
    for (int[] s : SIZES) {
      double[] c = new double[s[0] * s[1]];
      for (int k = 0; k < c.length; k++) {
        c[k] = rnd.nextDouble();
      }
      costs.add(c);
      for (Double b : BANDS) {
        lib.cost(c, s[0], s[1], b);
      }
    }
    List<LibrosaDtw.Answer> answers = lib.run();
    int at = 0;
    for (int k = 0; k < SIZES.length; k++) {
      for (Double b : BANDS) {
        int n = SIZES[k][0];
        int m = SIZES[k][1];
        String what = n + "x" + m + " band " + b;
        if (b != null && Math.rint(b * Math.min(n, m)) == 0) {
          // Radius 0 keeps no cell at (0, 0): librosa raises, we give its unbanded answer.
          assertNotNull(answers.get(at++).error(), what);
          LibrosaDtw.Answer full = answers.get(k * BANDS.length);
          Dtw.Result r = dtw(b).alignCost(costs.get(k), n, m);
          assertTrue(r.fellBack(), what);
          assertArrayEquals(full.reference(), r.reference(), what);
          assertArrayEquals(full.other(), r.other(), what);
          assertEquals(full.cost(), r.cost(), 0, what);
          continue;
        }
        assertSameAsLibrosa(what, costs.get(k), n, m, b, answers.get(at++));
      }
    }
    System.out.printf(Locale.ROOT, "dtw vs librosa: %d random cost matrices x %d bands, D bit-"
        + "identical, paths identical%n", SIZES.length, BANDS.length);
  }

  /**
   * Integer costs make sums exact, so equal sums are real ties and only the tie-breaking order
   * (diagonal, then (0,1), then (1,0); a later step only when strictly lower) decides the path.
   */
  @Test
  void tiesAreBrokenAsLibrosaBreaksThem(@TempDir Path tmp) throws Exception {
    Random rnd = new Random(11);
    LibrosaDtw lib = new LibrosaDtw(tmp);
    int[][] sizes = {{2, 3}, {3, 2}, {5, 5}, {25, 40}, {60, 45}};
    List<double[]> costs = new ArrayList<>();
    for (int[] s : sizes) {
      double[] ints = new double[s[0] * s[1]];
      for (int k = 0; k < ints.length; k++) {
        ints[k] = rnd.nextInt(3);
      }
      costs.add(ints);
      costs.add(new double[s[0] * s[1]]);
    }
    for (int k = 0; k < costs.size(); k++) {
      int[] s = sizes[k / 2];
      lib.cost(costs.get(k), s[0], s[1], null);
      lib.cost(costs.get(k), s[0], s[1], 0.25);
    }
    List<LibrosaDtw.Answer> answers = lib.run();
    int ties = 0;
    int cells = 0;
    for (int k = 0; k < costs.size(); k++) {
      int[] s = sizes[k / 2];
      Double[] bands = {null, 0.25};
      for (int b = 0; b < 2; b++) {
        LibrosaDtw.Answer a = answers.get(2 * k + b);
        String what = "ties " + s[0] + "x" + s[1] + (k % 2 == 0 ? " 0..2" : " zeros")
            + " band " + bands[b];
        if (a.error() != null) {
          assertTrue(Math.rint(0.25 * Math.min(s[0], s[1])) == 0, what + ": " + a.error());
          continue;
        }
        ties += assertSameAsLibrosa(what, costs.get(k), s[0], s[1], bands[b], a);
        cells += s[0] * s[1];
      }
    }
    // On all-zero costs every step ties: diagonal first, then along the other clip, so a 2 x 3
    // path is (0,0) (0,1) (1,2), as librosa gives (checked above) and by hand here.
    Dtw.Result zeros = dtw(null).alignCost(new double[6], 2, 3);
    assertArrayEquals(new int[] {0, 0, 1}, zeros.reference());
    assertArrayEquals(new int[] {0, 1, 2}, zeros.other());
    System.out.printf(Locale.ROOT, "dtw vs librosa ties: %d of %d cells had tied steps, all paths"
        + " identical%n", ties, cells);
    assertTrue(ties > cells / 4, "the cases must exercise ties: " + ties + " of " + cells);
  }

  @Test
  void costAndPathAreLibrosasFromRandomAndRealFeatures(@TempDir Path tmp) throws Exception {
    Random rnd = new Random(3);
    List<float[][][]> pairs = new ArrayList<>();
    for (int[] s : new int[][] {{50, 50}, {70, 95}, {120, 80}}) {
      pairs.add(new float[][][] {random(rnd, s[0], 13), random(rnd, s[1], 13)});
    }
    pairs.add(new float[][][] {Speech.mfcc("speech/allison/confbridge-begin-glorious-a.wav"),
        Speech.mfcc("speech/allison/confbridge-begin-glorious-b.wav")});
    pairs.add(new float[][][] {Speech.mfcc("speech/allison/invalid.wav"),
        Speech.mfcc("speech/allison/pbx-invalid.wav")});
    Dtw.Metric[] metrics = Dtw.Metric.values();
    Dtw.Normalization[] norms = {Dtw.Normalization.NONE, Dtw.Normalization.MEAN_VARIANCE};
    Double[] bands = {null, 0.25};
    LibrosaDtw lib = new LibrosaDtw(tmp);
    for (float[][][] p : pairs) {
      for (Dtw.Metric metric : metrics) {
        for (Dtw.Normalization norm : norms) {
          for (Double b : bands) {
            lib.features(p[0], p[1], metric, norm, b);
          }
        }
      }
    }
    List<LibrosaDtw.Answer> answers = lib.run();
    int at = 0;
    double worst = 0;
    for (int k = 0; k < pairs.size(); k++) {
      float[][][] p = pairs.get(k);
      for (Dtw.Metric metric : metrics) {
        for (Dtw.Normalization norm : norms) {
          for (Double b : bands) {
            LibrosaDtw.Answer a = answers.get(at++);
            String what = "pair " + k + " (" + p[0].length + "x" + p[1].length + ") " + metric
                + " " + norm + " band " + b;
            assertNull(a.error(), what);
            Dtw.Result ours = new Dtw(new Dtw.Params(metric, norm, b == null ? Dtw.Band.full()
                : Dtw.Band.fraction(b), Dtw.MapChoice.MEDIAN)).align(p[0], p[1]);
            assertArrayEquals(a.reference(), ours.reference(), what + " path (reference)");
            assertArrayEquals(a.other(), ours.other(), what + " path (other)");
            double rel = Math.abs(ours.cost() - a.cost()) / a.cost();
            worst = Math.max(worst, rel);
            assertTrue(rel < 1e-12, what + ": cost " + ours.cost() + " vs librosa " + a.cost());
          }
        }
      }
    }
    System.out.printf(Locale.ROOT, "dtw vs librosa features: %d cases (L1/L2/cosine, raw and"
        + " normalized, full and banded), paths identical, worst cost difference %.1e%n", at,
        worst);
  }

  /**
   * Radius 0 (band_rad · min(N, M) rounding to 0) keeps no cell at (0, 0), and an infinite wall
   * across the band blocks it: librosa raises, we use the full matrix and say so. The full
   * matrix's answer is librosa's without a band.
   */
  @Test
  void aBandThatCannotConnectTheEndsFallsBackToTheFullMatrix(@TempDir Path tmp)
      throws Exception {
    Random rnd = new Random(5);
    int n = 30;
    int m = 40;
    double[] c = new double[n * m];
    for (int k = 0; k < c.length; k++) {
      c[k] = rnd.nextDouble();
    }
    double[] walled = c.clone();
    // Row 15 is infinite inside the band of radius 3 (columns 13..27) but not beyond it.
    for (int j = 13; j <= 27; j++) {
      walled[15 * m + j] = Double.POSITIVE_INFINITY;
    }
    LibrosaDtw lib = new LibrosaDtw(tmp);
    lib.cost(c, n, m, 0.01);
    lib.cost(c, n, m, null);
    lib.cost(walled, n, m, 0.1);
    lib.cost(walled, n, m, null);
    List<LibrosaDtw.Answer> a = lib.run();
    assertNotNull(a.get(0).error(), "librosa raises on radius 0");
    assertNotNull(a.get(2).error(), "librosa raises when the band is walled");
    for (Dtw.Band band : new Dtw.Band[] {Dtw.Band.fraction(0.01), Dtw.Band.frames(0)}) {
      Dtw.Result r = new Dtw(Dtw.Params.defaults().withBand(band)).alignCost(c, n, m);
      assertTrue(r.fellBack(), band.toString());
      assertEquals(0, r.bandRadius());
      assertArrayEquals(a.get(1).reference(), r.reference());
      assertArrayEquals(a.get(1).other(), r.other());
      assertEquals(a.get(1).cost(), r.cost(), 0);
    }
    Dtw.Result w = new Dtw(Dtw.Params.defaults().withBand(Dtw.Band.fraction(0.1)))
        .alignCost(walled, n, m);
    assertTrue(w.fellBack());
    assertEquals(3, w.bandRadius());
    assertArrayEquals(a.get(3).reference(), w.reference());
    assertArrayEquals(a.get(3).other(), w.other());
    assertEquals(a.get(3).cost(), w.cost(), 0);
    assertTrue(w.cells() > (long) n * m, "band and full matrix both counted: " + w.cells());
  }

  static float[][] random(Random rnd, int frames, int dims) {
    float[][] f = new float[frames][dims];
    for (float[] row : f) {
      for (int k = 0; k < dims; k++) {
        row[k] = (float) rnd.nextGaussian();
      }
    }
    return f;
  }
}
