package io.talkset.core.metrics;

import java.util.List;

/**
 * The Fréchet distance between two sets of vectors, each modelled as a Gaussian (mean and
 * covariance): {@code |mu1 - mu2|^2 + tr(C1) + tr(C2) - 2 tr((C1 C2)^(1/2))}, the formula of FID.
 * Applied here to face-api identity descriptors, not to Inception-v3 pool features, so the
 * figures are not comparable with published FID values; they rank generated sets against the
 * same real set. Covariances use n − 1 (numpy's {@code np.cov}, as pytorch-fid does).
 */
public final class Frechet {
  /** A set's mean and covariance. */
  public record Stats(double[] mean, double[][] cov, int n) {}

  private Frechet() {}

  /**
   * Running sums (count, sum, sum of outer products) from which a set's mean and covariance
   * follow: sets gathered on many executors merge exactly without moving the vectors.
   */
  public static final class Accumulator implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private long n;
    private double[] sum;
    private double[][] outer;

    public void add(float[] x) {
      if (sum == null) {
        sum = new double[x.length];
        outer = new double[x.length][x.length];
      }
      if (x.length != sum.length) {
        throw new IllegalArgumentException("vectors differ in length: " + sum.length + " and "
            + x.length);
      }
      n++;
      for (int i = 0; i < x.length; i++) {
        sum[i] += x[i];
        for (int j = i; j < x.length; j++) {
          outer[i][j] += x[i] * (double) x[j];
        }
      }
    }

    public Accumulator merge(Accumulator o) {
      if (o.n == 0) {
        return this;
      }
      if (n == 0) {
        n = o.n;
        sum = o.sum.clone();
        outer = new double[sum.length][];
        for (int i = 0; i < sum.length; i++) {
          outer[i] = o.outer[i].clone();
        }
        return this;
      }
      n += o.n;
      for (int i = 0; i < sum.length; i++) {
        sum[i] += o.sum[i];
        for (int j = i; j < sum.length; j++) {
          outer[i][j] += o.outer[i][j];
        }
      }
      return this;
    }

    public long count() {
      return n;
    }

    /** Mean and covariance (n − 1); needs two vectors or more. */
    public Stats stats() {
      if (n < 2) {
        throw new IllegalArgumentException("need at least 2 vectors for a covariance, got " + n);
      }
      int d = sum.length;
      double[] mu = new double[d];
      for (int i = 0; i < d; i++) {
        mu[i] = sum[i] / n;
      }
      double[][] c = new double[d][d];
      for (int i = 0; i < d; i++) {
        for (int j = i; j < d; j++) {
          c[i][j] = (outer[i][j] - n * mu[i] * mu[j]) / (n - 1);
          c[j][i] = c[i][j];
        }
      }
      return new Stats(mu, c, (int) n);
    }
  }

  public static Stats stats(List<float[]> xs) {
    int n = xs.size();
    if (n < 2) {
      throw new IllegalArgumentException("need at least 2 vectors for a covariance, got " + n);
    }
    int d = xs.get(0).length;
    double[] mu = new double[d];
    for (float[] x : xs) {
      if (x.length != d) {
        throw new IllegalArgumentException("vectors differ in length: " + d + " and " + x.length);
      }
      for (int i = 0; i < d; i++) {
        mu[i] += x[i] / (double) n;
      }
    }
    double[][] c = new double[d][d];
    double[] v = new double[d];
    for (float[] x : xs) {
      for (int i = 0; i < d; i++) {
        v[i] = x[i] - mu[i];
      }
      for (int i = 0; i < d; i++) {
        for (int j = i; j < d; j++) {
          c[i][j] += v[i] * v[j];
        }
      }
    }
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) {
        c[i][j] /= n - 1;
        c[j][i] = c[i][j];
      }
    }
    return new Stats(mu, c, n);
  }

  /** The Fréchet distance of two sets of vectors. */
  public static double distance(List<float[]> a, List<float[]> b) {
    return distance(stats(a), stats(b));
  }

  public static double distance(Stats a, Stats b) {
    int d = a.mean().length;
    double dm = 0;
    double tr = 0;
    for (int i = 0; i < d; i++) {
      double t = a.mean()[i] - b.mean()[i];
      dm += t * t;
      tr += a.cov()[i][i] + b.cov()[i][i];
    }
    // tr((C1 C2)^(1/2)) = tr((S C2 S)^(1/2)) with S = C1^(1/2): a symmetric matrix whose
    // eigenvalues are those of C1 C2, so only symmetric eigen-decompositions are needed.
    double[][] s = sqrtPsd(a.cov());
    double[][] m = multiply(multiply(s, b.cov()), s);
    double[] ev = eigen(m, null);
    double trSqrt = 0;
    for (double e : ev) {
      trSqrt += Math.sqrt(Math.max(0, e));
    }
    return dm + tr - 2 * trSqrt;
  }

  /** The symmetric square root of a symmetric positive semi-definite matrix. */
  static double[][] sqrtPsd(double[][] c) {
    int d = c.length;
    double[][] vec = new double[d][d];
    double[] ev = eigen(c, vec);
    double[][] out = new double[d][d];
    for (int k = 0; k < d; k++) {
      double r = Math.sqrt(Math.max(0, ev[k]));
      for (int i = 0; i < d; i++) {
        for (int j = 0; j < d; j++) {
          out[i][j] += vec[i][k] * r * vec[j][k];
        }
      }
    }
    return out;
  }

  static double[][] multiply(double[][] a, double[][] b) {
    int n = a.length;
    double[][] c = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < n; k++) {
        double x = a[i][k];
        for (int j = 0; j < n; j++) {
          c[i][j] += x * b[k][j];
        }
      }
    }
    return c;
  }

  /**
   * Eigenvalues of a symmetric matrix by cyclic Jacobi rotations (accurate to rounding; 128 × 128
   * takes a few milliseconds); the eigenvectors go into the columns of {@code vectors} when it
   * is not null.
   */
  static double[] eigen(double[][] sym, double[][] vectors) {
    int n = sym.length;
    double[][] a = new double[n][];
    for (int i = 0; i < n; i++) {
      a[i] = sym[i].clone();
    }
    double[][] v = vectors;
    if (v != null) {
      for (int i = 0; i < n; i++) {
        java.util.Arrays.fill(v[i], 0);
        v[i][i] = 1;
      }
    }
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0;
      double diag = 0;
      for (int i = 0; i < n; i++) {
        diag += a[i][i] * a[i][i];
        for (int j = i + 1; j < n; j++) {
          off += a[i][j] * a[i][j];
        }
      }
      if (off <= 1e-30 * Math.max(diag, 1e-300)) {
        break;
      }
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          double apq = a[p][q];
          if (Math.abs(apq) < 1e-300) {
            continue;
          }
          double theta = (a[q][q] - a[p][p]) / (2 * apq);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) {
            t = 1;
          }
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < n; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
          }
          for (int k = 0; k < n; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
          }
          if (v != null) {
            for (int k = 0; k < n; k++) {
              double vkp = v[k][p];
              double vkq = v[k][q];
              v[k][p] = c * vkp - s * vkq;
              v[k][q] = s * vkp + c * vkq;
            }
          }
        }
      }
    }
    double[] ev = new double[n];
    for (int i = 0; i < n; i++) {
      ev[i] = a[i][i];
    }
    return ev;
  }
}
