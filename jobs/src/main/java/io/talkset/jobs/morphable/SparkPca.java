package io.talkset.jobs.morphable;

import dev.ludovic.netlib.lapack.LAPACK;
import io.talkset.core.faceparams.Pca;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.linalg.distributed.RowMatrix;
import org.apache.spark.mllib.stat.MultivariateStatisticalSummary;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * <p>Spark ML runs its BLAS and LAPACK through netlib-java, which by default opens the host's
 * {@code libblas.so.3} and {@code liblapack.so.3}. On Debian-like hosts those are OpenBLAS's,
 * linked against {@code libopenblas.so.0}; bytedeco's OpenBLAS (loaded with OpenCV in the frames
 * and params stages: {@code talkset run}, local mode, the tests) has the same soname, so once it
 * is in the JVM the host LAPACK binds to bytedeco's build instead of its own and the JVM dies
 * (SIGSEGV in {@code drotm_k}, seen in MorphableVideoSuite). So netlib is pointed at bytedeco's
 * OpenBLAS itself, the very file javacpp loaded ({@code openblas}, a complete LAPACK; javacpp
 * also maps {@code openblas_nolapack}, the same binary): no other BLAS comes into the process,
 * whichever stage loads OpenBLAS first. A 1404×1404 SVD then takes about 1.2 s on one core
 * instead of 10–30 s in netlib's pure Java. Where javacpp cannot load it (another platform),
 * netlib is told to use Java (exact, slower). Properties the JVM sets itself win, per
 * library. Set on the driver before the decomposition and on executors before their first row.
 */
final class SparkPca {
  /** Not a library: loading it fails, which is how netlib is told to use Java. */
  static final String NO_NATIVE = "talkset-java-netlib";

  private static final Logger LOG = LoggerFactory.getLogger(SparkPca.class);

  /** netlib-java's properties per library: a name for the linker's search, or a path. */
  private static final String[][] NETLIB = {
      {"dev.ludovic.netlib.blas.nativeLib", "dev.ludovic.netlib.blas.nativeLibPath"},
      {"dev.ludovic.netlib.lapack.nativeLib", "dev.ludovic.netlib.lapack.nativeLibPath"}};

  static {
    netlibOnBytedecoOpenBlas();
  }

  private SparkPca() {}

  /**
   * Points netlib-java's BLAS and LAPACK at the OpenBLAS javacpp has loaded (loading it if none
   * is yet), unless the JVM names a library for them itself; at its pure-Java code when
   * javacpp cannot load OpenBLAS here.
   */
  static synchronized void netlibOnBytedecoOpenBlas() {
    String lib = null;
    boolean looked = false;
    for (String[] keys : NETLIB) {
      if (System.getProperty(keys[0]) != null || System.getProperty(keys[1]) != null) {
        continue;
      }
      if (!looked) {
        lib = bytedecoOpenBlas();
        looked = true;
      }
      if (lib != null) {
        System.setProperty(keys[1], lib);
      } else {
        System.setProperty(keys[0], NO_NATIVE);
      }
    }
  }

  /** The path of the OpenBLAS javacpp has loaded, after loading it if needed; null if it can't. */
  static String bytedecoOpenBlas() {
    try {
      String path = loadedOpenBlas();
      if (path == null) {
        // The same preset OpenCV's loads, so a later OpenCV finds it loaded and adds no copy.
        Loader.load(openblas.class);
        path = loadedOpenBlas();
      }
      return path;
    } catch (LinkageError | RuntimeException e) {
      LOG.warn("morphable: bytedeco's OpenBLAS did not load ({}); Spark ML's PCA runs netlib's"
          + " Java LAPACK (exact, slower)", e.toString());
      return null;
    }
  }

  /** javacpp's loaded OpenBLAS, the complete build first; null when there is none. */
  private static String loadedOpenBlas() {
    Map<String, String> loaded = new TreeMap<>(Loader.getLoadedLibraries());
    for (String prefix : new String[] {"openblas@", "openblas_nolapack@"}) {
      for (Map.Entry<String, String> e : loaded.entrySet()) {
        if (e.getKey().startsWith(prefix) && e.getValue() != null) {
          return e.getValue();
        }
      }
    }
    return null;
  }

  /** The LAPACK netlib-java chose in this JVM (JNILAPACK: native; F2jLAPACK: Java). */
  static String lapackInUse() {
    return LAPACK.getInstance().getClass().getSimpleName();
  }

  /** A row as Spark ML's vector; on an executor, its first call sets up netlib. */
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
