package io.talkset.core.report;

/**
 * "Nice" axis steps and ticks: 1, 2, 2.5 or 5 times a power of ten, so tick labels read as round
 * numbers (the rule of Heckbert's "Nice numbers for graph labels", Graphics Gems, 1990).
 */
public final class Ticks {
  private Ticks() {}

  /** The nice step that cuts {@code range} into about {@code target} parts (at least one). */
  public static double step(double range, int target) {
    if (!(range > 0) || Double.isInfinite(range)) {
      return 1;
    }
    double raw = range / Math.max(1, target);
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / power;
    // The tolerance keeps 0.30000000000000004 / 3 on a step of 0.1, not 0.2.
    double e = 1e-9;
    double nice = f <= 1 + e ? 1 : f <= 2 + e ? 2 : f <= 2.5 + e ? 2.5 : f <= 5 + e ? 5 : 10;
    return nice * power;
  }

  /** Ticks at multiples of {@link #step} that cover [lo, hi]: first ≤ lo, last ≥ hi. */
  public static double[] ticks(double lo, double hi, int target) {
    if (hi < lo) {
      throw new IllegalArgumentException("ticks need lo <= hi, got " + lo + " > " + hi);
    }
    double step = step(hi - lo, target);
    double first = Math.floor(lo / step) * step;
    double last = Math.ceil(hi / step) * step;
    if (last == first) {
      last = first + step;
    }
    int n = (int) Math.round((last - first) / step) + 1;
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      // Multiply, never accumulate, so 0.1 steps do not drift to 0.30000000000000004.
      t[i] = clean(first + i * step, step);
    }
    return t;
  }

  /** A tick label: as few decimals as the step needs. */
  public static String label(double v, double step) {
    int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
    double scaled = step * Math.pow(10, decimals);
    if (Math.abs(scaled - Math.rint(scaled)) > 1e-6) {
      decimals++;
    }
    return String.format(java.util.Locale.ROOT, "%." + Math.min(decimals, 9) + "f", v);
  }

  static double clean(double v, double step) {
    double scale = Math.pow(10, Math.max(0, Math.ceil(-Math.log10(step)) + 2));
    return Math.round(v * scale) / scale;
  }
}
