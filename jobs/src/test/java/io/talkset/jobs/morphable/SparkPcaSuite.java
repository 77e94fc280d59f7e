package io.talkset.jobs.morphable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ludovic.netlib.lapack.JavaLAPACK;
import io.talkset.core.faceparams.Pca;
import io.talkset.core.faceparams.SyntheticFaces;
import io.talkset.jobs.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaSparkContext;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_core;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.netlib.util.intW;

/**
 * {@link SparkPca}'s native LAPACK in a JVM that loaded OpenCV (and with it bytedeco's OpenBLAS)
 * first, as {@code talkset run} and the test JVM do after frames and params: with the host's
 * LAPACK this is where the JVM died.
 */
class SparkPcaSuite {
  private static final String[] NETLIB = {"dev.ludovic.netlib.blas.nativeLib",
      "dev.ludovic.netlib.blas.nativeLibPath", "dev.ludovic.netlib.lapack.nativeLib",
      "dev.ludovic.netlib.lapack.nativeLibPath"};

  /** The OpenBLAS files OpenCV brought in. */
  private static Set<String> openCvs;

  @BeforeAll
  static void openCvFirst() throws IOException {
    Loader.load(opencv_core.class);
    openCvs = mappedOpenBlas();
    // SparkPca's own set-up now, after OpenCV, whichever test runs first (the one below clears
    // and restores the properties around a second call).
    SparkPca.netlibOnBytedecoOpenBlas();
  }

