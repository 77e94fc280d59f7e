package io.talkset.core.faceparams;

import java.util.Arrays;

/**
 * Groups face segments by identity incrementally, against the groups earlier runs made, so a
 * group id once given never changes and a dataset processed in several runs is grouped as one
 * run would group it.
 *
 * <p>Each group is its centroid: the running mean of its members' descriptors (the sum and the
 * count are kept, so a later run rebuilds the same centroid, to rounding, from the committed
 * members: {@link #seed}). A new descriptor joins the group with the nearest centroid when that
 * centroid is closer than the threshold, and the centroid moves to the new mean; otherwise it
 * founds a new group numbered one more than the greatest id so far. Nothing already assigned is
 * ever renumbered or moved, so ids are stable across runs.
 *
 * <p>Why this and not the agglomerative clustering it replaces: average linkage needs every
 * pairwise distance (n² memory, n³ time) and sees only one batch, so it neither finishes on tens
 * of thousands of segments nor agrees between runs. Here memory is one centroid per group
 * (128 floats and a double sum) whatever the number of segments, and time is one distance per
 * (new segment, group). When groups are separated (each member nearer its own centroid than the
 * threshold, other centroids farther), the result does not depend on how segments are split into
 * runs; a descriptor near the threshold between two groups can land differently depending on
 * what came before it, as in any incremental scheme that never renumbers. Callers feed new
 * descriptors in a fixed order (clip id, then segment) so the same input gives the same groups.
 *
 * <p>Distance to a centroid is at most the average distance to the members (the norm is convex),
 * so for the same threshold this groups a little more readily than average linkage did.
 *
 * <p>Not thread-safe.
 */
public final class IdentityGroups {
  private final int dims;
  private final double threshold;
  private int size;
  private int[] ids = new int[16];
  private long[] counts = new long[16];
  private double[] sums;
  private float[] centroids;
  private double[] norms = new double[16];
  private final java.util.Map<Integer, Integer> index = new java.util.HashMap<>();
  private int nextId;

  /**
   * @param dims descriptor length (face-api: 128)
   * @param threshold Euclidean distance to a centroid under which a descriptor joins its group
   */
  public IdentityGroups(int dims, double threshold) {
    if (dims <= 0) {
      throw new IllegalArgumentException("dims must be positive: " + dims);
    }
    if (!(threshold > 0) || Double.isInfinite(threshold)) {
      throw new IllegalArgumentException("threshold must be a positive distance: " + threshold);
    }
    this.dims = dims;
    this.threshold = threshold;
    sums = new double[16 * dims];
    centroids = new float[16 * dims];
  }

  /**
   * Adds a group an earlier run made: its id and the sum and number of its members'
   * descriptors. Seeding the same group twice adds the members together.
   */
  public void seed(int id, double[] sum, long count) {
    if (id < 0) {
      throw new IllegalArgumentException("group ids are not negative: " + id);
    }
    if (sum.length != dims || count <= 0) {
      throw new IllegalArgumentException("group " + id + ": a sum of " + dims
          + " values and a positive count expected, got " + sum.length + " values and count "
          + count);
    }
    int g = indexOf(id);
    if (g < 0) {
      g = add(id);
    }
    counts[g] += count;
    for (int k = 0; k < dims; k++) {
      sums[g * dims + k] += sum[k];
    }
    refresh(g);
    nextId = Math.max(nextId, id + 1);
  }

  /**
   * The group of a new descriptor: the nearest centroid's, when nearer than the threshold (the
   * centroid then moves to include it), else a new group's. Null descriptors have no group.
   */
  public Integer assign(float[] d) {
    if (d == null) {
      return null;
    }
    if (d.length != dims) {
      throw new IllegalArgumentException("a descriptor of " + dims + " values expected, got "
          + d.length);
    }
    double dd = 0;
    for (float v : d) {
      dd += v * (double) v;
    }
    int best = -1;
    double bestSq = threshold * threshold;
    for (int g = 0; g < size; g++) {
      // |d - c|² = |d|² + |c|² - 2 d·c: one dot product per group.
      int o = g * dims;
      double dot = 0;
      for (int k = 0; k < dims; k++) {
        dot += d[k] * centroids[o + k];
      }
      double sq = dd + norms[g] - 2 * dot;
      if (sq < bestSq) {
        bestSq = sq;
        best = g;
      }
    }
    if (best >= 0) {
      // Confirm with the direct formula: the expansion loses digits when both norms are large.
      double direct = 0;
      for (int k = 0; k < dims; k++) {
        double x = d[k] - centroids[best * dims + k];
        direct += x * x;
      }
      if (direct >= threshold * threshold) {
        best = -1;
      }
    }
    if (best < 0) {
      best = add(nextId++);
    }
    counts[best]++;
    for (int k = 0; k < dims; k++) {
      sums[best * dims + k] += d[k];
    }
    refresh(best);
    return ids[best];
  }

  /** How many groups there are (seeded and new). */
  public int groups() {
    return size;
  }

  /** The id the next new group gets. */
  public int nextId() {
    return nextId;
  }

  /** A group's current centroid, or null when there is no such group. */
  public float[] centroid(int id) {
    int g = indexOf(id);
    return g < 0 ? null : Arrays.copyOfRange(centroids, g * dims, (g + 1) * dims);
  }

  /** A group's member count, or 0 when there is no such group. */
  public long members(int id) {
    int g = indexOf(id);
    return g < 0 ? 0 : counts[g];
  }

  private int indexOf(int id) {
    Integer g = index.get(id);
    return g == null ? -1 : g;
  }

  private int add(int id) {
    if (size == ids.length) {
      int n = size * 2;
      ids = Arrays.copyOf(ids, n);
      counts = Arrays.copyOf(counts, n);
      norms = Arrays.copyOf(norms, n);
      sums = Arrays.copyOf(sums, n * dims);
      centroids = Arrays.copyOf(centroids, n * dims);
    }
    ids[size] = id;
    index.put(id, size);
    return size++;
  }

  private void refresh(int g) {
    int o = g * dims;
    double n = 0;
    for (int k = 0; k < dims; k++) {
      float c = (float) (sums[o + k] / counts[g]);
      centroids[o + k] = c;
      n += c * (double) c;
    }
    norms[g] = n;
  }
}
