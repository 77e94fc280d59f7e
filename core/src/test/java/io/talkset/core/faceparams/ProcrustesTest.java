package io.talkset.core.faceparams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Procrustes on synthetic meshes made from a known shape, a known linear deformation basis and
 * known similarities: what is recovered is what was put in.
 */
class ProcrustesTest {
  static final int POINTS = 468;

  /** A face-sized, face-like cloud: an ellipsoid cap, wider than deep. */
  static double[] baseShape(Random rnd) {
    double[] s = new double[3 * POINTS];
    for (int i = 0; i < POINTS; i++) {
      double u = rnd.nextDouble() * 2 - 1;
      double v = rnd.nextDouble() * 2 - 1;
      s[3 * i] = 70 * u;
      s[3 * i + 1] = 90 * v;
      s[3 * i + 2] = 40 * Math.sqrt(Math.max(0, 1 - 0.7 * u * u - 0.5 * v * v));
    }
    return s;
  }

  @Test
  void anExactSimilarityIsRecoveredExactly() {
    Random rnd = new Random(1);
    double[] x = baseShape(rnd);
    for (int k = 0; k < 50; k++) {
      double[] r = Procrustes.rotation(rnd.nextDouble() * 340 - 170, rnd.nextDouble() * 170 - 85,
          rnd.nextDouble() * 340 - 170);
      double scale = 0.2 + 3 * rnd.nextDouble();
      double[] t = {rnd.nextGaussian() * 300, rnd.nextGaussian() * 300, rnd.nextGaussian() * 300};
      double[] y = new Procrustes.Similarity(r, scale, t, 0).apply(x);
      Procrustes.Similarity s = Procrustes.align(x, y);
      // acos near 1 resolves angles to about 1e-6 degrees.
      assertTrue(Procrustes.angleBetween(r, s.rotation()) < 1e-5, "rotation " + k);
      assertEquals(scale, s.scale(), 1e-9 * scale);
      for (int a = 0; a < 3; a++) {
        assertEquals(t[a], s.translation()[a], 1e-7);
      }
      assertTrue(s.rms() < 1e-9, "rms " + s.rms());
      assertEquals(1.0, det(s.rotation()), 1e-12, "a proper rotation");
    }
  }

  /** A mirror image cannot be reached by a rotation: the fit stays proper and says so in rms. */
  @Test
  void aMirrorImageIsNotFittedByAReflection() {
    double[] x = baseShape(new Random(2));
    double[] m = x.clone();
    for (int i = 0; i < m.length; i += 3) {
      m[i] = -m[i];
    }
    Procrustes.Similarity s = Procrustes.align(x, m);
    assertEquals(1.0, det(s.rotation()), 1e-12);
    assertTrue(s.rms() > 10, "a mirrored face does not fit: rms " + s.rms());
  }

  /**
   * 300 frames: the shape deformed by a 6-component basis, turned by yaw ±40°, pitch ±25°,
   * roll ±20°, scaled 0.5-2× and moved. The analysis recovers every frame's rotation relative
   * to the first within 0.5° when the deformation moves points by about 1.5% of the face's
   * half-width (1 px on a 70 px half-face); the error grows with the deformation, since a
   * shape change that is not a rotation still pulls on the fit (printed: about 0.9° at 3%).
   */
  @Test
  void generalizedProcrustesRecoversPoseUnderShapeChange() {
    double small = worstRotationError(0.5);
    double larger = worstRotationError(1.0);
    System.out.printf("procrustes: worst rotation error %.3f deg at 1.5%% deformation,"
        + " %.3f deg at 3%%%n", small, larger);
    assertTrue(small <= 0.5, "worst rotation error " + small + " deg");
    assertTrue(larger > small, "more deformation, more error");
  }

  private static double worstRotationError(double amplitude) {
    Random rnd = new Random(3);
    double[] base = baseShape(rnd);
    int k = 6;
    double[][] basis = new double[k][3 * POINTS];
    for (int j = 0; j < k; j++) {
      for (int i = 0; i < basis[j].length; i++) {
        basis[j][i] = rnd.nextGaussian();
      }
    }
    int frames = 300;
    List<double[]> sets = new ArrayList<>();
    List<double[]> truth = new ArrayList<>();
    for (int f = 0; f < frames; f++) {
      double[] shape = base.clone();
      for (int j = 0; j < k; j++) {
        double c = rnd.nextGaussian() * amplitude;
        for (int i = 0; i < shape.length; i++) {
          shape[i] += c * basis[j][i];
        }
      }
      double[] r = Procrustes.rotation(rnd.nextDouble() * 80 - 40, rnd.nextDouble() * 50 - 25,
          rnd.nextDouble() * 40 - 20);
      truth.add(r);
      double[] t = {rnd.nextGaussian() * 100, rnd.nextGaussian() * 100, 500};
      sets.add(new Procrustes.Similarity(r, 0.5 + 1.5 * rnd.nextDouble(), t, 0).apply(shape));
    }
    Procrustes.Analysis a = Procrustes.generalized(sets, 50, 1e-10);
    // Frame f is truth_f applied to a shape; its map takes it to the mean, so
    // map_f · truth_f is one constant rotation C (the mean's orientation) for every frame.
    double[] c0 = multiply(a.maps().get(0).rotation(), truth.get(0));
    double worst = 0;
    for (int f = 0; f < frames; f++) {
      double[] cf = multiply(a.maps().get(f).rotation(), truth.get(f));
      worst = Math.max(worst, Procrustes.angleBetween(c0, cf));
    }
    assertTrue(a.iterations() < 50, "converged in " + a.iterations());
    assertEquals(1.0, Procrustes.rms(a.mean(), new double[a.mean().length]), 1e-9,
        "the mean has unit radius");
    return worst;
  }

  @Test
  void anglesRoundTrip() {
    Random rnd = new Random(4);
    for (int i = 0; i < 100; i++) {
      double a = rnd.nextDouble() * 340 - 170;
      double b = rnd.nextDouble() * 170 - 85;
      double c = rnd.nextDouble() * 340 - 170;
      double[] back = Procrustes.angles(Procrustes.rotation(a, b, c));
      assertEquals(a, back[0], 1e-9);
      assertEquals(b, back[1], 1e-9);
      assertEquals(c, back[2], 1e-9);
    }
  }

  static double det(double[] r) {
    return r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6])
        + r[2] * (r[3] * r[7] - r[4] * r[6]);
  }

  static double[] multiply(double[] x, double[] y) {
    double[] o = new double[9];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 3; k++) {
          o[3 * i + j] += x[3 * i + k] * y[3 * k + j];
        }
      }
    }
    return o;
  }
}
