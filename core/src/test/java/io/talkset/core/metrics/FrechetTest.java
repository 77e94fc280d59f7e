package io.talkset.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.talkset.testing.Python;
import io.talkset.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Fréchet distance against pytorch-fid's formula in numpy/scipy, and known shifts. */
class FrechetTest {

  static List<float[]> gaussian(int n, int d, double scale, double shift, long seed) {
    Random r = new Random(seed);
    // Correlated dimensions: x = A z with a random A, so the covariance is not diagonal.
    double[][] a = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        a[i][j] = (i == j ? 1 : 0.3 * r.nextGaussian()) * scale;
      }
    }
    List<float[]> out = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      double[] z = new double[d];
      for (int i = 0; i < d; i++) {
        z[i] = r.nextGaussian();
      }
      float[] x = new float[d];
      for (int i = 0; i < d; i++) {
        double s = shift;
        for (int j = 0; j < d; j++) {
          s += a[i][j] * z[j];
        }
        x[i] = (float) s;
      }
      out.add(x);
    }
    return out;
  }

  static void write(Path p, List<float[]> xs) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (float[] x : xs) {
      for (int i = 0; i < x.length; i++) {
        sb.append(i == 0 ? "" : " ").append(x[i]);
      }
      sb.append('\n');
    }
    Files.writeString(p, sb);
  }

  @Test
  void matchesPytorchFidFormulaInScipy(@TempDir Path tmp) throws Exception {
    // 128-d like the descriptors; one case with fewer samples than dimensions (singular
    // covariances, as a short clip gives).
    int[][] cases = {{300, 128, 400}, {60, 128, 80}, {200, 16, 150}};
    for (int[] c : cases) {
      List<float[]> a = gaussian(c[0], c[1], 0.05, 0, 1);
      List<float[]> b = gaussian(c[2], c[1], 0.07, 0.01, 2);
      write(tmp.resolve("a.txt"), a);
      write(tmp.resolve("b.txt"), b);
      // pytorch-fid's calculate_frechet_distance, without its eps retry (not needed here).
      String script = String.join("\n",
          "import numpy as np, scipy.linalg, sys",
          "a = np.loadtxt(sys.argv[1]); b = np.loadtxt(sys.argv[2])",
          "m1, m2 = a.mean(0), b.mean(0)",
          "s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)",
          "cm, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)",
          "cm = cm.real",
          "d = m1 - m2",
          "print(repr(d.dot(d) + np.trace(s1) + np.trace(s2) - 2 * np.trace(cm)))");
      Path py = tmp.resolve("fd.py");
      Files.writeString(py, script);
      double expected = Double.parseDouble(Tools.run(Python.debian().toString(), py.toString(),
          tmp.resolve("a.txt").toString(), tmp.resolve("b.txt").toString()).trim());
      long t0 = System.nanoTime();
      double got = Frechet.distance(a, b);
      System.out.printf(Locale.ROOT, "Frechet n=%d/%d d=%d: ours %.9f, scipy %.9f (%.1f ms)%n",
          c[0], c[2], c[1], got, expected, (System.nanoTime() - t0) / 1e6);
      assertEquals(expected, got, 1e-6 * Math.max(1, Math.abs(expected)));
    }
  }

  @Test
  void mergedAccumulatorsGiveTheStatisticsOfTheWholeSet() {
    List<float[]> a = gaussian(300, 128, 0.05, 0.2, 5);
    List<float[]> b = gaussian(100, 128, 0.07, 0.1, 6);
    Frechet.Accumulator left = new Frechet.Accumulator();
    Frechet.Accumulator right = new Frechet.Accumulator();
    for (int i = 0; i < a.size(); i++) {
      (i < 120 ? left : right).add(a.get(i));
    }
    Frechet.Stats whole = Frechet.stats(a);
    Frechet.Stats merged = new Frechet.Accumulator().merge(left).merge(right).stats();
    assertEquals(300, merged.n());
    for (int i = 0; i < 128; i++) {
      assertEquals(whole.mean()[i], merged.mean()[i], 1e-12);
      for (int j = 0; j < 128; j++) {
        assertEquals(whole.cov()[i][j], merged.cov()[i][j], 1e-9);
      }
    }
    assertEquals(Frechet.distance(a, b), Frechet.distance(merged, Frechet.stats(b)), 1e-7);
  }

  @Test
  void aSetAgainstItselfIsZeroAndAShiftAddsItsSquaredLength() {
    List<float[]> a = gaussian(200, 128, 0.05, 0, 3);
    assertEquals(0, Frechet.distance(a, a), 1e-9);
    List<float[]> shifted = new ArrayList<>();
    for (float[] x : a) {
      float[] y = x.clone();
      for (int i = 0; i < y.length; i++) {
        y[i] += 0.01f;
      }
      shifted.add(y);
    }
    // Same covariance, means 0.01 apart in every dimension: 128 * 0.0001.
    assertEquals(128 * 1e-4, Frechet.distance(a, shifted), 1e-6);
  }
}
