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
 * time into small buffers (the cost matrix is never stored); the accumulated cost of every band
 * cell is kept (8 bytes; librosa keeps 20 for every cell of the matrix) and the steps are decided
 * while backtracking, so time and memory are linear in length for a fixed radius in frames. Not
 * thread-safe (reuses buffers): one instance per task.
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
  private double[] band = new double[0];
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
        return backtrack(matrix, n, m, d, r, false, cells);
      }
    }
    long full = accumulate(matrix, n, m, d, -1, accumulated);
    cells += Math.abs(full);
    if (full < 0) {
      throw new IllegalArgumentException("no path of finite cost from (0, 0) to (" + (n - 1)
          + ", " + (m - 1) + "): the cost matrix has infinite costs across it");
    }
    return backtrack(matrix, n, m, d, r, r >= 0, cells);
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
   * Fills the accumulated cost D over the band of radius r (-1: full). Returns the number of
   * cells, negative when the end is unreachable.
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
    band = grow(band, (int) total);
    double[] dd = band;
    // Row 0: librosa sets D[0][0] = C[0][0]; along the row only the (0,1) step exists.
    double[] c0 = cost(matrix, 0, n, m, d, r);
    double left = c0[0];
    dd[0] = left;
    for (int j = 1; j <= hi(0, n, m, r); j++) {
      left += c0[j];
      dd[j] = left;
    }
    int i = 1;
    while (i < n) {
      // Two rows at once where the band edges move by at most a column and, from features,
      // both rows' distances are in the same group.
      if (i + 1 < n && rowLo[i + 1] - rowLo[i] <= 1 && hi(i + 1, n, m, r) - hi(i, n, m, r) <= 1
          && (matrix != null || (i + 1) % ROWS != 0)) {
        rowPair(matrix, i, n, m, d, r);
        i += 2;
      } else {
        rowAlone(cost(matrix, i, n, m, d, r), costOff(matrix, i, m), i, n, m, r);
        i++;
      }
    }
    double end = dd[(int) total - 1];
    if (Double.isNaN(end)) {
      // A NaN cost makes every later cell NaN, the end included.
      throw nanAt(matrix, n, m);
    }
    if (accumulated != null) {
      Arrays.fill(accumulated, 0, n * m, INF);
      for (int k = 0; k < n; k++) {
        System.arraycopy(dd, rowStart[k], accumulated, k * m + rowLo[k],
            rowStart[k + 1] - rowStart[k]);
      }
    }
    return end < INF ? total : -total;
  }

  /**
   * Makes row i's costs available (features: computes them for its group of rows when i starts
   * one) and returns the array holding them.
   */
  private double[] cost(double[] matrix, int i, int n, int m, int d, int r) {
    if (matrix != null) {
      return matrix;
    }
    if (i % ROWS == 0) {
      distanceRows(i, Math.min(n, i + ROWS), n, m, d, r);
    }
    return rowCosts[i % ROWS];
  }

  private static int costOff(double[] matrix, int i, int m) {
    return matrix != null ? i * m : 0;
  }

  /** D of row i at column j, +inf outside its band. */
  private double at(int i, int j) {
    int lo = rowLo[i];
    int k = j - lo;
    return k < 0 || k >= rowStart[i + 1] - rowStart[i] ? INF : band[rowStart[i] + k];
  }

  /**
   * Row i alone (i ≥ 1), from row i − 1: {@code D = min(D[i−1][j−1], D[i−1][j]) + C} against
   * {@code D[i][j−1] + C}. Rounding is monotonic, so min(a, b) + c is exactly the smaller of
   * a + c and b + c: these are librosa's values, bit for bit.
   */
  private void rowAlone(double[] c, int cOff, int i, int n, int m, int r) {
    double[] dd = band;
    int lo = rowLo[i];
    int hi = hi(i, n, m, r);
    int out = rowStart[i] - lo;
    int upLo = rowLo[i - 1];
    int upHi = hi(i - 1, n, m, r);
    int up = rowStart[i - 1] - upLo;
    double left = INF;
    // Columns whose upper neighbours are both inside row i − 1's band, read directly.
    int from = Math.max(lo, upLo + 1);
    int to = Math.min(hi, upHi);
    for (int j = lo; j < Math.min(from, hi + 1); j++) {
      double cost = c[cOff + j];
      left = Math.min(Math.min(at(i - 1, j - 1), at(i - 1, j)) + cost, left + cost);
      dd[out + j] = left;
    }
    for (int j = from; j <= to; j++) {
      double cost = c[cOff + j];
      left = Math.min(Math.min(dd[up + j - 1], dd[up + j]) + cost, left + cost);
      dd[out + j] = left;
    }
    for (int j = Math.max(from, to + 1); j <= hi; j++) {
      double cost = c[cOff + j];
      left = Math.min(Math.min(at(i - 1, j - 1), at(i - 1, j)) + cost, left + cost);
      dd[out + j] = left;
    }
  }

  /**
   * Rows i and i + 1 together, row i + 1 one column behind: the two running minima are
   * independent chains, which the processor overlaps (each alone waits on the add and min
   * before it; 1.5× faster). Needs each band edge to move by at most one column per row, as
   * librosa's band and the full matrix do.
   */
  private void rowPair(double[] matrix, int i, int n, int m, int d, int r) {
    double[] dd = band;
    double[] c0 = cost(matrix, i, n, m, d, r);
    double[] c1 = cost(matrix, i + 1, n, m, d, r);
    int k0 = costOff(matrix, i, m);
    int k1 = costOff(matrix, i + 1, m);
    int a0 = rowLo[i];
    int b0 = hi(i, n, m, r);
    int a1 = rowLo[i + 1];
    int b1 = hi(i + 1, n, m, r);
    int upHi = hi(i - 1, n, m, r);
    int up = rowStart[i - 1] - rowLo[i - 1];
    int out0 = rowStart[i] - a0;
    int out1 = rowStart[i + 1] - a1;
    // Row i up to column a1, where row i + 1 starts.
    double l0 = INF;
    int firstMain = a1 + 1;
    for (int j = a0; j <= Math.min(a1, b0); j++) {
      double cost = c0[k0 + j];
      l0 = Math.min(Math.min(at(i - 1, j - 1), at(i - 1, j)) + cost, l0 + cost);
      dd[out0 + j] = l0;
    }
    double p0 = a1 - 1 >= a0 ? dd[out0 + a1 - 1] : INF;
    double l1 = INF;
    // Column t of row i and t − 1 of row i + 1, while row i's upper neighbours are in band.
    int end = Math.min(b0, upHi);
    for (int t = firstMain; t <= end; t++) {
      double cost1 = c1[k1 + t - 1];
      l1 = Math.min(Math.min(p0, l0) + cost1, l1 + cost1);
      dd[out1 + t - 1] = l1;
      double cost0 = c0[k0 + t];
      p0 = l0;
      l0 = Math.min(Math.min(dd[up + t - 1], dd[up + t]) + cost0, l0 + cost0);
      dd[out0 + t] = l0;
    }
    // The rest of row i, then the rest of row i + 1 (its upper neighbours from the stored row).
    for (int j = Math.max(firstMain, end + 1); j <= b0; j++) {
      double cost = c0[k0 + j];
      l0 = Math.min(Math.min(at(i - 1, j - 1), at(i - 1, j)) + cost, l0 + cost);
      dd[out0 + j] = l0;
    }
    int next = end >= firstMain ? end : a1;
    if (end < firstMain) {
      l1 = INF;
    }
    for (int j = next; j <= b1; j++) {
      double cost = c1[k1 + j];
      l1 = Math.min(Math.min(at(i, j - 1), at(i, j)) + cost, l1 + cost);
      dd[out1 + j] = l1;
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

  /**
   * One distance, with the operations of {@link #distances} in the same order (Java never fuses
   * or reorders them), so the same bits.
   */
  private double distance(int i, int j, int d) {
    int xi = i * d;
    double acc = 0;
    switch (params.metric()) {
      case L1 -> {
        acc = Math.abs(x[xi] - yDims[0][j]);
        for (int k = 1; k < d; k++) {
          acc += Math.abs(x[xi + k] - yDims[k][j]);
        }
      }
      case L2 -> {
        double t = x[xi] - yDims[0][j];
        acc = t * t;
        for (int k = 1; k < d; k++) {
          t = x[xi + k] - yDims[k][j];
          acc += t * t;
        }
        acc = Math.sqrt(acc);
      }
      case COSINE -> {
        acc = x[xi] * yDims[0][j];
        for (int k = 1; k < d; k++) {
          acc += x[xi + k] * yDims[k][j];
        }
        double denominator = norm(x, xi, d) * yNorm[j];
        if (denominator == 0) {
          return 1;
        }
        double cos = acc / denominator;
        acc = 1 - (Math.abs(cos) > 1 ? Math.copySign(1, cos) : cos);
      }
      default -> throw new IllegalStateException(params.metric().name());
    }
    return acc;
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

  /**
   * The path from (N−1, M−1) back to (0, 0). Each cell's step is decided here, from the stored
   * D and the cell's cost, exactly as librosa decides it while filling D: the three sums
   * D[prev] + C in the order diagonal, (0,1), (1,0), a later one taken only when strictly lower.
   * The same sums in the same arithmetic give the same choice, ties included.
   */
  private Result backtrack(double[] matrix, int n, int m, int d, int r, boolean fellBack,
      long cells) {
    double cost = band[rowStart[n] - 1];
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
      double c;
      if (matrix != null) {
        c = matrix[i * m + j];
      } else {
        c = distance(i, j, d);
      }
      double best = i > 0 && j > 0 ? at(i - 1, j - 1) + c : INF;
      int step = 0;
      double h = j > 0 ? at(i, j - 1) + c : INF;
      if (h < best) {
        best = h;
        step = 1;
      }
      double v = i > 0 ? at(i - 1, j) + c : INF;
      if (v < best) {
        step = 2;
      }
      if (step != 1) {
        i--;
      }
      if (step != 2) {
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
