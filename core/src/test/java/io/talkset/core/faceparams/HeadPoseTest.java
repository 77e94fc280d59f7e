package io.talkset.core.faceparams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.faceparams.HeadPose.Pose;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Synthetic faces: the template (or a deformed copy) turned by elementary rotations written here
 * from their physical description, and projected by a pinhole written here, so the expected
 * angles do not come from the code under test.
 */
class HeadPoseTest {
  /** Pixels per mm on the face: the outer eye corners ~130 px apart, a face ~200 px wide. */
  static final double PX_PER_MM = 1.43;
  static final int[][] PICTURES = {{640, 480}, {1280, 720}, {1920, 1080}};

  /** A rigid head pose to synthesise, in the conventions of {@link HeadPose}. */
  record Truth(double yaw, double pitch, double roll, double tx, double ty, double tz) {}

  /**
   * Turns template-frame points: roll counter-clockwise as seen by the camera, then pitch
   * nose-up, then yaw nose-to-the-picture's-right; then the camera sees them.
   */
  static double[] synth(double[] pts, Truth t, double f, int w, int h) {
    int n = pts.length / 3;
    double[] uv = new double[2 * n];
    double r = Math.toRadians(t.roll);
    double p = Math.toRadians(t.pitch);
    double y = Math.toRadians(t.yaw);
    for (int i = 0; i < n; i++) {
      double x0 = pts[3 * i];
      double y0 = pts[3 * i + 1];
      double z0 = pts[3 * i + 2];
      // Roll: +x towards +y (counter-clockwise with y up).
      double x1 = x0 * Math.cos(r) - y0 * Math.sin(r);
      double y1 = x0 * Math.sin(r) + y0 * Math.cos(r);
      double z1 = z0;
      // Pitch: the nose (+z) towards +y.
      double y2 = y1 * Math.cos(p) + z1 * Math.sin(p);
      double z2 = -y1 * Math.sin(p) + z1 * Math.cos(p);
      double x2 = x1;
      // Yaw: the nose (+z) towards +x.
      double x3 = x2 * Math.cos(y) + z2 * Math.sin(y);
      double z3 = -x2 * Math.sin(y) + z2 * Math.cos(y);
      double y3 = y2;
      // Camera: x right, y down, z away from the camera; the face origin at (tx, ty, tz).
      double xc = x3 + t.tx;
      double yc = -y3 + t.ty;
      double zc = -z3 + t.tz;
      uv[2 * i] = w / 2.0 + f * xc / zc;
      uv[2 * i + 1] = h / 2.0 + f * yc / zc;
    }
    return uv;
  }

  static float[] landmarks(double[] uv) {
    int[] idx = HeadPose.templateIndices();
    float[] xy = new float[136];
    Arrays.fill(xy, Float.NaN);
    for (int i = 0; i < idx.length; i++) {
      xy[2 * idx[i]] = (float) uv[2 * i];
      xy[2 * idx[i] + 1] = (float) uv[2 * i + 1];
    }
    return xy;
  }

  /** Every angle combination, at each picture size, at a spread of places in the picture. */
  static List<Object[]> grid(Random rnd) {
    return grid(rnd, PX_PER_MM);
  }

  static List<Object[]> grid(Random rnd, double pxPerMm) {
    List<Object[]> cases = new ArrayList<>();
    for (int[] pic : PICTURES) {
      double f = HeadPose.defaultFocal(pic[0], pic[1]);
      double tz = f / pxPerMm;
      for (int yaw = -45; yaw <= 45; yaw += 15) {
        for (int pitch = -20; pitch <= 20; pitch += 10) {
          for (int roll = -20; roll <= 20; roll += 10) {
            // Anywhere in the middle 60% of the picture.
            double tx = (rnd.nextDouble() - 0.5) * 0.6 * pic[0] * tz / f;
            double ty = (rnd.nextDouble() - 0.5) * 0.6 * pic[1] * tz / f;
            cases.add(new Object[] {new Truth(yaw, pitch, roll, tx, ty, tz), pic});
          }
        }
      }
    }
    return cases;
  }

  /** Mean absolute yaw, pitch, roll error (deg) and mean relative distance error. */
  static double[] errors(double[] shape, double noisePx, long seed, String label) {
    return errors(shape, noisePx, PX_PER_MM, seed, label);
  }

