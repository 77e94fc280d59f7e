package io.talkset.core.faceparams;

import java.util.Locale;

/**
 * Temporal smoothing of one track's landmark sequence, each coordinate on its own. Returns new
 * arrays; the caller keeps the raw landmarks.
 *
 * <ul>
 *   <li>{@link Method#NONE}: a copy.
 *   <li>{@link Method#ONE_EURO}: the 1€ filter of Casiez, Roussel and Vogel (CHI 2012), causal:
 *       an exponential low-pass whose cutoff rises with the coordinate's speed, so a still face
 *       is smoothed hard and a moving one lags little.
 *   <li>{@link Method#SAVITZKY_GOLAY}: the least-squares polynomial of the window around each
 *       frame, evaluated at that frame (zero phase, needs the whole sequence). The first and
 *       last half windows take the polynomial fitted to the first and last full window, as
 *       {@code scipy.signal.savgol_filter(mode='interp')} does.
 * </ul>
 *
 * <p>Frames must be finite and of one length (any number of coordinates; 136 for 68 points):
 * split a track at missing frames before smoothing. A sequence shorter than the Savitzky–Golay
 * window gets the longest odd window that fits (and is returned unchanged when that window is
 * not longer than the order). Immutable and thread-safe.
 */
public final class LandmarkSmoother {
  /** The smoothing methods. */
  public enum Method { NONE, ONE_EURO, SAVITZKY_GOLAY }

  /** Frame rate the 1€ defaults assume. */
  public static final double DEFAULT_FPS = 25;

  private final Method method;
  private final double fps;
  private final double minCutoff;
  private final double beta;
  private final double dCutoff;
  private final int window;
  private final int order;

  private LandmarkSmoother(Method method, double fps, double minCutoff, double beta,
      double dCutoff, int window, int order) {
    this.method = method;
    this.fps = fps;
    this.minCutoff = minCutoff;
    this.beta = beta;
    this.dCutoff = dCutoff;
    this.window = window;
    this.order = order;
  }

  /** No smoothing: {@link #smooth} copies. */
  public static LandmarkSmoother none() {
    return new LandmarkSmoother(Method.NONE, DEFAULT_FPS, 0, 0, 0, 1, 0);
  }

  /**
   * The 1€ filter.
   *
   * @param fps frame rate of the sequence
   * @param minCutoff cutoff in Hz when the coordinate is still (lower: smoother, more lag)
   * @param beta how fast the cutoff rises with speed, in Hz per (pixel per second): the speed
   *     is in the landmarks' units, so beta depends on the picture scale
   * @param dCutoff cutoff in Hz of the low-pass on the speed estimate
   */
  public static LandmarkSmoother oneEuro(double fps, double minCutoff, double beta,
      double dCutoff) {
    positive("fps", fps);
    positive("minCutoff", minCutoff);
    positive("dCutoff", dCutoff);
    if (!(beta >= 0) || Double.isInfinite(beta)) {
      throw new IllegalArgumentException("beta must be finite and >= 0, got " + beta);
    }
    return new LandmarkSmoother(Method.ONE_EURO, fps, minCutoff, beta, dCutoff, 1, 0);
  }

  /** The 1€ filter at {@value #DEFAULT_FPS} fps. */
  public static LandmarkSmoother oneEuro(double minCutoff, double beta, double dCutoff) {
    return oneEuro(DEFAULT_FPS, minCutoff, beta, dCutoff);
  }

  /**
   * Savitzky–Golay.
   *
   * @param window frames in the window, odd, at least 3
   * @param order polynomial degree, below the window
   */
  public static LandmarkSmoother savitzkyGolay(int window, int order) {
    if (window < 3 || window % 2 == 0) {
      throw new IllegalArgumentException("window must be odd and >= 3, got " + window);
    }
    if (order < 0 || order >= window) {
      throw new IllegalArgumentException("order must be in [0, window), got " + order
          + " for window " + window);
    }
    return new LandmarkSmoother(Method.SAVITZKY_GOLAY, DEFAULT_FPS, 0, 0, 0, window, order);
  }

  public Method method() {
    return method;
  }

  @Override
  public String toString() {
    return switch (method) {
      case NONE -> "none";
      case ONE_EURO -> String.format(Locale.ROOT, "one_euro(fps=%s, minCutoff=%s, beta=%s, "
          + "dCutoff=%s)", fps, minCutoff, beta, dCutoff);
      case SAVITZKY_GOLAY -> "savitzky_golay(window=" + window + ", order=" + order + ")";
    };
  }

