package io.talkset.jobs.morphable;

import io.talkset.core.faceparams.Pca;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.linalg.distributed.RowMatrix;
import org.apache.spark.mllib.stat.MultivariateStatisticalSummary;
import scala.Tuple2;

/**
 * PCA of a distributed matrix's rows with Spark ML: {@link RowMatrix}'s covariance is summed on
 * executors (each row centred on the column means, rank-one updates of the packed upper
 * triangle, merged in a tree) and only its d×d decomposition runs on the driver (Breeze, LAPACK
 * through netlib-java).
 *
 * <p>{@link RowMatrix#computePrincipalComponentsAndExplainedVariance} returns the components and
 * each one's fraction of the total variance, not the eigenvalues; the total comes from the
 * column summary (one more pass, O(n·d) against the covariance's O(n·d²)). Eigenvalues are
 * population variances (divided by n, like numpy's squared singular values of the centred
 * matrix over n), as the model has always recorded them; Spark divides by n − 1.
 */
final class SparkPca {
  private SparkPca() {}

  /**
   * The principal components of {@code rows} (each of length {@code d}), all d of them. Fewer
   * than two rows, or rows that never vary, have no covariance Spark can decompose: their
   * eigenvalues are all 0 and the components the coordinate axes (any orthonormal basis is an
   * eigenbasis of a zero matrix; this one is fixed, so the model stays reproducible).
   */
  static Pca of(JavaRDD<double[]> rows, int d) {
    RowMatrix m = new RowMatrix(rows.map(Vectors::dense).rdd(), 0L, d);
    MultivariateStatisticalSummary s = m.computeColumnSummaryStatistics();
    long n = s.count();
    double total = 0;
    if (n > 1) {
      for (double v : s.variance().toArray()) {
        total += v;
      }
      total *= (n - 1) / (double) n;
    }
    if (!(total > 0)) {
      return zero(d);
    }
    Tuple2<Matrix, Vector> pc = m.computePrincipalComponentsAndExplainedVariance(d);
    double[] u = pc._1().toArray();  // column-major d×d: component k is column k
    double[] ratio = pc._2().toArray();
    double[] values = new double[d];
    double[][] vectors = new double[d][];
    for (int k = 0; k < d; k++) {
      values[k] = ratio[k] * total;
      vectors[k] = java.util.Arrays.copyOfRange(u, k * d, (k + 1) * d);
    }
    return Pca.of(values, vectors);
  }

  static Pca zero(int d) {
    double[][] axes = new double[d][d];
    for (int k = 0; k < d; k++) {
      axes[k][k] = 1;
    }
    return Pca.of(new double[d], axes);
  }
}
