package io.talkset.core.pairs;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Dynamic time warping of two feature sequences (frames × dims, at the video frame rate), with the
 * recursion, band and backtracking of {@code librosa.sequence.dtw} under its defaults, so that the
 * path and cost are the ones librosa gives on the same cost matrix:
 * <ul>
 *   <li>steps (1,1), (0,1), (1,0) with equal weights ({@code weights_add=0, weights_mul=1}):
 *       {@code D[i][j] = C[i][j] + min(D[i-1][j-1], D[i][j-1], D[i-1][j])}, {@code D[0][0] =
 *       C[0][0]}, no subsequence matching;</li>
 *   <li>ties: each candidate sum {@code D[prev] + C[i][j]} is formed in double as librosa does,
 *       and a later step replaces an earlier one only when strictly lower, so among equal sums
 *       the diagonal wins, then (0,1) (same reference frame, next other frame), then (1,0);</li>
 *   <li>the band: librosa's {@code global_constraints=True} with {@code band_rad}, i.e.
 *       {@code util.fill_off_diagonal}: radius {@code r = round_half_even(band_rad · min(N, M))}
 *       frames, keeping cells with {@code −r < j − i < r} and widening the side of the longer
 *       sequence by {@code |N − M|} (so for N ≤ M: {@code −r < j − i < r + M − N}). This is not a
 *       band slanted along the line between the corners: it is the equal-length band plus the
 *       length difference, so its area is about {@code N · (2r − 1 + |N − M|)}. {@code r = 1}
 *       keeps only the diagonal (and the length difference). It connects the two ends whenever
 *       {@code r ≥ 1} and the costs are finite; otherwise (librosa raises) the full matrix is
 *       used and {@link Result#fellBack()} says so.</li>
 * </ul>
 * Rows are reference frames, columns frames of the other clip. Costs are computed a few rows at a
 * time into small buffers (the cost matrix is never stored), the accumulated cost keeps two rows,
 * and the step choice is one byte per band cell, so time and memory are linear in length for a
 * fixed radius in frames. Not thread-safe (reuses buffers): one instance per task.
 */
public final class Dtw {
  private static final double INF = Double.POSITIVE_INFINITY;
  /**
   * Distances are computed for this many reference frames at a time, over blocks of this many
   * frames of the other clip, so that a block's features stay in cache across those rows rather
   * than the whole other clip streaming from memory for every reference frame (15% faster at
   * 4000 frames, no difference below 1000).
   */
  private static final int ROWS = 4;
  private static final int BLOCK = 1024;
  /** Steps as stored: 0 the diagonal, 1 (0,1) along the other clip, 2 (1,0). */
  private static final byte NEXT_OTHER = 1;
  private static final byte NEXT_REFERENCE = 2;

  /** The local distance between two frames, named as {@code scipy.spatial.distance.cdist}. */
  public enum Metric {
    /** Sum of absolute differences ({@code 'cityblock'}). */
    L1("cityblock"),
    /** Euclidean distance ({@code 'euclidean'}). */
    L2("euclidean"),
    /**
     * {@code 1 − u·v / (‖u‖ ‖v‖)}, the cosine clipped to [−1, 1] as scipy does ({@code 'cosine'});
     * a frame with zero norm is at distance 1 from everything (scipy gives NaN there).
     */
    COSINE("cosine");

    private final String scipy;

    Metric(String scipy) {
      this.scipy = scipy;
    }

    /** The name {@code scipy.spatial.distance.cdist} and {@code librosa.sequence.dtw} use. */
    public String scipyName() {
      return scipy;
    }
  }

  /** Per-utterance normalization of each feature dimension, applied to each clip separately. */
  public enum Normalization {
    NONE,
    /** Subtract the clip's mean of each dimension. */
    MEAN,
    /**
     * Subtract the mean and divide by the standard deviation (population, ddof 0) of each
     * dimension; a constant dimension is only centred.
     */
    MEAN_VARIANCE
  }

  /**
   * Which frame of the other clip a reference frame maps to when the path holds several (a run
   * of (0,1) steps): the path is monotone, so they are consecutive frames {@code first..last}.
   */
  public enum MapChoice {
    FIRST,
    /** The middle of the run, the lower one of two: {@code (first + last) / 2} rounded down. */
    MEDIAN,
    LAST
  }

  /**
   * A Sakoe–Chiba band: none ({@link #full()}), a radius in frames, or a fraction of the shorter
   * length as librosa's {@code band_rad}. Its shape is librosa's (see the class comment).
   */
  public record Band(int radius, double fraction) {
    public Band {
      if (radius < -1 || (radius >= 0 && !Double.isNaN(fraction))) {
        throw new IllegalArgumentException("band radius must be -1 (full or fraction) or >= 0"
            + " frames without a fraction, got radius " + radius + ", fraction " + fraction);
      }
      if (radius == -1 && !Double.isNaN(fraction) && !(fraction >= 0 && fraction < 1e6)) {
        throw new IllegalArgumentException("band fraction must be finite and >= 0, got "
            + fraction);
      }
    }

    /** No band: the full N × M matrix. */
    public static Band full() {
      return new Band(-1, Double.NaN);
    }

    /** A radius in frames: cells with {@code −r < j − i < r}, widened by {@code |N − M|}. */
    public static Band frames(int radius) {
      if (radius < 0) {
        throw new IllegalArgumentException("band radius in frames must be >= 0, got " + radius);
      }
      return new Band(radius, Double.NaN);
    }

    /** librosa's {@code band_rad}: radius {@code round_half_even(fraction · min(N, M))}. */
    public static Band fraction(double fraction) {
      return new Band(-1, fraction);
    }

    public boolean isFull() {
      return radius < 0 && Double.isNaN(fraction);
    }

    /** The radius in frames for these lengths, -1 for the full matrix. */
    public int radiusFor(int n, int m) {
      if (isFull()) {
        return -1;
      }
      if (radius >= 0) {
        return radius;
      }
      // np.round rounds halves to even, as Math.rint does.
      return (int) Math.rint(fraction * Math.min(n, m));
    }

    public String describe() {
      if (isFull()) {
        return "full";
      }
      return radius >= 0 ? "radius " + radius + " frames"
          : "radius round(" + fraction + " * min(N, M)) frames";
    }
  }

  /** Everything that changes a result; stored with the pairs. */
  public record Params(Metric metric, Normalization normalization, Band band, MapChoice map) {
    public Params {
      if (metric == null || normalization == null || band == null || map == null) {
        throw new IllegalArgumentException("DTW params must all be set, got metric " + metric
            + ", normalization " + normalization + ", band " + band + ", map " + map);
      }
    }

    /**
     * Euclidean on mean/variance-normalized features, band radius a quarter of the shorter clip
     * (librosa's {@code band_rad} default), the median frame of each run.
     */
    public static Params defaults() {
      return new Params(Metric.L2, Normalization.MEAN_VARIANCE, Band.fraction(0.25),
          MapChoice.MEDIAN);
    }

    public Params withMetric(Metric m) {
      return new Params(m, normalization, band, map);
    }

    public Params withNormalization(Normalization n) {
      return new Params(metric, n, band, map);
    }

    public Params withBand(Band b) {
      return new Params(metric, normalization, b, map);
    }

    public Params withMap(MapChoice c) {
      return new Params(metric, normalization, band, c);
    }

    /** The parameters as strings, to store with each pair. */
    public Map<String, String> describe() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("metric", metric.name().toLowerCase(Locale.ROOT) + " (scipy '" + metric.scipyName()
          + "')");
      m.put("normalization", normalization.name().toLowerCase(Locale.ROOT)
          + " per clip and dimension");
      m.put("steps", "(1,1),(0,1),(1,0), equal weights, ties: diagonal, (0,1), (1,0)"
          + " (librosa.sequence.dtw defaults)");
      m.put("band", band.describe() + ", librosa fill_off_diagonal shape, full matrix when it"
          + " cannot connect the ends");
      m.put("normalized_cost", "cost / path length");
      m.put("reference_map", map.name().toLowerCase(Locale.ROOT)
          + " other frame per reference frame");
      return m;
    }
  }

  /**
   * One alignment.
   *
   * @param reference the path's reference frames, from (0, 0) to (N−1, M−1)
   * @param other the path's frames of the other clip, same length
   * @param cost the accumulated cost at the end ({@code D[N−1][M−1]} in librosa)
   * @param normalizedCost {@code cost / path length}: the mean local distance along the path
   * @param bandRadius the band radius in frames asked for, -1 for the full matrix
   * @param fellBack the band could not connect the ends, so the full matrix was used
   * @param referenceMap for each reference frame, the frame of the other clip ({@link MapChoice})
   * @param cells matrix cells evaluated, band and fallback included
   */
  public record Result(int[] reference, int[] other, double cost, double normalizedCost,
      int bandRadius, boolean fellBack, int[] referenceMap, long cells) {
    public int length() {
      return reference.length;
    }
  }

  private final Params params;
  private double[] x = new double[0];
  private double[][] yDims = new double[0][];
  private double[] yNorm = new double[0];
  private double[][] rowCosts = new double[0][];
  private double[] prev = new double[0];
  private double[] cur = new double[0];
  private byte[] steps = new byte[0];
  private int[] rowLo = new int[0];
  private int[] rowStart = new int[0];
  private int[] pathI = new int[0];
  private int[] pathJ = new int[0];

  public Dtw(Params params) {
    if (params == null) {
      throw new IllegalArgumentException("DTW params must not be null");
    }
    this.params = params;
  }

  public Params params() {
    return params;
  }

  /**
   * Aligns {@code other} onto {@code reference} ([frames][dims] each, same dims), normalizing
   * and measuring distances as the params say.
   */
  public Result align(float[][] reference, float[][] other) {
    int n = checkFrames("reference", reference);
    int m = checkFrames("other", other);
    int d = reference[0].length;
    if (other[0].length != d) {
      throw new IllegalArgumentException("reference has " + d + " dims per frame but other has "
          + other[0].length);
    }
    x = flatten("reference", reference, n, d, x);
    double[] yFlat = flatten("other", other, m, d, null);
    normalize(x, n, d, params.normalization());
    normalize(yFlat, m, d, params.normalization());
    // The other clip as one array per dimension, so that one reference frame's distances to a
    // run of other frames are loops where every array is indexed by the same j: the only form
    // Java 17's JIT vectorizes (an offset such as y[k * m + j] keeps it scalar, 3× slower).
    if (yDims.length < d) {
      yDims = new double[d][];
    }
    for (int k = 0; k < d; k++) {
      yDims[k] = grow(yDims[k] == null ? new double[0] : yDims[k], m);
      for (int j = 0; j < m; j++) {
        yDims[k][j] = yFlat[j * d + k];
      }
    }
    if (params.metric() == Metric.COSINE) {
      yNorm = grow(yNorm, m);
      for (int j = 0; j < m; j++) {
        yNorm[j] = norm(yFlat, j * d, d);
      }
    }
    if (rowCosts.length < ROWS) {
      rowCosts = new double[ROWS][];
    }
    for (int k = 0; k < ROWS; k++) {
      rowCosts[k] = grow(rowCosts[k] == null ? new double[0] : rowCosts[k], m);
    }
    return solve(null, n, m, d, null);
  }

  /**
   * Aligns on a precomputed cost matrix ({@code n × m}, row-major, rows = reference frames), as
   * {@code librosa.sequence.dtw(C=...)}. Infinite costs are allowed (cells no path may use);
   * NaN is rejected where the band reaches it (librosa rejects it anywhere; scanning the
   * whole matrix first costs 15% more time).
   */
  public Result alignCost(double[] cost, int n, int m) {
    checkCost(cost, n, m);
    return solve(cost, n, m, 0, null);
  }

  /**
   * The accumulated cost matrix {@code D} (row-major, +∞ outside the band) as librosa returns it,
   * for checking against librosa; the result is unchanged by it.
   */
  Result alignCost(double[] cost, int n, int m, double[] accumulated) {
    checkCost(cost, n, m);
    return solve(cost, n, m, 0, accumulated);
  }

  /** For each reference frame 0..n−1, the frame of the other clip the path maps it to. */
  public static int[] referenceMap(int[] reference, int[] other, int n, MapChoice choice) {
    int[] first = new int[n];
    int[] last = new int[n];
    Arrays.fill(first, -1);
    for (int k = 0; k < reference.length; k++) {
      int i = reference[k];
      if (first[i] < 0) {
        first[i] = other[k];
      }
      last[i] = other[k];
    }
    int[] map = new int[n];
    for (int i = 0; i < n; i++) {
      if (first[i] < 0) {
        throw new IllegalArgumentException("the path skips reference frame " + i);
      }
      map[i] = switch (choice) {
        case FIRST -> first[i];
        case LAST -> last[i];
        case MEDIAN -> (first[i] + last[i]) >>> 1;
      };
    }
    return map;
  }

  private Result solve(double[] matrix, int n, int m, int d, double[] accumulated) {
    int r = params.band().radiusFor(n, m);
    long cells = 0;
    if (r >= 0) {
      long banded = accumulate(matrix, n, m, d, r, accumulated);
      cells += Math.abs(banded);
      if (banded > 0) {
        return backtrack(n, m, r, false, cells);
      }
    }
    long full = accumulate(matrix, n, m, d, -1, accumulated);
    cells += Math.abs(full);
    if (full < 0) {
      throw new IllegalArgumentException("no path of finite cost from (0, 0) to (" + (n - 1)
          + ", " + (m - 1) + "): the cost matrix has infinite costs across it");
    }
    return backtrack(n, m, r, r >= 0, cells);
  }

  /** First column of row i in the band of radius r (-1: full). */
  private static int lo(int i, int n, int m, int r) {
    if (r < 0) {
      return 0;
    }
    int below = r - 1 + (n > m ? n - m : 0);
    return Math.max(0, i - below);
  }

  /** Last column of row i in the band of radius r (-1: full). */
  private static int hi(int i, int n, int m, int r) {
    if (r < 0) {
      return m - 1;
    }
    int above = r - 1 + (n < m ? m - n : 0);
    return (int) Math.min(m - 1L, (long) i + above);
  }

  /**
   * Fills the step choices for the band of radius r (-1: full). Returns the number of cells,
   * negative when the end is unreachable.
   */
  private long accumulate(double[] matrix, int n, int m, int d, int r, double[] accumulated) {
    rowLo = grow(rowLo, n);
    rowStart = grow(rowStart, n + 1);
    long total = 0;
    for (int i = 0; i < n; i++) {
      int lo = lo(i, n, m, r);
      int hi = hi(i, n, m, r);
      rowLo[i] = lo;
      rowStart[i] = (int) total;
      total += Math.max(0, hi - lo + 1);
      if (total > Integer.MAX_VALUE - 16) {
        throw new IllegalArgumentException("DTW of " + n + " x " + m + " frames needs " + total
            + "+ cells, more than one array holds; use a band");
      }
    }
    rowStart[n] = (int) total;
    if (r == 0) {
      // librosa's band of radius 0 excludes (0, 0) itself.
      return -total;
    }
    steps = grow(steps, (int) total);
    prev = grow(prev, m + 1);
    cur = grow(cur, m + 1);
    // Index j + 1 holds column j; index 0 is column -1, always +inf except before row 0, where
    // D = 0 there makes the diagonal step give D[0][0] = C[0][0] exactly as librosa sets it.
    Arrays.fill(prev, 0, m + 1, INF);
    Arrays.fill(cur, 0, m + 1, INF);
    prev[0] = 0;
    if (accumulated != null) {
      Arrays.fill(accumulated, 0, n * m, INF);
    }
    for (int i = 0; i < n; i++) {
      int lo = rowLo[i];
      int hi = hi(i, n, m, r);
      double[] c;
      int cOff;
      if (matrix != null) {
        c = matrix;
        cOff = i * m;
      } else {
        if (i % ROWS == 0) {
          distanceRows(i, Math.min(n, i + ROWS), n, m, d, r);
        }
        c = rowCosts[i % ROWS];
        cOff = 0;
      }
      row(c, cOff, prev, cur, steps, rowStart[i] - lo, lo, hi);
      if (accumulated != null) {
        System.arraycopy(cur, lo + 1, accumulated, i * m + lo, hi - lo + 1);
      }
      if (i == 0) {
        prev[0] = INF;
      }
      // What the next row reads outside this row's band must be +inf: column lo − 1 and the
      // columns past hi up to the next row's end (cur still holds row i − 2 there).
      cur[lo] = INF;
      int nextHi = i + 1 < n ? hi(i + 1, n, m, r) : hi;
      for (int j = hi + 2; j <= nextHi + 1; j++) {
        cur[j] = INF;
      }
      double[] t = prev;
      prev = cur;
      cur = t;
    }
    if (Double.isNaN(prev[m])) {
      // A NaN cost makes every later cell NaN, the end included.
      throw nanAt(matrix, n, m);
    }
    boolean reached = prev[m] < INF;
    return reached ? total : -total;
  }

  /**
   * One row of the recursion over columns lo..hi. {@code up} is the previous row, {@code out}
   * this one (index j + 1 = column j); {@code stepAt + j} is where column j's step goes.
   *
   * <p>librosa takes the diagonal, then (0,1), then (1,0), a later one only when strictly lower.
   * The choice is made without branches (random data makes them unpredictable, 4× slower): the
   * sign bit of {@code a − b} is {@code a < b} for values that are not NaN (an exact difference
   * rounds to zero only when a == b). Comparing +∞ with +∞ gives NaN, whose sign is arbitrary:
   * that only happens where every candidate is +∞ or where a finite one wins regardless, and
   * such a cell's step is never followed.
   */
  private static void row(double[] c, int cOff, double[] up, double[] out, byte[] steps,
      int stepAt, int lo, int hi) {
    double left = INF;
    for (int j = lo; j <= hi; j++) {
      double cost = c[cOff + j];
      double diagonal = up[j] + cost;
      double nextReference = up[j + 1] + cost;
      // The vertical step beats the diagonal only when strictly lower.
      int vertical = (int) (Double.doubleToRawLongBits(nextReference - diagonal) >>> 63);
      double upper = Math.min(diagonal, nextReference);
      double nextOther = left + cost;
      long diff = Double.doubleToRawLongBits(nextOther - upper);
      int equal = (int) (((diff | -diff) >>> 63) ^ 1);
      // (0,1) beats the diagonal only when lower, but comes before (1,0) on a tie.
      int horizontal = (int) (diff >>> 63) | (vertical & equal);
      steps[stepAt + j] = (byte) (horizontal | ((vertical & ~horizontal) << 1));
      left = Math.min(upper, nextOther);
      out[j + 1] = left;
    }
  }

  /**
   * Distances from reference frames i0..i1−1 to the other frames of their band, into
   * rowCosts[i − i0], block of other frames by block.
   */
  private void distanceRows(int i0, int i1, int n, int m, int d, int r) {
    int from = lo(i0, n, m, r);
    int to = hi(i1 - 1, n, m, r);
    for (int b0 = from; b0 <= to; b0 += BLOCK) {
      int b1 = Math.min(to, b0 + BLOCK - 1);
      for (int i = i0; i < i1; i++) {
        int lo = Math.max(b0, lo(i, n, m, r));
        int hi = Math.min(b1, hi(i, n, m, r));
        if (lo <= hi) {
          distances(i, rowCosts[i - i0], d, lo, hi);
        }
      }
    }
  }

  /** Distances from reference frame i to other frames lo..hi, into acc[lo..hi]. */
  private void distances(int i, double[] acc, int d, int lo, int hi) {
    int xi = i * d;
    switch (params.metric()) {
      case L1 -> {
        double x0 = x[xi];
        double[] y0 = yDims[0];
        for (int j = lo; j <= hi; j++) {
          acc[j] = Math.abs(x0 - y0[j]);
        }
        for (int k = 1; k < d; k++) {
          double xk = x[xi + k];
          double[] yk = yDims[k];
          for (int j = lo; j <= hi; j++) {
            acc[j] += Math.abs(xk - yk[j]);
          }
        }
      }
      case L2 -> {
        double x0 = x[xi];
        double[] y0 = yDims[0];
        for (int j = lo; j <= hi; j++) {
          double t = x0 - y0[j];
          acc[j] = t * t;
        }
        for (int k = 1; k < d; k++) {
          double xk = x[xi + k];
          double[] yk = yDims[k];
          for (int j = lo; j <= hi; j++) {
            double t = xk - yk[j];
            acc[j] += t * t;
          }
        }
        for (int j = lo; j <= hi; j++) {
          acc[j] = Math.sqrt(acc[j]);
        }
      }
      case COSINE -> {
        double x0 = x[xi];
        double[] y0 = yDims[0];
        for (int j = lo; j <= hi; j++) {
          acc[j] = x0 * y0[j];
        }
        for (int k = 1; k < d; k++) {
          double xk = x[xi + k];
          double[] yk = yDims[k];
          for (int j = lo; j <= hi; j++) {
            acc[j] += xk * yk[j];
          }
        }
        double nx = norm(x, xi, d);
        for (int j = lo; j <= hi; j++) {
          double denominator = nx * yNorm[j];
          if (denominator == 0) {
            acc[j] = 1;
            continue;
          }
          double cos = acc[j] / denominator;
          // scipy clips rounding beyond ±1.
          acc[j] = 1 - (Math.abs(cos) > 1 ? Math.copySign(1, cos) : cos);
        }
      }
      default -> throw new IllegalStateException(params.metric().name());
    }
  }

  private static IllegalArgumentException nanAt(double[] matrix, int n, int m) {
    for (int k = 0; matrix != null && k < n * m; k++) {
      if (Double.isNaN(matrix[k])) {
        return new IllegalArgumentException("cost matrix has NaN at (" + k / m + ", " + k % m
            + ")");
      }
    }
    return new IllegalArgumentException("a distance is NaN (features too large?)");
  }

  private Result backtrack(int n, int m, int r, boolean fellBack, long cells) {
    double cost = prev[m];
    int cap = n + m;
    pathI = grow(pathI, cap);
    pathJ = grow(pathJ, cap);
    int i = n - 1;
    int j = m - 1;
    int len = 0;
    pathI[len] = i;
    pathJ[len] = j;
    len++;
    while (i != 0 || j != 0) {
      byte s = steps[rowStart[i] + j - rowLo[i]];
      if (s != NEXT_OTHER) {
        i--;
      }
      if (s != NEXT_REFERENCE) {
        j--;
      }
      pathI[len] = i;
      pathJ[len] = j;
      len++;
    }
    int[] ref = new int[len];
    int[] oth = new int[len];
    for (int k = 0; k < len; k++) {
      ref[k] = pathI[len - 1 - k];
      oth[k] = pathJ[len - 1 - k];
    }
    int[] map = referenceMap(ref, oth, n, params.map());
    return new Result(ref, oth, cost, cost / len, r, fellBack, map, cells);
  }

  private static int checkFrames(String what, float[][] f) {
    if (f == null || f.length == 0) {
      throw new IllegalArgumentException(what + " has no frames");
    }
    if (f[0] == null || f[0].length == 0) {
      throw new IllegalArgumentException(what + " frame 0 has no dims");
    }
    return f.length;
  }

  private static void checkCost(double[] cost, int n, int m) {
    if (n <= 0 || m <= 0) {
      throw new IllegalArgumentException("cost matrix must be at least 1 x 1, got " + n + " x "
          + m);
    }
    if (cost == null || cost.length < (long) n * m) {
      throw new IllegalArgumentException("cost matrix of " + n + " x " + m + " needs " + (long) n
          * m + " values, got " + (cost == null ? "null" : cost.length));
    }
  }

  private static double[] flatten(String what, float[][] f, int n, int d, double[] into) {
    double[] out = into == null ? new double[n * d] : grow(into, n * d);
    for (int i = 0; i < n; i++) {
      if (f[i] == null || f[i].length != d) {
        throw new IllegalArgumentException(what + " frame " + i + " has "
            + (f[i] == null ? "no" : f[i].length) + " dims, frame 0 has " + d);
      }
      for (int k = 0; k < d; k++) {
        float v = f[i][k];
        if (!Float.isFinite(v)) {
          throw new IllegalArgumentException(what + " frame " + i + " dim " + k + " is " + v);
        }
        out[i * d + k] = v;
      }
    }
    return out;
  }

  private static void normalize(double[] f, int n, int d, Normalization how) {
    if (how == Normalization.NONE) {
      return;
    }
    for (int k = 0; k < d; k++) {
      double mean = 0;
      for (int i = 0; i < n; i++) {
        mean += f[i * d + k];
      }
      mean /= n;
      double var = 0;
      for (int i = 0; i < n; i++) {
        double t = f[i * d + k] - mean;
        var += t * t;
      }
      double sd = Math.sqrt(var / n);
      boolean scale = how == Normalization.MEAN_VARIANCE && sd > 0;
      for (int i = 0; i < n; i++) {
        double t = f[i * d + k] - mean;
        f[i * d + k] = scale ? t / sd : t;
      }
    }
  }

  private static double norm(double[] f, int off, int d) {
    double s = 0;
    for (int k = 0; k < d; k++) {
      s += f[off + k] * f[off + k];
    }
    return Math.sqrt(s);
  }

  private static double[] grow(double[] a, int n) {
    return a.length >= n ? a : new double[n];
  }

  private static int[] grow(int[] a, int n) {
    return a.length >= n ? a : new int[n];
  }

  private static byte[] grow(byte[] a, int n) {
    return a.length >= n ? a : new byte[n];
  }
}