  /** Smoothed copy of {@code frames} (frames × coordinates). */
  public float[][] smooth(float[][] frames) {
    int n = frames.length;
    int dims = n == 0 ? 0 : frames[0].length;
    float[] flat = new float[n * dims];
    for (int f = 0; f < n; f++) {
      if (frames[f].length != dims) {
        throw new IllegalArgumentException("frame " + f + " has " + frames[f].length
            + " coordinates, frame 0 has " + dims);
      }
      System.arraycopy(frames[f], 0, flat, f * dims, dims);
    }
    float[] out = smooth(flat, n);
    float[][] result = new float[n][];
    for (int f = 0; f < n; f++) {
      result[f] = java.util.Arrays.copyOfRange(out, f * dims, (f + 1) * dims);
    }
    return result;
  }

  /**
   * Smoothed copy of {@code frameCount} frames stored one after another in {@code flat}
   * ({@code flat.length / frameCount} coordinates each).
   */
  public float[] smooth(float[] flat, int frameCount) {
    if (frameCount < 0 || (frameCount == 0 ? flat.length != 0 : flat.length % frameCount != 0)) {
      throw new IllegalArgumentException(flat.length + " values do not split into " + frameCount
          + " frames");
    }
    for (int i = 0; i < flat.length; i++) {
      if (!Float.isFinite(flat[i])) {
        int dims = flat.length / frameCount;
        throw new IllegalArgumentException("coordinate " + i % dims + " of frame " + i / dims
            + " is not finite: " + flat[i]);
      }
    }
    if (frameCount == 0) {
      return new float[0];
    }
    int dims = flat.length / frameCount;
    float[] out = new float[flat.length];
    double[] x = new double[frameCount];
    double[] y = new double[frameCount];
    double[][] sg = method == Method.SAVITZKY_GOLAY
        ? savgolMatrix(Math.min(window, largestOdd(frameCount)), order) : null;
    for (int d = 0; d < dims; d++) {
      for (int f = 0; f < frameCount; f++) {
        x[f] = flat[f * dims + d];
      }
      switch (method) {
        case NONE -> System.arraycopy(x, 0, y, 0, frameCount);
        case ONE_EURO -> oneEuro(x, y);
        case SAVITZKY_GOLAY -> savgol(sg, x, y);
        default -> throw new IllegalStateException(method.toString());
      }
      for (int f = 0; f < frameCount; f++) {
        out[f * dims + d] = (float) y[f];
      }
    }
    return out;
  }

  /**
   * A smoother fed one frame at a time that hands out each smoothed frame as soon as no later
   * frame can change it: at once for none and the 1€ filter, half a window later for
   * Savitzky–Golay (all at the end for a sequence shorter than the window). The frames it hands
   * out equal {@link #smooth(float[][])} of the whole sequence, to the bit; it holds one window
   * of frames, whatever the sequence's length.
   */
  public Stream stream() {
    return new Stream();
  }

  /** See {@link #stream()}. */
  public final class Stream {
    private final java.util.ArrayList<float[]> held = new java.util.ArrayList<>();
    /** Index in the sequence of held.get(0). */
    private long heldFrom;
    private long added;
    /** Index of the next frame to hand out. */
    private long out;
    private final java.util.ArrayDeque<float[]> ready = new java.util.ArrayDeque<>();
    private final double[][] sg = method == Method.SAVITZKY_GOLAY
        ? savgolMatrix(window, order) : null;
    private double[] euroOut;
    private double[] euroSpeed;
    private float[] euroPrev;
    private boolean finished;
    private int dims;

    /** The next raw frame of the sequence. */
    public void add(float[] frame) {
      if (finished) {
        throw new IllegalStateException("the sequence has ended");
      }
      float[] f = frame.clone();
      if (added == 0) {
        dims = f.length;
      } else if (f.length != dims) {
        throw new IllegalArgumentException("frame " + added + " has " + f.length
            + " coordinates, frame 0 has " + dims);
      }
      for (int i = 0; i < f.length; i++) {
        if (!Float.isFinite(f[i])) {
          throw new IllegalArgumentException("coordinate " + i + " of frame " + added
              + " is not finite: " + f[i]);
        }
      }
      added++;
      switch (method) {
        case NONE -> {
          ready.add(f);
          out++;
        }
        case ONE_EURO -> {
          ready.add(oneEuroStep(f));
          out++;
        }
        default -> {
          held.add(f);
          savgolReady();
        }
      }
    }

