package io.talkset.core.faceparams;

import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * Meshes made from a known morphable model: a face-like mean shape (468 points, unit radius), an
 * identity basis and an expression basis (orthonormal, and orthogonal to the seven directions a
 * similarity moves the mean along, so a similarity cannot absorb any of the deformation to first
 * order), identity coefficients per segment, expression coefficients per frame (zero mean within
 * each segment, so a segment's mean shape carries its identity alone), and a known pose per
 * frame. Shared with the jobs module's Spark suite through the test jar.
 */
public final class SyntheticFaces {
  public final double[] mean;
  public final double[][] identity;
  public final double[][] expression;
  public final int segments;
  public final int framesPerSegment;
  /** Per frame (segment-major). */
  public final double[][] meshes;
  public final double[][] rotations;
  public final double[][] alpha;
  public final double[][] beta;

  public SyntheticFaces(long seed, int kId, int kExp, int segments, int framesPerSegment,
      double idSize, double expSize) {
    Random rnd = new Random(seed);
    this.segments = segments;
    this.framesPerSegment = framesPerSegment;
    mean = Procrustes.normalized(ProcrustesTest.baseShape(rnd));
    int d = mean.length;
    double[][] basis = new double[7 + kId + kExp][d];
    for (int i = 0; i < d / 3; i++) {
      double x = mean[3 * i];
      double y = mean[3 * i + 1];
      double z = mean[3 * i + 2];
      for (int a = 0; a < 3; a++) {
        basis[a][3 * i + a] = 1;
      }
      basis[3][3 * i] = x;
      basis[3][3 * i + 1] = y;
      basis[3][3 * i + 2] = z;
      // Infinitesimal rotations about x, y, z: ω × p.
      basis[4][3 * i + 1] = -z;
      basis[4][3 * i + 2] = y;
      basis[5][3 * i] = z;
      basis[5][3 * i + 2] = -x;
      basis[6][3 * i] = -y;
      basis[6][3 * i + 1] = x;
    }
    for (int k = 7; k < basis.length; k++) {
      for (int i = 0; i < d; i++) {
        basis[k][i] = rnd.nextGaussian();
      }
    }
    gramSchmidt(basis);
    identity = java.util.Arrays.copyOfRange(basis, 7, 7 + kId);
    expression = java.util.Arrays.copyOfRange(basis, 7 + kId, basis.length);
    int n = segments * framesPerSegment;
    meshes = new double[n][];
    rotations = new double[n][];
    alpha = new double[n][];
    beta = new double[n][];
    for (int s = 0; s < segments; s++) {
      double[] a = new double[kId];
      for (int k = 0; k < kId; k++) {
        a[k] = idSize * (1 - 0.1 * k) * rnd.nextGaussian();
      }
      double[][] b = new double[framesPerSegment][kExp];
      double[] bm = new double[kExp];
      for (int f = 0; f < framesPerSegment; f++) {
        for (int k = 0; k < kExp; k++) {
          b[f][k] = expSize * (1 - 0.1 * k) * rnd.nextGaussian();
          bm[k] += b[f][k] / framesPerSegment;
        }
      }
      for (int f = 0; f < framesPerSegment; f++) {
        for (int k = 0; k < kExp; k++) {
          b[f][k] -= bm[k];
        }
        int i = s * framesPerSegment + f;
        double[] shape = MorphableFit.combine(MorphableFit.combine(mean, identity, a),
            expression, b[f]);
        double[] r = Procrustes.rotation(-30 + 60 * rnd.nextDouble(),
            -20 + 40 * rnd.nextDouble(), -15 + 30 * rnd.nextDouble());
        double[] t = {250 + 100 * rnd.nextDouble(), 200 + 100 * rnd.nextDouble(),
            -10 + 20 * rnd.nextDouble()};
        meshes[i] = new Procrustes.Similarity(r, 60 + 80 * rnd.nextDouble(), t, 0).apply(shape);
        rotations[i] = r;
        alpha[i] = a;
        beta[i] = b[f];
      }
    }
  }

  private static void gramSchmidt(double[][] v) {
    for (int k = 0; k < v.length; k++) {
      for (int pass = 0; pass < 2; pass++) {
        for (int j = 0; j < k; j++) {
          double dot = dot(v[k], v[j]);
          for (int i = 0; i < v[k].length; i++) {
            v[k][i] -= dot * v[j][i];
          }
        }
      }
      double norm = Math.sqrt(dot(v[k], v[k]));
      for (int i = 0; i < v[k].length; i++) {
        v[k][i] /= norm;
      }
    }
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /**
   * The largest principal angle, in degrees, between the spans of two sets of orthonormal rows:
   * the arcsine of the largest singular value of {@code a - (a·bᵀ)·b}, the part of a outside
   * b's span (the sine form keeps its precision for tiny angles, where an arccosine would not).
   */
  public static double largestPrincipalAngle(double[][] a, double[][] b) {
    if (a.length != b.length) {
      return 90;
    }
    double[][] p = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      p[i] = a[i].clone();
      for (int j = 0; j < b.length; j++) {
        double c = dot(a[i], b[j]);
        for (int q = 0; q < p[i].length; q++) {
          p[i][q] -= c * b[j][q];
        }
      }
    }
    double[] sv = new SingularValueDecomposition(new Array2DRowRealMatrix(p, false))
        .getSingularValues();
    return Math.toDegrees(Math.asin(Math.min(1, sv[0])));
  }

  /** Every row's points turned by the row-major rotation {@code r} (no scale, no shift). */
  public static double[][] rotated(double[][] rows, double[] r) {
    double[][] out = new double[rows.length][];
    Procrustes.Similarity turn = new Procrustes.Similarity(r, 1, new double[3], 0);
    for (int k = 0; k < rows.length; k++) {
      out[k] = turn.apply(rows[k]);
    }
    return out;
  }
}
