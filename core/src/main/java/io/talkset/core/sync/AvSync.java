package io.talkset.core.sync;

import java.util.Arrays;

/**
 * Model-free audio-visual sync: how many 25 fps frames the audio is shifted against the picture,
 * found by correlating how far the mouth is open (from the 68 landmarks) with the loudness of
 * the audio over a range of lags. Speech loudness rises as the mouth opens, so at the true lag
 * the two move together; both are detrended (a one-second moving average removed) so slow
 * changes of distance or gain do not count.
 *
 * <p>Sign: a positive offset means the audio is late (sound of frame t is heard at t + offset);
 * moving the audio later by k frames raises the estimate by k.
 */
public final class AvSync {
  /** The result: the best lag, its correlation, and how far it stands out of the others. */
  public record Estimate(int offsetFrames, double correlation, double confidence,
      double[] correlations, int maxLag) {}

  private AvSync() {}

  /**
   * Mouth opening of one frame: the mean gap between the inner lips (points 61–67, 62–66,
   * 63–65) over the mouth width (48–54), so it does not change with the face's size.
   */
  public static double mouthOpening(float[] xy) {
    double gap = 0;
    int[][] pairs = {{61, 67}, {62, 66}, {63, 65}};
    for (int[] p : pairs) {
      gap += Math.hypot(xy[2 * p[0]] - xy[2 * p[1]], xy[2 * p[0] + 1] - xy[2 * p[1] + 1]);
    }
    double width = Math.hypot(xy[96] - xy[108], xy[97] - xy[109]);
    return width > 0 ? gap / 3 / width : 0;
  }

  /**
   * Audio loudness per 25 fps frame: RMS of the {@code rate}/25 samples of frame i (sample 0 at
   * the video's t = 0). Linear, not in dB: on the sample videos the linear envelope recovered
   * known shifts where the log one (which lifts pauses and typing noise) did not.
   */
  public static double[] envelope(float[] samples, int rate, int frames) {
    int per = rate / 25;
    double[] e = new double[frames];
    for (int i = 0; i < frames; i++) {
      double s = 0;
      int n = 0;
      for (int j = i * per; j < Math.min(samples.length, (i + 1) * per); j++) {
        s += samples[j] * (double) samples[j];
        n++;
      }
      e[i] = n == 0 ? 0 : Math.sqrt(s / n);
    }
    return e;
  }

  /** The signal minus its centred moving average over {@code window} frames. */
  static double[] detrend(double[] x, int window) {
    double[] out = new double[x.length];
    int h = window / 2;
    for (int i = 0; i < x.length; i++) {
      int a = Math.max(0, i - h);
      int b = Math.min(x.length - 1, i + h);
      double s = 0;
      for (int j = a; j <= b; j++) {
        s += x[j];
      }
      out[i] = x[i] - s / (b - a + 1);
    }
    return out;
  }

  /**
   * The lag in [−maxLag, maxLag] at which the detrended mouth opening and loudness correlate
   * best (Pearson, over the mouth frames maxLag .. n − maxLag, or over the frames both cover when
   * the series is shorter than 2 maxLag + 3). Confidence: the best correlation minus the median
   * over all lags (SyncNet reports the same kind of peak-over-median figure).
   */
  public static Estimate estimate(double[] mouth, double[] loudness, int maxLag) {
    int n = Math.min(mouth.length, loudness.length);
    double[] m = detrend(Arrays.copyOf(mouth, n), 25);
    double[] a = detrend(Arrays.copyOf(loudness, n), 25);
    double[] c = new double[2 * maxLag + 1];
    int best = 0;
    // The same mouth frames for every lag (those whose audio at t ± maxLag exists), so that
    // moving the audio by k frames moves the whole curve by k: with an overlap that changes
    // with the lag, a shift also changed which frames each lag saw, and on movie-hello's crops
    // a second peak a syllable away then won.
    boolean fixed = n - 2 * maxLag >= 3;
    for (int lag = -maxLag; lag <= maxLag; lag++) {
      // Mouth at t against audio at t + lag.
      int from = fixed ? maxLag : Math.max(0, -lag);
      int to = fixed ? n - maxLag : Math.min(n, n - lag);
      c[lag + maxLag] = pearson(m, a, from, to, lag);
      if (c[lag + maxLag] > c[best]) {
        best = lag + maxLag;
      }
    }
    double[] sorted = c.clone();
    Arrays.sort(sorted);
    double median = sorted[sorted.length / 2];
    return new Estimate(best - maxLag, c[best], c[best] - median, c, maxLag);
  }

  private static double pearson(double[] x, double[] y, int from, int to, int lag) {
    int n = to - from;
    if (n < 3) {
      return 0;
    }
    double mx = 0;
    double my = 0;
    for (int t = from; t < to; t++) {
      mx += x[t];
      my += y[t + lag];
    }
    mx /= n;
    my /= n;
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int t = from; t < to; t++) {
      double dx = x[t] - mx;
      double dy = y[t + lag] - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
    return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
  }
}
