package io.talkset.core.faceparams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The morphable model's arithmetic on meshes made from a known model ({@link SyntheticFaces}):
 * what the Spark job distributes, run here in one loop.
 */
class MorphableFitTest {

  /** Generalized Procrustes as the job runs it: align to the mean, average, repeat. */
  static double[] gpaMean(double[][] meshes) {
    double[] mean = Procrustes.normalized(meshes[0]);
    for (int it = 0; it < 20; it++) {
      double[] sum = new double[mean.length];
      for (double[] m : meshes) {
        double[] a = MorphableFit.align(m, mean).shape();
        for (int i = 0; i < sum.length; i++) {
          sum[i] += a[i];
        }
      }
      double[] next = MorphableFit.nextMean(sum, meshes.length, mean);
      double moved = Procrustes.rms(next, mean);
      mean = next;
      if (moved < 1e-9) {
        break;
      }
    }
    return mean;
  }

  @Test
  void learnsTheKnownSubspacesAndRecoversPoses() {
    SyntheticFaces f = new SyntheticFaces(11, 4, 6, 12, 40, 0.05, 0.03);
    double[] mean = gpaMean(f.meshes);
    int n = f.meshes.length;
    MorphableFit.Aligned[] al = new MorphableFit.Aligned[n];
    double worst = 0;
    for (int i = 0; i < n; i++) {
      al[i] = MorphableFit.align(f.meshes[i], mean);
    }
    double[] r0 = Procrustes.rotation(al[0].yaw(), al[0].pitch(), al[0].roll());
    for (int i = 1; i < n; i++) {
      double[] ri = Procrustes.rotation(al[i].yaw(), al[i].pitch(), al[i].roll());
      worst = Math.max(worst, Math.abs(Procrustes.angleBetween(ri, r0)
          - Procrustes.angleBetween(f.rotations[i], f.rotations[0])));
      // Relative rotation, compared as a rotation rather than as an angle.
      worst = Math.max(worst, Procrustes.angleBetween(mul(ri, t(r0)),
          mul(f.rotations[i], t(f.rotations[0]))));
    }
    Moments ids = new Moments(mean);
    Moments exps = new Moments(new double[mean.length]);
    List<double[]> segMeans = new ArrayList<>();
    for (int s = 0; s < f.segments; s++) {
      Moments seg = new Moments(mean);
      for (int j = 0; j < f.framesPerSegment; j++) {
        seg.add(al[s * f.framesPerSegment + j].shape());
      }
      double[] sm = seg.mean();
      segMeans.add(sm);
      ids.add(sm);
      for (int j = 0; j < f.framesPerSegment; j++) {
        double[] a = al[s * f.framesPerSegment + j].shape();
        double[] r = new double[a.length];
        for (int i = 0; i < r.length; i++) {
          r[i] = a[i] - sm[i];
        }
        exps.add(r);
      }
    }
    long t0 = System.nanoTime();
    Pca idPca = SymmetricEigen.pca(ids.covariance());
    Pca expPca = SymmetricEigen.pca(exps.covariance());
    double secs = (System.nanoTime() - t0) / 1e9;
    int kId = idPca.componentsFor(0.99, 80);
    int kExp = expPca.componentsFor(0.99, 64);
    // The learned model lives in the first frame's orientation (the Procrustes gauge): the
    // known bases are turned into it before their spans are compared.
    double[] g = Procrustes.align(f.mean, mean).rotation();
    double idAngle = SyntheticFaces.largestPrincipalAngle(idPca.leading(kId),
        SyntheticFaces.rotated(f.identity, g));
    double expAngle = SyntheticFaces.largestPrincipalAngle(expPca.leading(kExp),
        SyntheticFaces.rotated(f.expression, g));
    MorphableFit.Model learned = MorphableFit.Model.of(mean, idPca.leading(kId),
        expPca.leading(kExp));
    double worstRms = 0;
    for (double[] m : f.meshes) {
      worstRms = Math.max(worstRms, MorphableFit.fit(m, learned, null, 30).rmsPixels());
    }
    System.out.printf("morphable: worst relative rotation error %.2e deg; id %d comps, largest"
        + " angle %.3e deg; exp %d comps, %.3e deg; two 1404x1404 eigendecompositions %.1f s;"
        + " learned-model fit worst rms %.2e px%n", worst, kId, idAngle, kExp, expAngle, secs,
        worstRms);
    assertTrue(worst <= 0.5, "rotation error " + worst);
    assertEquals(4, kId);
    assertEquals(6, kExp);
    assertTrue(idAngle <= 1, "identity subspace angle " + idAngle);
    assertTrue(expAngle <= 1, "expression subspace angle " + expAngle);
    assertTrue(worstRms < 0.05, "learned-model residual " + worstRms + " px");
  }

