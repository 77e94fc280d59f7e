package io.talkset.core.report;

import java.util.Arrays;

/**
 * Counts in equal-width bins [lo + i·width, lo + (i+1)·width); the last bin also holds hi. Bins
 * come from the data's range with a nice width ({@link Ticks#step}), so edges are round numbers.
 * Spark jobs compute the bin of a value with the same rule as {@link #bin}: floor((x − lo) / width),
 * clamped to [0, bins − 1].
 */
public final class Histogram {
  private final double lo;
  private final double width;
  private final long[] counts;

  public Histogram(double lo, double width, long[] counts) {
    if (!(width > 0) || counts.length == 0 || !Double.isFinite(lo)) {
      throw new IllegalArgumentException("a histogram needs a finite start, a positive width"
          + " and at least one bin, got lo " + lo + ", width " + width + ", " + counts.length
          + " bins");
    }
    this.lo = lo;
    this.width = width;
    this.counts = counts.clone();
  }

  /**
   * Empty bins covering [min, max] with a nice width giving about {@code target} bins. One
   * value (min = max) gets one bin of width 1 around it.
   */
  public static Histogram covering(double min, double max, int target) {
    if (!Double.isFinite(min) || !Double.isFinite(max) || max < min) {
      throw new IllegalArgumentException("bins need a finite range, got [" + min + ", " + max
          + "]");
    }
    if (max == min) {
      double w = Ticks.step(Math.max(Math.abs(min), 1), 1) / 10;
      return new Histogram(Ticks.clean(Math.floor(min / w) * w, w), w, new long[1]);
    }
    double w = Ticks.step(max - min, target);
    double start = Ticks.clean(Math.floor(min / w) * w, w);
    // numpy's rule: the last bin is closed, so a maximum on an edge needs no extra bin.
    int n = Math.max(1, (int) Math.ceil((max - start) / w - 1e-9));
    return new Histogram(start, w, new long[n]);
  }

  /** A histogram of {@code values} (NaN skipped) with about {@code target} nice bins. */
  public static Histogram of(double[] values, int target) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    if (min > max) {
      return null;
    }
    Histogram h = covering(min, max, target);
    for (double v : values) {
      if (!Double.isNaN(v)) {
        h.counts[h.bin(v)]++;
      }
    }
    return h;
  }

  /** The bin of {@code x}: floor((x − lo) / width), clamped to the bins. */
  public int bin(double x) {
    int i = (int) Math.floor((x - lo) / width);
    return Math.max(0, Math.min(counts.length - 1, i));
  }

  /** A copy with {@code n} added to bin {@code i}. */
  public Histogram plus(int i, long n) {
    long[] c = counts.clone();
    c[i] += n;
    return new Histogram(lo, width, c);
  }

  public double lo() {
    return lo;
  }

  public double width() {
    return width;
  }

  public int bins() {
    return counts.length;
  }

  /** Left edge of bin {@code i}; {@code edge(bins())} is the right end. */
  public double edge(int i) {
    return Ticks.clean(lo + i * width, width);
  }

  public long count(int i) {
    return counts[i];
  }

  public long[] counts() {
    return counts.clone();
  }

  public long total() {
    return Arrays.stream(counts).sum();
  }

  public long max() {
    return Arrays.stream(counts).max().orElse(0);
  }
}
