package io.talkset.core.faceparams;

/**
 * The per-frame arithmetic of a learned morphable model, kept free of Spark so it is tested
 * alone: a frame's mesh aligned onto the model's mean shape (the pose), the identity and
 * expression coefficients of the aligned shape, and the residual of the reconstruction.
 *
 * <p>The model is {@code mesh ≈ scale · R · (mean + Uᵀ·id + Vᵀ·exp) + translation}: mean, U
 * (identity basis, rows) and V (expression basis, rows) live in the model's frame, where the
 * mean shape is centred with unit root-mean-square radius; R, scale and translation map the
 * model into the source picture (pixels).
 */
public final class MorphableFit {
  private MorphableFit() {}

  /** A frame's pose (model → source) and its shape in the model's frame. */
  public record Aligned(double[] shape, double yaw, double pitch, double roll,
      double[] translation, double scale) {}

  /**
   * Aligns {@code mesh} (source pixels) onto {@code mean}. Procrustes gives the map source →
   * model; the pose reported is its inverse, the map model → source, because that is how a
   * 3DMM poses its shape: angles of {@code Rᵀ} as {@link Procrustes#angles} (Ry·Rx·Rz: yaw,
   * pitch, roll), scale in source pixels per model unit, translation = where the model's origin
   * (the shape's centroid) lands in the source.
   */
  public static Aligned align(double[] mesh, double[] mean) {
    Procrustes.Similarity s = Procrustes.align(mesh, mean);
    double[] r = s.rotation();
    double[] rt = {r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]};
    double[] a = Procrustes.angles(rt);
    double inv = 1 / s.scale();
    double[] t = s.translation();
    double[] origin = {
        -inv * (rt[0] * t[0] + rt[1] * t[1] + rt[2] * t[2]),
        -inv * (rt[3] * t[0] + rt[4] * t[1] + rt[5] * t[2]),
        -inv * (rt[6] * t[0] + rt[7] * t[1] + rt[8] * t[2])};
    return new Aligned(s.apply(mesh), a[0], a[1], a[2], origin, inv);
  }

  /**
   * One step of generalized Procrustes: the sum of {@code n} shapes aligned onto
   * {@code previous}, averaged, re-centred, scaled to unit radius and turned back onto
   * {@code previous}, so the gauge (size, place, orientation) stays and only the shape moves.
   */
  public static double[] nextMean(double[] sum, long n, double[] previous) {
    double[] avg = new double[sum.length];
    for (int i = 0; i < avg.length; i++) {
      avg[i] = sum[i] / n;
    }
    double[] norm = Procrustes.normalized(avg);
    return Procrustes.normalized(Procrustes.align(norm, previous).apply(norm));
  }

  /** {@code basis · (x - origin)}: coefficients of x in an orthonormal basis (rows). */
  public static double[] project(double[][] basis, double[] x, double[] origin) {
    double[] c = new double[basis.length];
    for (int k = 0; k < basis.length; k++) {
      double[] b = basis[k];
      double acc = 0;
      for (int i = 0; i < x.length; i++) {
        acc += b[i] * (x[i] - origin[i]);
      }
      c[k] = acc;
    }
    return c;
  }

  /** {@code origin + basisᵀ · coefficients}. */
  public static double[] combine(double[] origin, double[][] basis, double[] coefficients) {
    double[] x = origin.clone();
    for (int k = 0; k < coefficients.length; k++) {
      double c = coefficients[k];
      double[] b = basis[k];
      for (int i = 0; i < x.length; i++) {
        x[i] += c * b[i];
      }
    }
    return x;
  }

  /**
   * A learned model: mean shape, identity basis U and expression basis V (rows, each
   * orthonormal; U and V need not be orthogonal to each other), and the pseudo-inverse of the
   * Gram matrix of U and V stacked, for the joint least-squares fit of both.
   */
  public record Model(double[] mean, double[][] identity, double[][] expression,
      double[][] jointInverse) implements java.io.Serializable {
    public static Model of(double[] mean, double[][] identity, double[][] expression) {
      int k = identity.length + expression.length;
      double[][] b = stack(identity, expression);
      double[][] g = new double[k][k];
      for (int i = 0; i < k; i++) {
        for (int j = i; j < k; j++) {
          double acc = 0;
          for (int p = 0; p < b[i].length; p++) {
            acc += b[i][p] * b[j][p];
          }
          g[i][j] = acc;
          g[j][i] = acc;
        }
      }
      double[][] inv = new org.apache.commons.math3.linear.SingularValueDecomposition(
          new org.apache.commons.math3.linear.Array2DRowRealMatrix(g, false))
          .getSolver().getInverse().getData();
      return new Model(mean, identity, expression, inv);
    }
  }

  static double[][] stack(double[][] a, double[][] b) {
    double[][] s = new double[a.length + b.length][];
    System.arraycopy(a, 0, s, 0, a.length);
    System.arraycopy(b, 0, s, a.length, b.length);
    return s;
  }

  /**
   * A frame's fit: its pose (model → source), coefficients, and the residual RMS per point in
   * source pixels.
   */
  public record Fit(Aligned pose, double[] identity, double[] expression, double rmsPixels) {}

  /**
   * Fits the model to one mesh by alternating the similarity (align the mesh onto the current
   * reconstruction) and the linear coefficients (least squares of the aligned shape), so pose
   * and shape are estimated together: aligning onto the mean alone would pull a deformed face
   * towards the mean (shrink it, turn it a little) and leave a residual of second order in the
   * deformation; at the fixed point a mesh the model can represent is reproduced exactly.
   *
   * @param identity the segment's identity coefficients, held fixed; null to fit them too
   */
  public static Fit fit(double[] mesh, Model model, double[] identity, int iterations) {
    double[] target = identity == null ? model.mean()
        : combine(model.mean(), model.identity(), identity);
    Aligned a = null;
    double[] id = identity;
    double[] exp = new double[model.expression().length];
    for (int it = 0; it < iterations; it++) {
      a = align(mesh, target);
      if (identity == null) {
        double[] c = jointProject(model, a.shape());
        id = java.util.Arrays.copyOfRange(c, 0, model.identity().length);
        exp = java.util.Arrays.copyOfRange(c, model.identity().length, c.length);
      } else {
        exp = project(model.expression(), a.shape(),
            combine(model.mean(), model.identity(), identity));
      }
      double[] next = combine(combine(model.mean(), model.identity(), id),
          model.expression(), exp);
      double moved = Procrustes.rms(next, target);
      target = next;
      if (moved < 1e-13) {
        break;
      }
    }
    a = align(mesh, target);
    return new Fit(a, id, exp, Procrustes.rms(a.shape(), target) * a.scale());
  }

  /** Least-squares coefficients of {@code x - mean} in U and V stacked. */
  static double[] jointProject(Model model, double[] x) {
    double[][] b = stack(model.identity(), model.expression());
    double[] r = project(b, x, model.mean());
    double[][] inv = model.jointInverse();
    double[] c = new double[r.length];
    for (int i = 0; i < c.length; i++) {
      double acc = 0;
      for (int j = 0; j < r.length; j++) {
        acc += inv[i][j] * r[j];
      }
      c[i] = acc;
    }
    return c;
  }
}