  @Test
  void theKnownModelReproducesEveryFrameAtFloatPrecision() {
    SyntheticFaces f = new SyntheticFaces(12, 4, 6, 3, 20, 0.05, 0.03);
    MorphableFit.Model model = MorphableFit.Model.of(f.mean, f.identity, f.expression);
    double worstRms = 0;
    double worstCoef = 0;
    double worstRot = 0;
    for (int i = 0; i < f.meshes.length; i++) {
      MorphableFit.Fit fit = MorphableFit.fit(f.meshes[i], model, null, 50);
      worstRms = Math.max(worstRms, fit.rmsPixels());
      for (int k = 0; k < 4; k++) {
        worstCoef = Math.max(worstCoef, Math.abs(fit.identity()[k] - f.alpha[i][k]));
      }
      for (int k = 0; k < 6; k++) {
        worstCoef = Math.max(worstCoef, Math.abs(fit.expression()[k] - f.beta[i][k]));
      }
      MorphableFit.Aligned p = fit.pose();
      worstRot = Math.max(worstRot, Procrustes.angleBetween(
          Procrustes.rotation(p.yaw(), p.pitch(), p.roll()), f.rotations[i]));
      // Fixed identity (as the job does per segment): the same fit.
      MorphableFit.Fit held = MorphableFit.fit(f.meshes[i], model, f.alpha[i], 50);
      worstRms = Math.max(worstRms, held.rmsPixels());
    }
    System.out.printf("morphable: known model, worst rms %.2e px, coefficient error %.2e,"
        + " rotation error %.2e deg%n", worstRms, worstCoef, worstRot);
    assertTrue(worstRms < 1e-4, "rms " + worstRms + " px on a 60-140 px face");
    assertTrue(worstCoef < 1e-6, "coefficients off by " + worstCoef);
    assertTrue(worstRot < 1e-4, "rotation off by " + worstRot + " deg");
  }

  /**
   * The fit hoists what the mesh and a held identity fix out of its alternations and sums four
   * coefficients at a time, in the same order per value: so it must give exactly what the plain
   * loop ({@link ReferenceFit}) gives, bit for bit, on meshes the model cannot reproduce (noise
   * of 0.2 px, so every fit runs all its alternations) and on meshes it can (those stop early).
   * 4 + 6 components: the joint fit sums 10 coefficients, two of them in a short last group.
   */
  @Test
  void theFitIsThePlainLoopBitForBit() {
    SyntheticFaces f = new SyntheticFaces(13, 4, 6, 3, 10, 0.05, 0.03);
    MorphableFit.Model model = MorphableFit.Model.of(f.mean, f.identity, f.expression);
    java.util.Random rnd = new java.util.Random(14);
    int stoppedEarly = 0;
    for (int i = 0; i < f.meshes.length; i++) {
      double[] noisy = f.meshes[i].clone();
      for (int v = 0; v < noisy.length; v++) {
        noisy[v] += 0.2 * rnd.nextGaussian();
      }
      for (double[] m : new double[][] {noisy, f.meshes[i]}) {
        MorphableFit.Fit want = ReferenceFit.fit(m, model, null, 10);
        MorphableFit.Fit got = MorphableFit.fit(m, model, null, 10);
        assertSameFit(want, got);
        assertSameFit(ReferenceFit.fit(m, model, want.identity(), 10),
            MorphableFit.fit(m, model, want.identity(), 10));
        assertSameAligned(ReferenceFit.align(m, f.mean), MorphableFit.align(m, f.mean));
        if (MorphableFit.fit(m, model, null, 3).rmsPixels() == got.rmsPixels()) {
          stoppedEarly++;
        }
      }
    }
    assertTrue(stoppedEarly > 0, "some exact meshes stop before 3 alternations");
  }