  static double[] errors(double[] shape, double noisePx, double pxPerMm, long seed,
      String label) {
    Random rnd = new Random(seed);
    double[] sum = new double[4];
    double[] max = new double[3];
    List<Object[]> cases = grid(rnd, pxPerMm);
    int draws = 4;
    for (Object[] c : cases) {
      Truth t = (Truth) c[0];
      int[] pic = (int[]) c[1];
      double f = HeadPose.defaultFocal(pic[0], pic[1]);
      double[] clean = synth(shape, t, f, pic[0], pic[1]);
      for (int d = 0; d < draws; d++) {
        double[] uv = clean.clone();
        for (int i = 0; i < uv.length; i++) {
          uv[i] += noisePx * rnd.nextGaussian();
        }
        Pose p = HeadPose.estimate(landmarks(uv), pic[0], pic[1]);
        double[] e = {Math.abs(p.yawDeg() - t.yaw), Math.abs(p.pitchDeg() - t.pitch),
            Math.abs(p.rollDeg() - t.roll)};
        for (int k = 0; k < 3; k++) {
          sum[k] += e[k];
          max[k] = Math.max(max[k], e[k]);
        }
        sum[3] += Math.abs(p.tz() / t.tz - 1);
      }
    }
    int n = cases.size() * draws;
    double[] mae = {sum[0] / n, sum[1] / n, sum[2] / n, sum[3] / n};
    System.out.printf(Locale.ROOT, "HeadPose %-34s n=%d  MAE yaw %.2f° pitch %.2f° roll %.2f°"
        + "  (max %.1f° %.1f° %.1f°)  |tz| %.1f%%%n", label, n, mae[0], mae[1], mae[2], max[0],
        max[1], max[2], 100 * mae[3]);
    return mae;
  }

  @Test
  void recoversExactPosesWithoutNoise() {
    Random rnd = new Random(1);
    for (Object[] c : grid(rnd)) {
      Truth t = (Truth) c[0];
      int[] pic = (int[]) c[1];
      double f = HeadPose.defaultFocal(pic[0], pic[1]);
      Pose p = HeadPose.estimate(landmarks(synth(HeadPose.template3d(), t, f, pic[0], pic[1])),
          pic[0], pic[1]);
      String at = t.toString();
      assertEquals(t.yaw, p.yawDeg(), 0.01, at);
      assertEquals(t.pitch, p.pitchDeg(), 0.01, at);
      assertEquals(t.roll, p.rollDeg(), 0.01, at);
      assertEquals(t.tx, p.tx(), 0.05, at);
      assertEquals(t.ty, p.ty(), 0.05, at);
      assertEquals(t.tz, p.tz(), 0.05, at);
      // Float landmarks: a few thousandths of a pixel.
      assertTrue(p.reprojectionErrorPx() < 0.01, at + " rms " + p.reprojectionErrorPx());
    }
  }

  @Test
  void withOnePixelNoiseTheAnglesAreWithinThreeDegrees() {
    double[] mae = errors(HeadPose.template3d(), 1.0, 7, "template, σ=1 px");
    assertTrue(mae[0] <= 3 && mae[1] <= 3 && mae[2] <= 3, Arrays.toString(mae));
    // Half the size (a face ~100 px wide): the same noise weighs twice as much.
    double[] small = errors(HeadPose.template3d(), 1.0, PX_PER_MM / 2, 8,
        "template, σ=1 px, face ~100 px");
    assertTrue(small[0] <= 3 && small[1] <= 3 && small[2] <= 3, Arrays.toString(small));
  }

  @Test
  void aFaceOfAnotherShapeStillGivesItsAngles() {
    // A flatter (depth × 0.85) and wider (x × 1.05) face than the template.
    double[] shape = HeadPose.template3d();
    for (int i = 0; i < shape.length; i += 3) {
      shape[i] *= 1.05;
      shape[i + 2] *= 0.85;
    }
    double[] clean = errors(shape, 0, 11, "depth×0.85 width×1.05, no noise");
    double[] noisy = errors(shape, 1.0, 11, "depth×0.85 width×1.05, σ=1 px");
    // A flatter face turned looks much like the template turned less: the depth error comes
    // out mostly as yaw underestimated (without noise, 15° reads 11.4°, 45° reads 40.6°).
    // Pitch and roll are barely affected.
    assertTrue(clean[0] <= 4 && clean[1] <= 2 && clean[2] <= 1, Arrays.toString(clean));
    assertTrue(noisy[0] <= 4 && noisy[1] <= 2 && noisy[2] <= 1, Arrays.toString(noisy));
  }

