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
    // The pose from the map is unchanged; how the map is found (the public align) is the
    // reference part.
    Procrustes.Similarity s = Procrustes.align(mesh, mean);
    return MorphableFit.pose(s, s.apply(mesh));
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
