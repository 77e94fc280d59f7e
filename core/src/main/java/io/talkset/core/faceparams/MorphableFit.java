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
    Procrustes.Similarity s = Procrustes.similarity(new Procrustes.Source(mesh), mean);
    return pose(s, s.apply(mesh));
  }

  /** The pose of the map {@code s} (source → model) and the shape it gives. */
  static Aligned pose(Procrustes.Similarity s, double[] shape) {
    double[] r = s.rotation();
    double[] rt = {r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]};
    double[] a = Procrustes.angles(rt);
    double inv = 1 / s.scale();
    double[] t = s.translation();
    double[] origin = {
        -inv * (rt[0] * t[0] + rt[1] * t[1] + rt[2] * t[2]),
        -inv * (rt[3] * t[0] + rt[4] * t[1] + rt[5] * t[2]),
        -inv * (rt[6] * t[0] + rt[7] * t[1] + rt[8] * t[2])};
    return new Aligned(shape, a[0], a[1], a[2], origin, inv);
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
    // What depends on the mesh alone (its centroid, centred points, norm) and on the held
    // identity (its shape) is computed once, not in every alternation; the sums themselves run
    // in the order of the plain loop (MorphableFitTest compares the two bit for bit).
    Procrustes.Source src = new Procrustes.Source(mesh);
    int kId = model.identity().length;
    double[][] basis = identity == null ? stack(model.identity(), model.expression())
        : model.expression();
    double[] base = identity == null ? model.mean()
        : combine(model.mean(), model.identity(), identity);
    double[] target = base;
    double[] id = identity;
    double[] exp = new double[model.expression().length];
    double[] shape = new double[mesh.length];
    double[] diff = new double[mesh.length];
    for (int it = 0; it < iterations; it++) {
      Procrustes.similarity(src, target).apply(mesh, shape);
      for (int i = 0; i < diff.length; i++) {
        diff[i] = shape[i] - base[i];
      }
      double[] c = projectDifference(basis, diff);
      if (identity == null) {
        c = times(model.jointInverse(), c);
        id = java.util.Arrays.copyOfRange(c, 0, kId);
        exp = java.util.Arrays.copyOfRange(c, kId, c.length);
      } else {
        exp = c;
      }
      // mean + Uᵀ id + Vᵀ exp in one pass over the stacked basis: each value gets its terms
      // in the same order as the two combines, base then identity then expression.
      double[] next = combine(base, basis, c);
      boolean settled = rmsBelow(next, target, 1e-13);
      target = next;
      if (settled) {
        break;
      }
    }
    Procrustes.Similarity s = Procrustes.similarity(src, target);
    Aligned a = pose(s, s.apply(mesh));
    return new Fit(a, id, exp, Procrustes.rms(a.shape(), target) * a.scale());
  }

  /** {@code m · v}, each value summed in column order. */
  private static double[] times(double[][] m, double[] v) {
    double[] c = new double[m.length];
    for (int i = 0; i < c.length; i++) {
      double acc = 0;
      for (int j = 0; j < v.length; j++) {
        acc += m[i][j] * v[j];
      }
      c[i] = acc;
    }
    return c;
  }

  /**
   * {@code basis · d}: what {@link #project} gives for {@code d = x - origin}, each
   * coefficient summed over the values in the same order, but four coefficients at a time.
   * One running sum waits on the previous addition at every value; four independent ones keep
   * the adder busy (the fit's largest cost was these sums, one after the other).
   */
  static double[] projectDifference(double[][] basis, double[] d) {
    int k = basis.length;
    double[] c = new double[k];
    int n = d.length;
    for (int k0 = 0; k0 < k; k0 += 4) {
      // A short last group repeats its last row; those sums are computed and dropped.
      double[] b0 = basis[k0];
      double[] b1 = basis[Math.min(k0 + 1, k - 1)];
      double[] b2 = basis[Math.min(k0 + 2, k - 1)];
      double[] b3 = basis[Math.min(k0 + 3, k - 1)];
      double a0 = 0;
      double a1 = 0;
      double a2 = 0;
      double a3 = 0;
      for (int i = 0; i < n; i++) {
        double di = d[i];
        a0 += b0[i] * di;
        a1 += b1[i] * di;
        a2 += b2[i] * di;
        a3 += b3[i] * di;
      }
      c[k0] = a0;
      if (k0 + 1 < k) {
        c[k0 + 1] = a1;
      }
      if (k0 + 2 < k) {
        c[k0 + 2] = a2;
      }
      if (k0 + 3 < k) {
        c[k0 + 3] = a3;
      }
    }
    return c;
  }

  /**
   * Whether {@code Procrustes.rms(a, b) < tol}, as that in-order sum decides it. Four running
   * sums round differently, but a sum of squares in any order is within len·ε of the in-order
   * one; only a sum that close to the threshold (never, in practice) is summed again in order.
   */
  static boolean rmsBelow(double[] a, double[] b, double tol) {
    int n = a.length;
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      double d0 = a[i] - b[i];
      double d1 = a[i + 1] - b[i + 1];
      double d2 = a[i + 2] - b[i + 2];
      double d3 = a[i + 3] - b[i + 3];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; i < n; i++) {
      double d = a[i] - b[i];
      s0 += d * d;
    }
    double ss = (s0 + s1) + (s2 + s3);
    double threshold = tol * tol * (n / 3);
    if (ss > threshold * (1 + 1e-9)) {
      return false;
    }
    if (ss < threshold * (1 - 1e-9)) {
      return true;
    }
    return Procrustes.rms(a, b) < tol;  // close to the threshold, or NaN
  }
}