  @Test
  void anExpressionMovesTheAnglesLittle() {
    // Brows raised 5 mm, a smile: mouth corners 4 mm out and 3 mm up.
    double[] shape = HeadPose.template3d();
    int[] idx = HeadPose.templateIndices();
    for (int i = 0; i < idx.length; i++) {
      if (idx[i] >= 17 && idx[i] <= 26) {
        shape[3 * i + 1] += 5;
      }
      if (idx[i] == 48 || idx[i] == 54) {
        shape[3 * i] += Math.signum(shape[3 * i]) * 4;
        shape[3 * i + 1] += 3;
      }
    }
    double[] mae = errors(shape, 1.0, 13, "raised brows + smile, σ=1 px");
    assertTrue(mae[0] <= 4 && mae[1] <= 4 && mae[2] <= 4, Arrays.toString(mae));
  }

  @Test
  void signsFollowThePicture() {
    int w = 1280;
    int h = 720;
    double f = HeadPose.defaultFocal(w, h);
    double[] tpl = HeadPose.template3d();
    int nose = indexOf(30);
    int eyeR = indexOf(36);
    int eyeL = indexOf(45);

    // Turned 20° so the nose points to the picture's right.
    double[] uv = synth(tpl, new Truth(20, 0, 0, 0, 0, 900), f, w, h);
    assertTrue(uv[2 * nose] > (uv[2 * eyeR] + uv[2 * eyeL]) / 2, "nose right of the eyes");
    assertEquals(20, HeadPose.estimate(landmarks(uv), w, h).yawDeg(), 0.01);

    // Head up 15°: the nose tip rises towards the eyes (smaller y in the picture).
    double[] level = synth(tpl, new Truth(0, 0, 0, 0, 0, 900), f, w, h);
    uv = synth(tpl, new Truth(0, 15, 0, 0, 0, 900), f, w, h);
    double eyesY = (uv[2 * eyeR + 1] + uv[2 * eyeL + 1]) / 2;
    double eyesYLevel = (level[2 * eyeR + 1] + level[2 * eyeL + 1]) / 2;
    assertTrue(uv[2 * nose + 1] - eyesY < level[2 * nose + 1] - eyesYLevel, "nose rises");
    assertEquals(15, HeadPose.estimate(landmarks(uv), w, h).pitchDeg(), 0.01);

    // Counter-clockwise 10° in the picture: the eye on the picture's right is higher.
    uv = synth(tpl, new Truth(0, 0, 10, 0, 0, 900), f, w, h);
    assertTrue(uv[2 * eyeL + 1] < uv[2 * eyeR + 1], "picture-right eye higher");
    assertEquals(10, HeadPose.estimate(landmarks(uv), w, h).rollDeg(), 0.01);

    // A face in the right half of the picture: positive tx; below the centre: positive ty.
    Pose p = HeadPose.estimate(landmarks(synth(tpl, new Truth(0, 0, 0, 150, 80, 900), f, w, h)),
        w, h);
    assertEquals(150, p.tx(), 0.05);
    assertEquals(80, p.ty(), 0.05);
    assertEquals(900, p.tz(), 0.05);
  }

  @Test
  void projectMatchesAnIndependentPinhole() {
    Truth t = new Truth(30, -12, 8, -40, 25, 700);
    double[] ours = synth(HeadPose.template3d(), t, 1000, 1280, 720);
    double[] theirs = HeadPose.project(HeadPose.template3d(),
        Pose.of(t.yaw, t.pitch, t.roll, t.tx, t.ty, t.tz), 1000, 1280, 720);
    assertArrayEquals(ours, theirs, 1e-9);
    float[] xy = HeadPose.landmarks68(HeadPose.template3d(),
        Pose.of(t.yaw, t.pitch, t.roll, t.tx, t.ty, t.tz), 1000, 1280, 720);
    assertEquals(ours[2 * indexOf(30)], xy[60], 1e-3);
    assertTrue(Float.isNaN(xy[0]), "non-template points are NaN");
  }

  @Test
  void anExplicitFocalLengthIsUsed() {
    // A long lens: the same face, farther away.
    Truth t = new Truth(-25, 10, -5, 30, -20, 3000);
    double f = 4200;
    Pose p = HeadPose.estimate(landmarks(synth(HeadPose.template3d(), t, f, 1920, 1080)), 1920,
        1080, f);
    assertEquals(-25, p.yawDeg(), 0.01);
    assertEquals(10, p.pitchDeg(), 0.01);
    assertEquals(-5, p.rollDeg(), 0.01);
    assertEquals(3000, p.tz(), 0.5);
  }