    /** Ends the sequence: every frame still held becomes ready. */
    public void finish() {
      if (finished) {
        return;
      }
      finished = true;
      if (method != Method.SAVITZKY_GOLAY || added == 0) {
        return;
      }
      if (added < window) {
        // Shorter than the window: the whole-sequence smoother picks a shorter window.
        float[][] all = held.toArray(new float[0][]);
        for (float[] f : smooth(all)) {
          ready.add(f);
        }
        out = added;
        held.clear();
        return;
      }
      int half = window / 2;
      // The last half window: the last full window's polynomial.
      int base = held.size() - window;
      while (out < added) {
        int i = (int) (out - (added - half));
        float[] y = new float[held.get(0).length];
        for (int d = 0; d < y.length; d++) {
          double s1 = 0;
          for (int k = 0; k < window; k++) {
            s1 += sg[window - half + i][k] * held.get(base + k)[d];
          }
          y[d] = (float) s1;
        }
        ready.add(y);
        out++;
      }
    }

    /** The next smoothed frame, in order, or null when none is ready yet. */
    public float[] poll() {
      return ready.poll();
    }

    private void savgolReady() {
      if (added < window) {
        return;
      }
      int half = window / 2;
      if (out == 0) {
        // The first half window: the first full window's polynomial.
        for (int i = 0; i < half; i++) {
          float[] y = new float[dims];
          for (int d = 0; d < dims; d++) {
            double s0 = 0;
            for (int k = 0; k < window; k++) {
              s0 += sg[i][k] * held.get(k)[d];
            }
            y[d] = (float) s0;
          }
          ready.add(y);
        }
        out = half;
      }
      double[] centre = sg[half];
      // Centred windows: frame `out` once frame out + half is in.
      while (out + half < added) {
        int first = (int) (out - half - heldFrom);
        float[] y = new float[dims];
        for (int d = 0; d < dims; d++) {
          double s = 0;
          for (int k = 0; k < window; k++) {
            s += centre[k] * held.get(first + k)[d];
          }
          y[d] = (float) s;
        }
        ready.add(y);
        out++;
      }
      // Keep the frames the next centred window and the final window need.
      while (held.size() > window && heldFrom < out - half) {
        held.remove(0);
        heldFrom++;
      }
    }

    private float[] oneEuroStep(float[] x) {
      float[] y = new float[x.length];
      if (euroPrev == null) {
        euroOut = new double[x.length];
        euroSpeed = new double[x.length];
        for (int d = 0; d < x.length; d++) {
          euroOut[d] = x[d];
          y[d] = (float) euroOut[d];
        }
      } else {
        double te = 1 / fps;
        double aD = alpha(dCutoff, te);
        for (int d = 0; d < x.length; d++) {
          double xi = x[d];
          euroSpeed[d] += aD * ((xi - euroPrev[d]) * fps - euroSpeed[d]);
          double a = alpha(minCutoff + beta * Math.abs(euroSpeed[d]), te);
          euroOut[d] += a * (xi - euroOut[d]);
          y[d] = (float) euroOut[d];
        }
      }
      euroPrev = x;
      return y;
    }
  }

  private void oneEuro(double[] x, double[] y) {
    double te = 1 / fps;
    double aD = alpha(dCutoff, te);
    double out = x[0];
    double speed = 0;
    y[0] = x[0];
    for (int i = 1; i < x.length; i++) {
      // The speed is that of the raw input, as in the authors' reference implementations.
      speed += aD * ((x[i] - x[i - 1]) * fps - speed);
      double a = alpha(minCutoff + beta * Math.abs(speed), te);
      out += a * (x[i] - out);
      y[i] = out;
    }
  }

  /** Smoothing factor of a first-order low-pass with this cutoff, sampled every {@code te} s. */
  private static double alpha(double cutoffHz, double te) {
    double tau = 1 / (2 * Math.PI * cutoffHz);
    return 1 / (1 + tau / te);
  }