  /** The early stop decides as the in-order sum does, also at the threshold itself. */
  @Test
  void theStepTestAgreesWithTheInOrderRms() {
    java.util.Random rnd = new java.util.Random(15);
    double[] a = new double[1404];
    double[] b = new double[1404];
    for (int t = 0; t < 2000; t++) {
      double size = Math.pow(10, -15 + 4 * rnd.nextDouble());
      for (int i = 0; i < a.length; i++) {
        a[i] = rnd.nextGaussian();
        b[i] = a[i] + size * rnd.nextGaussian();
      }
      double rms = Procrustes.rms(a, b);
      // Thresholds far from the step and equal to it (the in-order sum must decide those).
      for (double tol : new double[] {1e-13, rms, Math.nextUp(rms), Math.nextDown(rms)}) {
        assertEquals(rms < tol, MorphableFit.rmsBelow(a, b, tol), "rms " + rms + " tol " + tol);
      }
    }
    b[7] = Double.NaN;
    assertEquals(false, MorphableFit.rmsBelow(a, b, 1e-13));
  }

  static void assertSameFit(MorphableFit.Fit want, MorphableFit.Fit got) {
    assertSameAligned(want.pose(), got.pose());
    assertArrayEquals(want.identity(), got.identity());
    assertArrayEquals(want.expression(), got.expression());
    assertEquals(want.rmsPixels(), got.rmsPixels());
  }

  static void assertSameAligned(MorphableFit.Aligned want, MorphableFit.Aligned got) {
    // assertArrayEquals and assertEquals on doubles compare bits (Double.equals), not |a-b|.
    assertArrayEquals(want.shape(), got.shape());
    assertArrayEquals(new double[] {want.yaw(), want.pitch(), want.roll(), want.scale()},
        new double[] {got.yaw(), got.pitch(), got.roll(), got.scale()});
    assertArrayEquals(want.translation(), got.translation());
  }

  @Test
  void componentCountIsTheFewestReachingTheFractionWithinTheCap() {
    Pca p = new Pca(new double[] {5, 3, 1.5, 0.4, 0.1, 0}, new double[6][1]);
    assertEquals(3, p.componentsFor(0.9, 80));  // 9.5 of 10
    assertEquals(4, p.componentsFor(0.99, 80)); // 9.9 of 10
    assertEquals(2, p.componentsFor(0.99, 2));
    assertEquals(5, p.componentsFor(1.0, 80));  // never a zero-variance component
  }

  @Test
  void eigenpairsOfALowRankSymmetricMatrixSatisfyTheDefinition() {
    // Rank 5 in 60 dimensions: the case commons-math3's solver gives up on.
    java.util.Random rnd = new java.util.Random(5);
    int n = 60;
    double[][] x = new double[5][n];
    for (double[] row : x) {
      for (int i = 0; i < n; i++) {
        row[i] = rnd.nextGaussian();
      }
    }
    double[][] a = new double[n][n];
    for (double[] row : x) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          a[i][j] += row[i] * row[j];
        }
      }
    }
    Pca p = SymmetricEigen.pca(a);
    double worst = 0;
    for (int k = 0; k < n; k++) {
      double[] v = p.components()[k];
      for (int i = 0; i < n; i++) {
        double av = 0;
        for (int j = 0; j < n; j++) {
          av += a[i][j] * v[j];
        }
        worst = Math.max(worst, Math.abs(av - p.eigenvalues()[k] * v[i]));
      }
      for (int j = 0; j <= k; j++) {
        double dot = SyntheticFaces.dot(v, p.components()[j]);
        worst = Math.max(worst, Math.abs(dot - (j == k ? 1 : 0)));
      }
    }
    assertTrue(worst < 1e-10, "eigen residual " + worst);
    assertTrue(p.eigenvalues()[4] > 1 && p.eigenvalues()[5] < 1e-10, "rank 5");
  }

  static double[] mul(double[] a, double[] b) {
    double[] c = new double[9];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 3; k++) {
          c[3 * i + j] += a[3 * i + k] * b[3 * k + j];
        }
      }
    }
    return c;
  }

  static double[] t(double[] a) {
    return new double[] {a[0], a[3], a[6], a[1], a[4], a[7], a[2], a[5], a[8]};
  }
}
