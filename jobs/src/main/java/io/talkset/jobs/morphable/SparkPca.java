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
 *
 * <p>Spark ML runs its BLAS and LAPACK through netlib-java, which prefers the host's
 * {@code libblas.so.3} and {@code liblapack.so.3}. In a JVM that has loaded bytedeco's OpenBLAS
 * (OpenCV, in the frames and params stages: {@code talkset run}, local mode, the tests) the
 * host LAPACK's {@code dgesdd} resolves part of its calls into bytedeco's
 * {@code libopenblas_nolapack} and the JVM dies (SIGSEGV in {@code drotm_k}, seen in
 * MorphableVideoSuite). So, unless the JVM was given its own
 * {@code dev.ludovic.netlib.blas.nativeLib} / {@code dev.ludovic.netlib.lapack.nativeLib},
 * both name a library that does not exist, and netlib falls back to its pure-Java
 * implementations (exact; the 1404×1404 SVD takes about 10 CPU seconds instead of 2). Set on
 * the driver before the decomposition and on executors before their first row.
 */
final class SparkPca {
  /** Not a library: loading it fails, which is how netlib is told to use Java. */
  static final String NO_NATIVE = "talkset-java-netlib";

  static {
    javaNetlib();
  }

  private SparkPca() {}

  /** netlib-java's pure-Java BLAS and LAPACK unless the JVM names a native library itself. */
  static void javaNetlib() {
    for (String key : new String[] {"dev.ludovic.netlib.blas.nativeLib",
        "dev.ludovic.netlib.lapack.nativeLib"}) {
      if (System.getProperty(key) == null) {
        System.setProperty(key, NO_NATIVE);
      }
    }
  }

  /** A row as Spark ML's vector; on an executor, its first call sets {@link #javaNetlib}. */
  static Vector vector(double[] row) {
    return Vectors.dense(row);
  }

  /**
   * The principal components of {@code rows} (each of length {@code d}), all d of them. Fewer
   * than two rows, or rows that never vary, have no covariance Spark can decompose: their
   * eigenvalues are all 0 and the components the coordinate axes (any orthonormal basis is an
   * eigenbasis of a zero matrix; this one is fixed, so the model stays reproducible).
   */
  static Pca of(JavaRDD<double[]> rows, int d) {
    RowMatrix m = new RowMatrix(rows.map(SparkPca::vector).rdd(), 0L, d);
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
