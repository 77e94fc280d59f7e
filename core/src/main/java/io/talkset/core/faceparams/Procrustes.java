package io.talkset.core.faceparams;

import java.util.ArrayList;
import java.util.List;

/**
 * Similarity Procrustes alignment of 3D point sets (a face mesh per frame): the rotation, scale
 * and translation that best map one set onto another in the least-squares sense, and generalized
 * Procrustes analysis (GPA) of many sets onto their common mean shape. This is the first step of
 * a learned morphable model: what the alignment removes is pose (rotation, translation, scale);
 * what remains is shape (identity and expression).
 *
 * <p>The rotation is Horn's closed form (J. Opt. Soc. Am. A 4(4), 1987): the unit quaternion
 * that maximises the correlation of the centred sets is the eigenvector of the largest
 * eigenvalue of a symmetric 4×4 matrix built from their cross-covariance. A quaternion is always
 * a proper rotation, so a mirrored fit can never come out. The eigenvector comes from cyclic
 * Jacobi rotations, exact to rounding for a 4×4 matrix.
 *
 * <p>Point sets are flat arrays {@code x0, y0, z0, x1, ...}. Stateless and thread-safe.
 */
public final class Procrustes {
  private Procrustes() {}

  /**
   * Maps a source set onto a target: {@code target ≈ scale · R · source + translation}.
   *
   * @param rotation row-major 3×3, a proper rotation
   * @param rms root-mean-square distance between the mapped source and the target, per point
   */
  public record Similarity(double[] rotation, double scale, double[] translation, double rms) {
    /** This similarity applied to {@code points}. */
    public double[] apply(double[] points) {
      double[] out = new double[points.length];
      double[] r = rotation;
      for (int i = 0; i < points.length; i += 3) {
        double x = points[i];
        double y = points[i + 1];
        double z = points[i + 2];
        out[i] = scale * (r[0] * x + r[1] * y + r[2] * z) + translation[0];
        out[i + 1] = scale * (r[3] * x + r[4] * y + r[5] * z) + translation[1];
        out[i + 2] = scale * (r[6] * x + r[7] * y + r[8] * z) + translation[2];
      }
      return out;
    }
  }

  /** The least-squares similarity from {@code source} onto {@code target} (same point count). */
  public static Similarity align(double[] source, double[] target) {
    if (source.length != target.length || source.length % 3 != 0 || source.length < 9) {
      throw new IllegalArgumentException("need two sets of the same number (>= 3) of 3D points, "
          + "got " + source.length + " and " + target.length + " values");
    }
    int n = source.length / 3;
    double[] cs = centroid(source);
    double[] ct = centroid(target);
    // Cross-covariance S[a][b] = sum over points of source_a * target_b (centred).
    double[][] s = new double[3][3];
    double sourceNorm = 0;
    for (int i = 0; i < n; i++) {
      for (int a = 0; a < 3; a++) {
        double x = source[3 * i + a] - cs[a];
        sourceNorm += x * x;
        for (int b = 0; b < 3; b++) {
          s[a][b] += x * (target[3 * i + b] - ct[b]);
        }
      }
    }
    double[][] m = {
        {s[0][0] + s[1][1] + s[2][2], s[1][2] - s[2][1], s[2][0] - s[0][2], s[0][1] - s[1][0]},
        {s[1][2] - s[2][1], s[0][0] - s[1][1] - s[2][2], s[0][1] + s[1][0], s[2][0] + s[0][2]},
        {s[2][0] - s[0][2], s[0][1] + s[1][0], -s[0][0] + s[1][1] - s[2][2], s[1][2] + s[2][1]},
        {s[0][1] - s[1][0], s[2][0] + s[0][2], s[1][2] + s[2][1], -s[0][0] - s[1][1] + s[2][2]}};
    double[] q = largestEigenvector(m);
    double[] r = rotation(q);
    double dot = 0;
    for (int i = 0; i < n; i++) {
      double x = source[3 * i] - cs[0];
      double y = source[3 * i + 1] - cs[1];
      double z = source[3 * i + 2] - cs[2];
      dot += (target[3 * i] - ct[0]) * (r[0] * x + r[1] * y + r[2] * z)
          + (target[3 * i + 1] - ct[1]) * (r[3] * x + r[4] * y + r[5] * z)
          + (target[3 * i + 2] - ct[2]) * (r[6] * x + r[7] * y + r[8] * z);
    }
    double scale = sourceNorm == 0 ? 1 : dot / sourceNorm;
    double[] t = {
        ct[0] - scale * (r[0] * cs[0] + r[1] * cs[1] + r[2] * cs[2]),
        ct[1] - scale * (r[3] * cs[0] + r[4] * cs[1] + r[5] * cs[2]),
        ct[2] - scale * (r[6] * cs[0] + r[7] * cs[1] + r[8] * cs[2])};
    Similarity sim = new Similarity(r, scale, t, 0);
    return new Similarity(r, scale, t, rms(sim.apply(source), target));
  }

  /** The result of {@link #generalized}: the mean shape and each set's map onto it. */
  public record Analysis(double[] mean, List<Similarity> maps, int iterations, double change) {}

