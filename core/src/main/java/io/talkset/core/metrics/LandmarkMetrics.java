package io.talkset.core.metrics;

/**
 * Landmark distances between a generated and a real sequence of 68-point faces (x, y pairs, the
 * same frames): LMD, the mean Euclidean distance between corresponding points (talking-head
 * papers report it for the mouth and the whole face), and LVD, the same for the points'
 * frame-to-frame velocities (movement, not position). Units are those of the points; callers
 * that compare faces of different sizes normalize first (e.g. by {@link #interocular}).
 */
public final class LandmarkMetrics {
  /** A range of points [from, to). */
  public enum Region {
    FACE(0, 68), MOUTH(48, 68), JAW(0, 17), EYES(36, 48), NOSE(27, 36), BROWS(17, 27);

    public final int from;
    public final int to;

    Region(int from, int to) {
      this.from = from;
      this.to = to;
    }
  }

  private LandmarkMetrics() {}

  /** Mean point distance of one frame over a region. */
  public static double lmd(float[] a, float[] b, Region r) {
    double s = 0;
    for (int k = r.from; k < r.to; k++) {
      s += Math.hypot(a[2 * k] - b[2 * k], a[2 * k + 1] - b[2 * k + 1]);
    }
    return s / (r.to - r.from);
  }

  /** LMD per frame over the frames both sequences have. */
  public static double[] lmdPerFrame(float[][] a, float[][] b, Region r) {
    int n = Math.min(a.length, b.length);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = lmd(a[i], b[i], r);
    }
    return out;
  }

  /**
   * LVD per frame pair (i−1, i), i ≥ 1: the mean distance between the two sequences' point
   * velocities. Element 0 is for frames 0→1; the array has one fewer element than frames.
   */
  public static double[] lvdPerFrame(float[][] a, float[][] b, Region r) {
    int n = Math.min(a.length, b.length);
    double[] out = new double[Math.max(0, n - 1)];
    for (int i = 1; i < n; i++) {
      double s = 0;
      for (int k = r.from; k < r.to; k++) {
        double vax = a[i][2 * k] - a[i - 1][2 * k];
        double vay = a[i][2 * k + 1] - a[i - 1][2 * k + 1];
        double vbx = b[i][2 * k] - b[i - 1][2 * k];
        double vby = b[i][2 * k + 1] - b[i - 1][2 * k + 1];
        s += Math.hypot(vax - vbx, vay - vby);
      }
      out[i - 1] = s / (r.to - r.from);
    }
    return out;
  }

  /** The mean of per-frame values (the per-clip figure). NaN when empty. */
  public static double mean(double[] perFrame) {
    double s = 0;
    for (double v : perFrame) {
      s += v;
    }
    return perFrame.length == 0 ? Double.NaN : s / perFrame.length;
  }

  /** Distance between the outer eye corners (points 36 and 45), the usual normalizer. */
  public static double interocular(float[] p) {
    return Math.hypot(p[72] - p[90], p[73] - p[91]);
  }
}
