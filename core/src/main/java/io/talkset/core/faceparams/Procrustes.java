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
      apply(points, out);
      return out;
    }

    /** This similarity applied to {@code points}, written into {@code out} (same length). */
    public void apply(double[] points, double[] out) {
      double[] r = rotation;
      for (int i = 0; i < points.length; i += 3) {
        double x = points[i];
        double y = points[i + 1];
        double z = points[i + 2];
        out[i] = scale * (r[0] * x + r[1] * y + r[2] * z) + translation[0];
        out[i + 1] = scale * (r[3] * x + r[4] * y + r[5] * z) + translation[1];
        out[i + 2] = scale * (r[6] * x + r[7] * y + r[8] * z) + translation[2];
      }
    }
  }

  /** The least-squares similarity from {@code source} onto {@code target} (same point count). */
  public static Similarity align(double[] source, double[] target) {
    Similarity sim = similarity(new Source(source), target);
    return new Similarity(sim.rotation(), sim.scale(), sim.translation(),
        rms(sim.apply(source), target));
  }

  /**
   * A source set prepared for aligning onto several targets (a mesh fitted in alternation with
   * its shape): what depends on it alone, its centroid, centred points and squared norm, is
   * computed once, with the very operations {@link #align} uses, so the results are the same
   * to the last bit.
   */
  static final class Source {
    final double[] points;
    final double[] centroid;
    final double[] centred;
    final double norm;

    Source(double[] points) {
      if (points.length % 3 != 0 || points.length < 9) {
        throw new IllegalArgumentException("need a set of >= 3 3D points, got " + points.length
            + " values");
      }
      this.points = points;
      centroid = centroid(points);
      centred = new double[points.length];
      double ss = 0;
      for (int i = 0; i < points.length; i += 3) {
        for (int a = 0; a < 3; a++) {
          double x = points[i + a] - centroid[a];
          centred[i + a] = x;
          ss += x * x;
        }
      }
      norm = ss;
    }
  }

  /**
   * {@link #align} without its residual (rms is NaN: the fit's callers measure their own), from
   * a prepared source. The sums run in {@link #align}'s original order: the 3×3
   * cross-covariance as nine running sums over the points, kept in locals.
   */
  static Similarity similarity(Source src, double[] target) {
    if (src.points.length != target.length) {
      throw new IllegalArgumentException("need two sets of the same number (>= 3) of 3D points, "
          + "got " + src.points.length + " and " + target.length + " values");
    }
    int len = target.length;
    double[] x = src.centred;
    double[] cs = src.centroid;
    double[] ct = centroid(target);
    double ct0 = ct[0];
    double ct1 = ct[1];
    double ct2 = ct[2];
    // Cross-covariance S[a][b] = sum over points of source_a * target_b (centred).
    double s00 = 0;
    double s01 = 0;
    double s02 = 0;
    double s10 = 0;
    double s11 = 0;
    double s12 = 0;
    double s20 = 0;
    double s21 = 0;
    double s22 = 0;
    for (int i = 0; i < len; i += 3) {
      double y0 = target[i] - ct0;
      double y1 = target[i + 1] - ct1;
      double y2 = target[i + 2] - ct2;
      double x0 = x[i];
      double x1 = x[i + 1];
      double x2 = x[i + 2];
      s00 += x0 * y0;
      s01 += x0 * y1;
      s02 += x0 * y2;
      s10 += x1 * y0;
      s11 += x1 * y1;
      s12 += x1 * y2;
      s20 += x2 * y0;
      s21 += x2 * y1;
      s22 += x2 * y2;
    }
    double[][] m = {
        {s00 + s11 + s22, s12 - s21, s20 - s02, s01 - s10},
        {s12 - s21, s00 - s11 - s22, s01 + s10, s20 + s02},
        {s20 - s02, s01 + s10, -s00 + s11 - s22, s12 + s21},
        {s01 - s10, s20 + s02, s12 + s21, -s00 - s11 + s22}};
    double[] q = largestEigenvector(m);
    double[] r = rotation(q);
    double dot = 0;
    for (int i = 0; i < len; i += 3) {
      double px = x[i];
      double py = x[i + 1];
      double pz = x[i + 2];
      dot += (target[i] - ct0) * (r[0] * px + r[1] * py + r[2] * pz)
          + (target[i + 1] - ct1) * (r[3] * px + r[4] * py + r[5] * pz)
          + (target[i + 2] - ct2) * (r[6] * px + r[7] * py + r[8] * pz);
    }
    double scale = src.norm == 0 ? 1 : dot / src.norm;
    double[] t = {
        ct0 - scale * (r[0] * cs[0] + r[1] * cs[1] + r[2] * cs[2]),
        ct1 - scale * (r[3] * cs[0] + r[4] * cs[1] + r[5] * cs[2]),
        ct2 - scale * (r[6] * cs[0] + r[7] * cs[1] + r[8] * cs[2])};
    return new Similarity(r, scale, t, Double.NaN);
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
    // Three running sums in point order, as c[i % 3] += p[i] adds them.
    double c0 = 0;
    double c1 = 0;
    double c2 = 0;
    for (int i = 0; i + 2 < p.length; i += 3) {
      c0 += p[i];
      c1 += p[i + 1];
      c2 += p[i + 2];
    }
    int n = p.length / 3;
    return new double[] {c0 / n, c1 / n, c2 / n};
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
