package io.talkset.core.faceparams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.talkset.testing.Python;
import io.talkset.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LandmarkSmootherTest {
  static final double FPS = 25;

  /** A still face: 68 points spread over a face-sized box, outer eye corners 100 px apart. */
  static float[] stillFace() {
    Random rnd = new Random(2);
    float[] xy = new float[136];
    for (int i = 0; i < 68; i++) {
      xy[2 * i] = 250 + 100 * rnd.nextFloat();
      xy[2 * i + 1] = 150 + 150 * rnd.nextFloat();
    }
    xy[72] = 250;
    xy[73] = 200;
    xy[90] = 350;
    xy[91] = 200;
    return xy;
  }

  static float[][] noisyStillFace(int frames, double sigma, long seed) {
    Random rnd = new Random(seed);
    float[] face = stillFace();
    float[][] seq = new float[frames][136];
    for (int f = 0; f < frames; f++) {
      for (int k = 0; k < 136; k++) {
        seq[f][k] = (float) (face[k] + sigma * rnd.nextGaussian());
      }
    }
    return seq;
  }

  /** The 1€ filter's smoothing factor at a cutoff, from the paper's definition. */
  static double alpha(double cutoffHz) {
    double tau = 1 / (2 * Math.PI * cutoffHz);
    return 1 / (1 + tau * FPS);
  }

  static float[][] column(double[] x) {
    float[][] seq = new float[x.length][1];
    for (int i = 0; i < x.length; i++) {
      seq[i][0] = (float) x[i];
    }
    return seq;
  }

  @Test
  void jitterOfAUniformMotionIsItsSpeedOverTheInterocularDistance() {
    float[] face = stillFace();
    float[][] seq = new float[10][];
    for (int f = 0; f < seq.length; f++) {
      seq[f] = face.clone();
      for (int i = 0; i < 68; i++) {
        seq[f][2 * i] += 3 * f;
        seq[f][2 * i + 1] += 4 * f;
      }
    }
    // 5 px a frame, eyes 100 px apart.
    assertEquals(0.05, LandmarkSmoother.jitter(seq), 1e-6);
    assertTrue(Double.isNaN(LandmarkSmoother.jitter(new float[][] {face})));
  }

  @Test
  void noneCopies() {
    float[][] seq = noisyStillFace(5, 1, 1);
    float[][] out = LandmarkSmoother.none().smooth(seq);
    assertNotSame(seq[0], out[0]);
    for (int f = 0; f < seq.length; f++) {
      assertArrayEquals(seq[f], out[f]);
    }
  }

  @Test
  void oneEuroKeepsAConstantConstant() {
    float[] face = stillFace();
    float[][] seq = new float[50][];
    for (int f = 0; f < seq.length; f++) {
      seq[f] = face.clone();
    }
    float[][] out = LandmarkSmoother.oneEuro(1, 0.05, 1).smooth(seq);
    for (float[] frame : out) {
      assertArrayEquals(face, frame);
    }
  }

  @Test
  void oneEuroStepConvergesNoSlowerThanItsMinimumCutoff() {
    double[] x = new double[60];
    int step = 10;
    for (int i = 0; i < x.length; i++) {
      x[i] = i < step ? 100 : 110;
    }
    double a = alpha(1);
    // beta = 0: a first-order low-pass, error 10 (1 - a)^(k + 1) k frames after the step.
    float[][] fixed = LandmarkSmoother.oneEuro(FPS, 1, 0, 1).smooth(column(x));
    for (int k = 0; step + k < x.length; k++) {
      assertEquals(10 * Math.pow(1 - a, k + 1), 110 - fixed[step + k][0], 1e-4);
    }
    // beta > 0: the cutoff only rises, so it converges at least as fast and never overshoots.
    float[][] adaptive = LandmarkSmoother.oneEuro(FPS, 1, 0.05, 1).smooth(column(x));
    for (int k = 0; step + k < x.length; k++) {
      double err = 110 - adaptive[step + k][0];
      assertTrue(err >= -1e-4 && err <= 10 * Math.pow(1 - a, k + 1) + 1e-4, "frame " + k);
    }
    assertEquals(110, adaptive[step + 25][0], 0.01, "settled a second after the step");
    assertTrue(110 - adaptive[step + 2][0] < 0.5 * (110 - fixed[step + 2][0]), "faster");
  }

  @Test
  void oneEuroReducesJitterAsAFirstOrderLowPassPredicts() {
    float[][] raw = noisyStillFace(500, 1.0, 5);
    double jRaw = LandmarkSmoother.jitter(raw);
    // White noise through y += a (x - y): frame differences shrink by a / sqrt(2 - a).
    double a = alpha(1);
    double expected = Math.sqrt(2 - a) / a;
    double fixed = jRaw / LandmarkSmoother.jitter(
        LandmarkSmoother.oneEuro(FPS, 1, 0, 1).smooth(raw));
    double adaptive = jRaw / LandmarkSmoother.jitter(
        LandmarkSmoother.oneEuro(FPS, 1, 0.05, 1).smooth(raw));
    double sg = jRaw / LandmarkSmoother.jitter(
        LandmarkSmoother.savitzkyGolay(9, 2).smooth(raw));
    System.out.printf(Locale.ROOT, "LandmarkSmoother jitter, still face, σ=1 px, eyes 100 px "
        + "apart: raw %.4f; 1€(1 Hz, β=0) ÷%.2f (theory ÷%.2f); 1€(1 Hz, β=0.05) ÷%.2f; "
        + "SG(9,2) ÷%.2f%n", jRaw, fixed, expected, adaptive, sg);
    assertEquals(expected, fixed, 0.05 * expected);
    // Noise moves the speed estimate, which raises the cutoff: less smoothing, still a lot.
    assertTrue(adaptive > 3 && adaptive < fixed, "1€ β=0.05 ÷" + adaptive);
  }

  @Test
  void oneEuroLagOnARampIsSmallerWithBeta() {
    // A head moving 200 px/s (8 px a frame). In steady state a first-order low-pass lags by
    // (1 - a) / a samples of motion; with beta the cutoff is minCutoff + beta · speed.
    double v = 200;
    double[] x = new double[150];
    for (int i = 0; i < x.length; i++) {
      x[i] = 100 + v * i / FPS;
    }
    double lag0 = x[x.length - 1]
        - LandmarkSmoother.oneEuro(FPS, 1, 0, 1).smooth(column(x))[x.length - 1][0];
    double lagB = x[x.length - 1]
        - LandmarkSmoother.oneEuro(FPS, 1, 0.05, 1).smooth(column(x))[x.length - 1][0];
    double a0 = alpha(1);
    double aB = alpha(1 + 0.05 * v);
    System.out.printf(Locale.ROOT, "LandmarkSmoother 1€ lag at 200 px/s: β=0 %.2f px, "
        + "β=0.05 %.2f px%n", lag0, lagB);
    assertEquals((1 - a0) / a0 * v / FPS, lag0, 0.01 * lag0);
    assertEquals((1 - aB) / aB * v / FPS, lagB, 0.01 * lagB);
    assertTrue(lagB < lag0 / 5, lagB + " vs " + lag0);
  }

  @Test
  void savitzkyGolayCoefficientsMatchThePublishedTables() {
    // Savitzky and Golay (1964), quadratic/cubic smoothing: 5 and 7 points.
    double[] five = {-3, 12, 17, 12, -3};
    double[] seven = {-2, 3, 6, 7, 6, 3, -2};
    double[] c5 = LandmarkSmoother.savgolCoefficients(5, 2);
    double[] c7 = LandmarkSmoother.savgolCoefficients(7, 3);
    for (int i = 0; i < 5; i++) {
      assertEquals(five[i] / 35, c5[i], 1e-12);
    }
    for (int i = 0; i < 7; i++) {
      assertEquals(seven[i] / 21, c7[i], 1e-12);
    }
  }

  @Test
  void savitzkyGolayReproducesPolynomialsUpToItsOrderIncludingTheEnds() {
    int n = 60;
    double[][] coords = new double[n][2];
    for (int i = 0; i < n; i++) {
      double t = i;
      coords[i][0] = 120 + 3.5 * t - 0.21 * t * t + 0.004 * t * t * t; // cubic
      coords[i][1] = 300 - 2 * t + 0.05 * t * t; // quadratic
    }
    float[][] seq = new float[n][2];
    for (int i = 0; i < n; i++) {
      seq[i][0] = (float) coords[i][0];
      seq[i][1] = (float) coords[i][1];
    }
    for (int[] wp : new int[][] {{11, 3}, {7, 3}, {15, 4}, {21, 5}}) {
      float[][] out = LandmarkSmoother.savitzkyGolay(wp[0], wp[1]).smooth(seq);
      for (int i = 0; i < n; i++) {
        assertEquals(seq[i][0], out[i][0], 2e-3, "cubic, " + wp[0] + "/" + wp[1] + " frame " + i);
        assertEquals(seq[i][1], out[i][1], 2e-3, "quadratic, frame " + i);
      }
    }
    // Order 2 fits the quadratic but not, at the ends, the cubic: the test above is not vacuous.
    float[][] out = LandmarkSmoother.savitzkyGolay(11, 2).smooth(seq);
    for (int i = 0; i < n; i++) {
      assertEquals(seq[i][1], out[i][1], 2e-3);
    }
    assertTrue(Math.abs(out[0][0] - seq[0][0]) > 0.05, "cubic end " + (out[0][0] - seq[0][0]));
    // Shorter than the window: the longest odd window that fits (5), still exact on a quadratic.
    float[][] shortSeq = java.util.Arrays.copyOf(seq, 6);
    out = LandmarkSmoother.savitzkyGolay(11, 2).smooth(shortSeq);
    for (int i = 0; i < shortSeq.length; i++) {
      assertEquals(seq[i][1], out[i][1], 2e-3);
    }
  }

  @Test
  void savitzkyGolayReducesJitterAsItsCoefficientsPredict() {
    float[][] raw = noisyStillFace(500, 1.0, 6);
    // Frame differences of the output weigh white noise by the differences of the published
    // 5-point quadratic coefficients.
    double[] c = {0, -3 / 35.0, 12 / 35.0, 17 / 35.0, 12 / 35.0, -3 / 35.0, 0};
    double s = 0;
    for (int k = 1; k < c.length; k++) {
      s += (c[k] - c[k - 1]) * (c[k] - c[k - 1]);
    }
    double expected = 1 / Math.sqrt(s / 2);
    double factor = LandmarkSmoother.jitter(raw)
        / LandmarkSmoother.jitter(LandmarkSmoother.savitzkyGolay(5, 2).smooth(raw));
    System.out.printf(Locale.ROOT, "LandmarkSmoother SG(5,2) jitter ÷%.2f (theory ÷%.2f)%n",
        factor, expected);
    assertEquals(expected, factor, 0.05 * expected);
  }

  @Test
  void savitzkyGolayMatchesScipyInterpMode(@TempDir Path tmp) throws IOException {
    Path python = Python.debian();
    try {
      Tools.run(python.toString(), "-c", "import scipy.signal");
    } catch (IllegalStateException e) {
      fail("scipy is missing from " + python + ": install Debian's python3-scipy (bin/test "
          + "should); it is the reference for Savitzky-Golay. " + e.getMessage());
    }
    int n = 40;
    float[][] seq = new float[n][1];
    StringBuilder text = new StringBuilder();
    Random rnd = new Random(9);
    for (int i = 0; i < n; i++) {
      seq[i][0] = (float) (200 + 30 * Math.sin(0.37 * i) + 3 * rnd.nextGaussian());
      text.append(Float.toString(seq[i][0])).append('\n');
    }
    Path input = Files.writeString(tmp.resolve("x.txt"), text);
    Path script = Files.writeString(tmp.resolve("sg.py"), String.join("\n",
        "import sys",
        "import numpy as np",
        "from scipy.signal import savgol_coeffs, savgol_filter",
        "x = np.loadtxt(sys.argv[1], dtype=np.float64)",
        "for spec in sys.argv[2:]:",
        "    w, p = map(int, spec.split(','))",
        "    print(' '.join(repr(float(v)) for v in savgol_coeffs(w, p, use='dot')))",
        "    print(' '.join(repr(float(v)) for v in savgol_filter(x, w, p, mode='interp')))",
        ""));
    int[][] specs = {{5, 2}, {9, 3}, {15, 4}, {21, 2}, {7, 0}, {31, 6}};
    String[] cmd = new String[3 + specs.length];
    cmd[0] = python.toString();
    cmd[1] = script.toString();
    cmd[2] = input.toString();
    for (int s = 0; s < specs.length; s++) {
      cmd[3 + s] = specs[s][0] + "," + specs[s][1];
    }
    String[] lines = Tools.run(cmd).trim().split("\n");
    for (int s = 0; s < specs.length; s++) {
      String at = "window " + specs[s][0] + " order " + specs[s][1];
      double[] coeffs = parse(lines[2 * s]);
      double[] filtered = parse(lines[2 * s + 1]);
      assertArrayEquals(coeffs, LandmarkSmoother.savgolCoefficients(specs[s][0], specs[s][1]),
          1e-10, at);
      float[][] ours = LandmarkSmoother.savitzkyGolay(specs[s][0], specs[s][1]).smooth(seq);
      for (int i = 0; i < n; i++) {
        assertEquals(filtered[i], ours[i][0], 1e-4, at + " frame " + i);
      }
    }
  }

  /** Fed a frame at a time, every method hands out the whole-sequence result, to the bit. */
  @Test
  void theStreamEqualsTheWholeSequence() {
    for (LandmarkSmoother m : new LandmarkSmoother[] {LandmarkSmoother.none(),
        LandmarkSmoother.oneEuro(1.0, 0.01, 1.0), LandmarkSmoother.savitzkyGolay(9, 2),
        LandmarkSmoother.savitzkyGolay(3, 1)}) {
      for (int n : new int[] {0, 1, 2, 5, 8, 9, 10, 11, 57}) {
        float[][] seq = noisyStillFace(n, 2.0, n);
        float[][] whole = m.smooth(seq);
        LandmarkSmoother.Stream s = m.stream();
        int got = 0;
        int maxHeld = 0;
        for (int f = 0; f <= n; f++) {
          if (f < n) {
            s.add(seq[f]);
          } else {
            s.finish();
          }
          for (float[] y = s.poll(); y != null; y = s.poll()) {
            assertArrayEquals(whole[got], y, m + ", " + n + " frames, frame " + got);
            got++;
          }
          maxHeld = Math.max(maxHeld, f + 1 - got);
        }
        assertEquals(n, got, m + ", " + n + " frames");
        if (m.method() == LandmarkSmoother.Method.SAVITZKY_GOLAY && n >= 9) {
          assertTrue(maxHeld <= 9, m + " held " + maxHeld + " frames back");
        }
      }
    }
  }

  @Test
  void flatAndFrameArraysAgree() {
    float[][] seq = noisyStillFace(30, 2, 4);
    float[] flat = new float[30 * 136];
    for (int f = 0; f < 30; f++) {
      System.arraycopy(seq[f], 0, flat, f * 136, 136);
    }
    for (LandmarkSmoother s : new LandmarkSmoother[] {LandmarkSmoother.oneEuro(1, 0.05, 1),
        LandmarkSmoother.savitzkyGolay(9, 2)}) {
      float[][] a = s.smooth(seq);
      float[] b = s.smooth(flat, 30);
      for (int f = 0; f < 30; f++) {
        assertArrayEquals(a[f], java.util.Arrays.copyOfRange(b, f * 136, (f + 1) * 136), 0,
            s.toString());
      }
    }
  }

  @Test
  void rejectsBadInput() {
    float[][] seq = noisyStillFace(5, 1, 1);
    seq[3][7] = Float.NaN;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LandmarkSmoother.savitzkyGolay(5, 2).smooth(seq));
    assertTrue(e.getMessage().contains("coordinate 7 of frame 3"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LandmarkSmoother.savitzkyGolay(4, 2));
    assertThrows(IllegalArgumentException.class, () -> LandmarkSmoother.savitzkyGolay(5, 5));
    assertThrows(IllegalArgumentException.class, () -> LandmarkSmoother.oneEuro(0, 0, 1));
    assertThrows(IllegalArgumentException.class,
        () -> LandmarkSmoother.none().smooth(new float[10], 3));
  }

  static double[] parse(String line) {
    String[] parts = line.trim().split(" ");
    double[] v = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      v[i] = Double.parseDouble(parts[i]);
    }
    return v;
  }
}