  /**
   * Generalized Procrustes analysis: the mean shape (centred, unit root-mean-square radius,
   * oriented like the first set) and every set's similarity onto it, iterating "align all to
   * the mean, average" until the mean moves less than {@code tolerance} (RMS per point, in the
   * mean's unit size) or {@code maxIterations} pass.
   */
  public static Analysis generalized(List<double[]> sets, int maxIterations, double tolerance) {
    if (sets.isEmpty()) {
      throw new IllegalArgumentException("no point sets");
    }
    double[] mean = normalized(sets.get(0));
    double change = Double.POSITIVE_INFINITY;
    int it = 0;
    List<Similarity> maps = new ArrayList<>();
    while (it < maxIterations && change > tolerance) {
      it++;
      maps.clear();
      double[] sum = new double[mean.length];
      for (double[] s : sets) {
        Similarity m = align(s, mean);
        maps.add(m);
        double[] a = m.apply(s);
        for (int k = 0; k < sum.length; k++) {
          sum[k] += a[k];
        }
      }
      for (int k = 0; k < sum.length; k++) {
        sum[k] /= sets.size();
      }
      // The average is re-centred, re-scaled and turned back onto the previous mean, so the
      // gauge (size, place, orientation) stays that of the first set and only the shape moves.
      double[] next = align(normalized(sum), mean).apply(normalized(sum));
      next = normalized(next);
      change = rms(next, mean);
      mean = next;
    }
    maps.clear();
    for (double[] s : sets) {
      maps.add(align(s, mean));
    }
    return new Analysis(mean, List.copyOf(maps), it, change);
  }

  /**
   * Angles of a rotation written as {@code Ry(a) · Rx(b) · Rz(c)} (right-handed, about the
   * frame's own axes), in degrees: {a, b, c}. For b = ±90° (gimbal lock) c is set to 0.
   */
  public static double[] angles(double[] r) {
    double b = Math.asin(Math.max(-1, Math.min(1, -r[5])));
    double a;
    double c;
    if (Math.abs(r[5]) < 1 - 1e-12) {
      a = Math.atan2(r[2], r[8]);
      c = Math.atan2(r[3], r[4]);
    } else {
      a = Math.atan2(-r[6], r[0]);
      c = 0;
    }
    return new double[] {Math.toDegrees(a), Math.toDegrees(b), Math.toDegrees(c)};
  }

  /** {@code Ry(a) · Rx(b) · Rz(c)}, angles in degrees, row-major. */
  public static double[] rotation(double aDeg, double bDeg, double cDeg) {
    double a = Math.toRadians(aDeg);
    double b = Math.toRadians(bDeg);
    double c = Math.toRadians(cDeg);
    double ca = Math.cos(a);
    double sa = Math.sin(a);
    double cb = Math.cos(b);
    double sb = Math.sin(b);
    double cc = Math.cos(c);
    double sc = Math.sin(c);
    return new double[] {
        ca * cc + sa * sb * sc, -ca * sc + sa * sb * cc, sa * cb,
        cb * sc, cb * cc, -sb,
        -sa * cc + ca * sb * sc, sa * sc + ca * sb * cc, ca * cb};
  }

  /** The angle in degrees of the rotation taking {@code r1} to {@code r2}. */
  public static double angleBetween(double[] r1, double[] r2) {
    // trace(r1ᵀ r2) = 1 + 2 cos θ.
    double tr = 0;
    for (int k = 0; k < 9; k++) {
      tr += r1[k] * r2[k];
    }
    return Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, (tr - 1) / 2))));
  }

  /** A copy centred on the origin with unit root-mean-square distance from it. */
  public static double[] normalized(double[] points) {
    double[] c = centroid(points);
    double[] out = new double[points.length];
    double ss = 0;
    for (int i = 0; i < points.length; i++) {
      out[i] = points[i] - c[i % 3];
      ss += out[i] * out[i];
    }
    double radius = Math.sqrt(ss / (points.length / 3));
    if (radius > 0) {
      for (int i = 0; i < out.length; i++) {
        out[i] /= radius;
      }
    }
    return out;
  }

  /** Root-mean-square distance between corresponding points. */
  public static double rms(double[] a, double[] b) {
    double ss = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      ss += d * d;
    }
    return Math.sqrt(ss / (a.length / 3));
  }

  private static double[] centroid(double[] p) {
    double[] c = new double[3];
    int n = p.length / 3;
    for (int i = 0; i < p.length; i++) {
      c[i % 3] += p[i];
    }
    for (int a = 0; a < 3; a++) {
      c[a] /= n;
    }
    return c;
  }

  /** Row-major rotation of the unit quaternion (w, x, y, z). */
  private static double[] rotation(double[] q) {
    double w = q[0];
    double x = q[1];
    double y = q[2];
    double z = q[3];
    return new double[] {
        w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y),
        2 * (x * y + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x),
        2 * (x * z - w * y), 2 * (y * z + w * x), w * w - x * x - y * y + z * z};
  }

  /** Cyclic Jacobi on a symmetric 4×4 matrix: the unit eigenvector of its largest eigenvalue. */
  private static double[] largestEigenvector(double[][] a0) {
    double[][] a = new double[4][];
    for (int i = 0; i < 4; i++) {
      a[i] = a0[i].clone();
    }
    double[][] v = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
    for (int sweep = 0; sweep < 64; sweep++) {
      double off = 0;
      double diag = 0;
      for (int p = 0; p < 4; p++) {
        diag += a[p][p] * a[p][p];
        for (int q = p + 1; q < 4; q++) {
          off += a[p][q] * a[p][q];
        }
      }
      if (off <= 1e-30 * Math.max(diag, Double.MIN_NORMAL)) {
        break;
      }
      for (int p = 0; p < 3; p++) {
        for (int q = p + 1; q < 4; q++) {
          if (a[p][q] == 0) {
            continue;
          }
          double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) {
            t = 1;
          }
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < 4; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
          }
          for (int k = 0; k < 4; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
          }
          for (int k = 0; k < 4; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
          }
        }
      }
    }
    int best = 0;
    for (int i = 1; i < 4; i++) {
      if (a[i][i] > a[best][best]) {
        best = i;
      }
    }
    double[] q = {v[0][best], v[1][best], v[2][best], v[3][best]};
    double norm = Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    for (int i = 0; i < 4; i++) {
      q[i] /= norm;
    }
    return q;
  }
}
