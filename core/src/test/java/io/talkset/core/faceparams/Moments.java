package io.talkset.core.faceparams;

/**
 * First and second moments of d-dimensional rows, accumulated row by row and merged across
 * partitions: the sufficient statistics of a PCA (count, sum, and the upper triangle of the sum
 * of outer products). Rows are taken relative to a fixed {@code shift} (a good guess of their
 * mean, such as the Procrustes mean shape), so the covariance {@code S/n - m mᵀ} subtracts two
 * small numbers rather than two large ones and keeps its precision.
 *
 * <p>The tests' single-machine PCA input (with {@link SymmetricEigen}); the job's covariance is
 * Spark ML's. Mutable; merged with {@link #merge}.
 */
final class Moments {
  private final double[] shift;
  private final int d;
  private long n;
  private final double[] sum;
  /** Row-major d×d; only entries with column ≥ row are filled until {@link #covariance}. */
  private final double[] outer;

  Moments(double[] shift) {
    this.shift = shift.clone();
    this.d = shift.length;
    this.sum = new double[d];
    this.outer = new double[d * d];
  }

  int dimension() {
    return d;
  }

  long count() {
    return n;
  }

  /** Adds one row (length d). Returns this, for use as a Spark sequence operation. */
  Moments add(double[] row) {
    if (row.length != d) {
      throw new IllegalArgumentException("row of " + row.length + " values, expected " + d);
    }
    double[] x = new double[d];
    for (int i = 0; i < d; i++) {
      x[i] = row[i] - shift[i];
      sum[i] += x[i];
    }
    for (int i = 0; i < d; i++) {
      double xi = x[i];
      if (xi == 0) {
        continue;
      }
      int base = i * d;
      for (int j = i; j < d; j++) {
        outer[base + j] += xi * x[j];
      }
    }
    n++;
    return this;
  }

  /** Adds another task's moments (same shift). Returns this. */
  Moments merge(Moments o) {
    if (o.d != d) {
      throw new IllegalArgumentException("dimension " + o.d + " vs " + d);
    }
    for (int i = 0; i < d; i++) {
      sum[i] += o.sum[i];
    }
    for (int k = 0; k < outer.length; k++) {
      outer[k] += o.outer[k];
    }
    n += o.n;
    return this;
  }

  /** The mean row, in the rows' own coordinates (shift added back). */
  double[] mean() {
    double[] m = new double[d];
    for (int i = 0; i < d; i++) {
      m[i] = shift[i] + sum[i] / n;
    }
    return m;
  }

  /**
   * The population covariance (divided by n, like numpy's SVD of the centred matrix squared
   * over n), row-major d×d, symmetric.
   */
  double[][] covariance() {
    if (n == 0) {
      throw new IllegalStateException("no rows");
    }
    double[] m = new double[d];
    for (int i = 0; i < d; i++) {
      m[i] = sum[i] / n;
    }
    double[][] c = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) {
        double v = outer[i * d + j] / n - m[i] * m[j];
        c[i][j] = v;
        c[j][i] = v;
      }
    }
    return c;
  }
}
