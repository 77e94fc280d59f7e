package io.talkset.core.faceparams;

import java.util.Arrays;

/**
 * {@link MorphableFit#fit} as it was first written, kept as the reference its faster form must
 * match bit for bit: every alternation aligns with the public {@link Procrustes#align} (which
 * recomputes the mesh's centroid and norm), projects with {@link MorphableFit#project} (one
 * running sum per coefficient) and measures the step with {@link Procrustes#rms}.
 */
final class ReferenceFit {
  private ReferenceFit() {}

  static MorphableFit.Aligned align(double[] mesh, double[] mean) {
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
    return new MorphableFit.Aligned(s.apply(mesh), a[0], a[1], a[2], origin, inv);
  }

  static MorphableFit.Fit fit(double[] mesh, MorphableFit.Model model, double[] identity,
      int iterations) {
    double[] target = identity == null ? model.mean()
        : MorphableFit.combine(model.mean(), model.identity(), identity);
    MorphableFit.Aligned a;
    double[] id = identity;
    double[] exp = new double[model.expression().length];
    for (int it = 0; it < iterations; it++) {
      a = align(mesh, target);
      if (identity == null) {
        double[] r = MorphableFit.project(
            MorphableFit.stack(model.identity(), model.expression()), a.shape(), model.mean());
        double[] c = new double[r.length];
        for (int i = 0; i < c.length; i++) {
          double acc = 0;
          for (int j = 0; j < r.length; j++) {
            acc += model.jointInverse()[i][j] * r[j];
          }
          c[i] = acc;
        }
        id = Arrays.copyOfRange(c, 0, model.identity().length);
        exp = Arrays.copyOfRange(c, model.identity().length, c.length);
      } else {
        exp = MorphableFit.project(model.expression(), a.shape(),
            MorphableFit.combine(model.mean(), model.identity(), identity));
      }
      double[] next = MorphableFit.combine(
          MorphableFit.combine(model.mean(), model.identity(), id), model.expression(), exp);
      double moved = Procrustes.rms(next, target);
      target = next;
      if (moved < 1e-13) {
        break;
      }
    }
    a = align(mesh, target);
    return new MorphableFit.Fit(a, id, exp, Procrustes.rms(a.shape(), target) * a.scale());
  }
}