  /**
   * Spark ML's PCA through native LAPACK against netlib's Java LAPACK on a covariance summed here
   * in plain Java: the same numbers from a different code path, and one OpenBLAS in the process.
   */
  @Test
  void nativeLapackIsOpenCvsOpenBlasAndAgreesWithJavaLapack() throws IOException {
    int n = 400;
    int d = 600;
    int k = 12;
    double[][] x = lowRankPlusNoise(n, d, k, 41);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
    long t0 = System.nanoTime();
    Pca pca = SparkPca.of(jsc.parallelize(List.of(x), 4), d);
    double sparkS = (System.nanoTime() - t0) / 1e9;
    assertEquals("JNILAPACK", SparkPca.lapackInUse());

    // netlib runs on a file OpenCV had mapped, and no other came in (the host's libopenblas
    // would). javacpp itself maps two copies, openblas and openblas_nolapack, identical builds.
    String lib = Path.of(System.getProperty("dev.ludovic.netlib.lapack.nativeLibPath"))
        .toRealPath().toString();
    assertEquals(openCvs, mappedOpenBlas());
    assertTrue(openCvs.contains(lib), lib + " not among " + openCvs);
    String cache = Loader.getCacheDir().getCanonicalPath();
    assertTrue(lib.startsWith(cache) && lib.endsWith("/libopenblas.so.0"), lib);

    // The Java path: population covariance (÷ n) of the centred rows, F2J's dgesdd, as Breeze
    // calls it (singular values of a symmetric PSD matrix are its eigenvalues).
    double[] mean = new double[d];
    for (double[] row : x) {
      for (int i = 0; i < d; i++) {
        mean[i] += row[i] / n;
      }
    }
    double[] cov = new double[d * d];
    for (double[] row : x) {
      for (int i = 0; i < d; i++) {
        double a = row[i] - mean[i];
        for (int j = 0; j <= i; j++) {
          cov[i * d + j] += a * (row[j] - mean[j]) / n;
        }
      }
    }
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < i; j++) {
        cov[j * d + i] = cov[i * d + j];
      }
    }
    double[] s = new double[d];
    double[] u = new double[d * d];
    double[] vt = new double[d * d];
    int[] iwork = new int[8 * d];
    double[] query = new double[1];
    intW info = new intW(0);
    JavaLAPACK lapack = JavaLAPACK.getInstance();
    lapack.dgesdd("A", d, d, cov.clone(), d, s, u, d, vt, d, query, -1, iwork, info);
    double[] work = new double[(int) query[0]];
    t0 = System.nanoTime();
    lapack.dgesdd("A", d, d, cov, d, s, u, d, vt, d, work, work.length, iwork, info);
    double javaS = (System.nanoTime() - t0) / 1e9;
    assertEquals(0, info.val);
    double[][] ref = new double[k][];
    for (int c = 0; c < k; c++) {
      ref[c] = Arrays.copyOfRange(u, c * d, (c + 1) * d);
    }
    double angle = Math.toRadians(SyntheticFaces.largestPrincipalAngle(pca.leading(k), ref));
    double worst = 0;
    for (int c = 0; c < k; c++) {
      worst = Math.max(worst, Math.abs(pca.eigenvalues()[c] - s[c]) / s[c]);
    }
    System.out.printf("SparkPcaSuite: native (%s) vs Java LAPACK, %dx%d, top %d: largest"
        + " principal angle %.2e rad, eigenvalues within %.2e relative; Spark PCA %.2f s,"
        + " Java dgesdd alone %.2f s%n", lib, n, d, k, angle, worst, sparkS, javaS);
    assertTrue(angle <= 1e-9, "principal angle " + angle + " rad");
    assertTrue(worst <= 1e-11, "eigenvalues differ by " + worst);
  }

  /** A JVM's own netlib settings win, per library; the other still gets javacpp's OpenBLAS. */
  @Test
  void ownNetlibSettingsWin() {
    String[] saved = new String[NETLIB.length];
    for (int i = 0; i < NETLIB.length; i++) {
      saved[i] = System.getProperty(NETLIB[i]);
      System.clearProperty(NETLIB[i]);
    }
    try {
      System.setProperty(NETLIB[0], "libmyblas.so");
      SparkPca.netlibOnBytedecoOpenBlas();
      assertEquals("libmyblas.so", System.getProperty(NETLIB[0]));
      assertNull(System.getProperty(NETLIB[1]));
      assertNull(System.getProperty(NETLIB[2]));
      String lapack = System.getProperty(NETLIB[3]);
      assertTrue(lapack != null && Files.isRegularFile(Path.of(lapack))
          && Path.of(lapack).getFileName().toString().startsWith("libopenblas"), lapack);
    } finally {
      for (int i = 0; i < NETLIB.length; i++) {
        if (saved[i] == null) {
          System.clearProperty(NETLIB[i]);
        } else {
          System.setProperty(NETLIB[i], saved[i]);
        }
      }
    }
  }

  /** Rows of rank-k structure far from zero plus noise, float32 like meshes. */
  static double[][] lowRankPlusNoise(int n, int d, int k, long seed) {
    Random rnd = new Random(seed);
    double[][] dirs = new double[k][d];
    for (double[] row : dirs) {
      for (int i = 0; i < d; i++) {
        row[i] = rnd.nextGaussian() / Math.sqrt(d);
      }
    }
    double[][] x = new double[n][d];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < k; c++) {
        double w = rnd.nextGaussian() * 3 / (c + 1);
        for (int i = 0; i < d; i++) {
          x[r][i] += w * dirs[c][i];
        }
      }
      for (int i = 0; i < d; i++) {
        x[r][i] = (float) (x[r][i] + 5 + 1e-3 * rnd.nextGaussian());
      }
    }
    return x;
  }

  /** The OpenBLAS shared objects this process has mapped (JNI wrappers aside), canonical. */
  private static Set<String> mappedOpenBlas() throws IOException {
    Set<String> files = new TreeSet<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
      int slash = line.indexOf('/');
      if (slash < 0) {
        continue;
      }
      Path p = Path.of(line.substring(slash));
      String name = p.getFileName().toString();
      if (name.startsWith("libopenblas")) {
        files.add(p.toRealPath().toString());
      }
    }
    return files;
  }
}