  @Test
  void templateIsAnthropometricallyPlausible() {
    double[] tpl = HeadPose.template3d();
    assertEquals(90, dist(tpl, indexOf(36), indexOf(45)), 1e-9); // ex-ex
    assertEquals(32, dist(tpl, indexOf(39), indexOf(42)), 1e-9); // en-en
    assertEquals(52, dist(tpl, indexOf(48), indexOf(54)), 1e-9); // ch-ch
    assertEquals(50, tpl[3 * indexOf(27) + 1] - tpl[3 * indexOf(33) + 1], 1e-9); // n-sn
    for (int i = 0; i < HeadPose.POINTS; i++) {
      // Bilateral symmetry: every point has a mirror image (or lies on the mid-plane).
      boolean mirrored = false;
      for (int j = 0; j < HeadPose.POINTS; j++) {
        mirrored |= tpl[3 * j] == -tpl[3 * i] && tpl[3 * j + 1] == tpl[3 * i + 1]
            && tpl[3 * j + 2] == tpl[3 * i + 2];
      }
      assertTrue(mirrored, "point " + HeadPose.templateIndices()[i]);
    }
  }

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> HeadPose.estimate(new float[10], 64, 64));
    float[] xy = landmarks(synth(HeadPose.template3d(), new Truth(0, 0, 0, 0, 0, 500), 640, 640,
        480));
    xy[2 * 30] = Float.NaN;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HeadPose.estimate(xy, 640, 480));
    assertTrue(e.getMessage().contains("landmark 30"), e.getMessage());
  }

  @Test
  void isThreadSafeAndFast() throws Exception {
    Random rnd = new Random(3);
    List<Object[]> cases = grid(rnd);
    float[][] inputs = new float[cases.size()][];
    Pose[] serial = new Pose[cases.size()];
    for (int i = 0; i < inputs.length; i++) {
      Truth t = (Truth) cases.get(i)[0];
      int[] pic = (int[]) cases.get(i)[1];
      double[] uv = synth(HeadPose.template3d(), t, HeadPose.defaultFocal(pic[0], pic[1]),
          pic[0], pic[1]);
      for (int k = 0; k < uv.length; k++) {
        uv[k] += rnd.nextGaussian();
      }
      inputs[i] = landmarks(uv);
      serial[i] = HeadPose.estimate(inputs[i], pic[0], pic[1]);
    }
    // Warm up, then time single-threaded.
    int reps = 20;
    long t0 = 0;
    for (int r = 0; r < 2 * reps; r++) {
      if (r == reps) {
        t0 = System.nanoTime();
      }
      for (int i = 0; i < inputs.length; i++) {
        int[] pic = (int[]) cases.get(i)[1];
        HeadPose.estimate(inputs[i], pic[0], pic[1]);
      }
    }
    double usPerCall = (System.nanoTime() - t0) / 1e3 / (reps * inputs.length);
    System.out.printf(Locale.ROOT, "HeadPose.estimate: %.1f µs per call (%d calls)%n", usPerCall,
        reps * inputs.length);
    // Loose: a regression guard, not a benchmark.
    assertTrue(usPerCall < 1000, usPerCall + " µs");

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Pose>> futures = new ArrayList<>();
      for (int r = 0; r < 4; r++) {
        for (int i = 0; i < inputs.length; i++) {
          int k = i;
          int[] pic = (int[]) cases.get(i)[1];
          futures.add(pool.submit(() -> HeadPose.estimate(inputs[k], pic[0], pic[1])));
        }
      }
      for (int j = 0; j < futures.size(); j++) {
        assertEquals(serial[j % inputs.length], futures.get(j).get());
      }
    } finally {
      pool.shutdown();
    }
  }

  static int indexOf(int landmark) {
    int[] idx = HeadPose.templateIndices();
    for (int i = 0; i < idx.length; i++) {
      if (idx[i] == landmark) {
        return i;
      }
    }
    throw new IllegalArgumentException("not a template point: " + landmark);
  }

  static double dist(double[] p, int a, int b) {
    return Math.sqrt(Math.pow(p[3 * a] - p[3 * b], 2) + Math.pow(p[3 * a + 1] - p[3 * b + 1], 2)
        + Math.pow(p[3 * a + 2] - p[3 * b + 2], 2));
  }
}