  private static void savgol(double[][] h, double[] x, double[] y) {
    int m = h.length;
    int n = x.length;
    int half = m / 2;
    if (m == 1) {
      System.arraycopy(x, 0, y, 0, n);
      return;
    }
    double[] centre = h[half];
    for (int i = half; i < n - half; i++) {
      double s = 0;
      for (int k = 0; k < m; k++) {
        s += centre[k] * x[i - half + k];
      }
      y[i] = s;
    }
    // Ends: the other rows of the hat matrix evaluate the first and last window's polynomial
    // at the frames the centred window cannot reach.
    for (int i = 0; i < half; i++) {
      double s0 = 0;
      double s1 = 0;
      for (int k = 0; k < m; k++) {
        s0 += h[i][k] * x[k];
        s1 += h[m - half + i][k] * x[n - m + k];
      }
      y[i] = s0;
      y[n - half + i] = s1;
    }
  }

  /**
   * The Savitzky–Golay convolution coefficients for the centre of the window (the weights that
   * {@code scipy.signal.savgol_coeffs(window, order, use='dot')} gives).
   */
  static double[] savgolCoefficients(int window, int order) {
    return savgolMatrix(window, order)[window / 2].clone();
  }

  /**
   * The hat matrix H = Q Qᵀ of a window: row i holds the weights that give the least-squares
   * polynomial of degree {@code min(order, window - 1)}, fitted to the window, at its i-th frame.
   * Q is the orthonormalised Vandermonde matrix of positions centred and scaled to [-1, 1]
   * (modified Gram–Schmidt), which keeps high orders well conditioned.
   */
  static double[][] savgolMatrix(int window, int order) {
    int m = window;
    int p = Math.min(order, m - 1) + 1;
    int half = m / 2;
    double[][] q = new double[p][m];
    for (int k = 0; k < p; k++) {
      for (int i = 0; i < m; i++) {
        double u = half == 0 ? 0 : (double) (i - half) / half;
        q[k][i] = Math.pow(u, k);
      }
      for (int pass = 0; pass < 2; pass++) { // twice is enough for orthogonality to rounding
        for (int j = 0; j < k; j++) {
          double dot = 0;
          for (int i = 0; i < m; i++) {
            dot += q[k][i] * q[j][i];
          }
          for (int i = 0; i < m; i++) {
            q[k][i] -= dot * q[j][i];
          }
        }
      }
      double norm = 0;
      for (int i = 0; i < m; i++) {
        norm += q[k][i] * q[k][i];
      }
      norm = Math.sqrt(norm);
      for (int i = 0; i < m; i++) {
        q[k][i] /= norm;
      }
    }
    double[][] h = new double[m][m];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < m; j++) {
        double s = 0;
        for (int k = 0; k < p; k++) {
          s += q[k][i] * q[k][j];
        }
        h[i][j] = s;
      }
    }
    return h;
  }

  private static int largestOdd(int n) {
    return n % 2 == 1 ? n : n - 1;
  }

  /**
   * Landmark jitter of a 68-point sequence: for each pair of consecutive frames, the mean over
   * the 68 points of the distance a point moved, divided by the interocular distance (outer eye
   * corners 36 and 45) averaged over the two frames; then the mean over all pairs. Unitless
   * (fraction of the interocular distance per frame). On a still face it is pure jitter; real
   * motion adds to it.
   *
   * @return NaN for fewer than two frames
   */
  public static double jitter(float[][] frames) {
    if (frames.length < 2) {
      return Double.NaN;
    }
    double total = 0;
    for (int f = 1; f < frames.length; f++) {
      total += jitterStep(frames[f - 1], frames[f], f);
    }
    return total / (frames.length - 1);
  }

  /**
   * One pair's term of {@link #jitter}: the mean distance the 68 points moved from {@code a} to
   * {@code b} over their mean interocular distance ({@code f}: b's frame, for the message).
   */
  public static double jitterStep(float[] a, float[] b, long f) {
    if (a.length != 136 || b.length != 136) {
      throw new IllegalArgumentException("jitter needs 68 points (136 values) per frame; frame "
          + (a.length != 136 ? f - 1 : f) + " has " + (a.length != 136 ? a.length : b.length));
    }
    double moved = 0;
    for (int i = 0; i < 68; i++) {
      moved += Math.hypot(b[2 * i] - a[2 * i], b[2 * i + 1] - a[2 * i + 1]);
    }
    double iod = (interocular(a) + interocular(b)) / 2;
    return moved / 68 / iod;
  }

  private static double interocular(float[] xy) {
    return Math.hypot(xy[90] - xy[72], xy[91] - xy[73]);
  }

  private static void positive(String name, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be finite and > 0, got " + v);
    }
  }
}
