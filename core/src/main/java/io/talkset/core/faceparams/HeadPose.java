package io.talkset.core.faceparams;

import static org.bytedeco.opencv.global.opencv_calib3d.SOLVEPNP_SQPNP;
import static org.bytedeco.opencv.global.opencv_calib3d.solvePnP;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.CV_64FC2;
import static org.bytedeco.opencv.global.opencv_core.CV_64FC3;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Head pose (yaw, pitch, roll and translation) from 68 face landmarks in the dlib / iBUG-300W
 * order, by fitting a mean 3D face to {@value #POINTS} of them with OpenCV's {@code solvePnP}.
 *
 * <h2>Template frame</h2>
 * Millimetres, a right-handed frame fixed to the face: <b>x</b> towards the subject's left (the
 * picture's right when they face the camera), <b>y</b> up, <b>z</b> out of the face towards the
 * camera. The origin is in the mid-sagittal plane, at the mean height of the four eye corners and
 * at the depth of the outer eye corners, so the translation is the position of "between the
 * eyes".
 *
 * <h2>Template points</h2>
 * Brow ends 17, 21, 22, 26; top of the nose bridge 27; nose tip 30; nostril ends 31, 35 and
 * subnasale 33; eye corners 36, 39, 42, 45; mouth corners 48, 54 and upper-lip centre 51. The
 * lower lip, chin and jaw line are left out on purpose: they move with the jaw when the subject
 * talks, and an open mouth would read as a nod.
 *
 * <p>Widths and heights are rounded adult means (sexes pooled) of the anthropometric norms of
 * L. G. Farkas, <i>Anthropometry of the Head and Face</i> (2nd ed., 1994) and of his
 * international study (J. Craniofac. Surg. 16(4), 2005): biocular width ex–ex 90 mm,
 * intercanthal width en–en 32 mm, mouth width ch–ch 52 mm, nasal height n–sn 50 mm, upper-lip
 * height sn–sto 22 mm, philtrum sn–ls 14 mm, canthal tilt (outer corner 2 mm above the inner).
 * Depths are estimates from profile relations rather than measured means: nasal-tip protrusion
 * sn–prn 19 mm, a nasal dorsum about 35° from the vertical, the inner eye corner 11 mm and the
 * sellion 18 mm in front of the outer eye corner, the nose tip 45 mm in front of it (consistent
 * with tragion–exocanthion and tragion–pronasale depths), the upper lip 28 mm and the mouth
 * corners 11 mm in front of it. Brows are placed by eye from the same norms: inner ends 21 mm
 * and outer ends 17 mm above the canthal line, the outer ends 5 mm beyond the eye corners.
 * Depths and brows are the least certain numbers; the tests show what a 15% error in depth
 * costs.
 *
 * <h2>Camera</h2>
 * Pinhole, focal length in pixels (default {@code max(width, height)}, about a 53° horizontal
 * field of view for a landscape picture), principal point at the picture centre, no distortion.
 *
 * <h2>Angles</h2>
 * Relative to the camera's axes (a frontal face off to the side of the picture is at 0°, even
 * though it is seen slightly from the side). With R the rotation that takes template axes to
 * the head's actual axes, expressed in the template frame of a face looking straight at the
 * camera: {@code R = Ry(yaw) · Rx(-pitch) · Rz(roll)} (right-handed rotations about the template
 * axes; applied to the face, roll first, then pitch, then yaw).
 * <ul>
 *   <li>yaw &gt; 0: the subject turns to their left, the nose points to the picture's right;
 *   <li>pitch &gt; 0: head up, the nose points up;
 *   <li>roll &gt; 0: the face turns counter-clockwise as seen in the picture (the top of the head
 *       towards the picture's left, the subject's right shoulder).
 * </ul>
 *
 * <p>Stateless and thread-safe; each call allocates and frees its own native matrices.
 */
public final class HeadPose {
  /** Number of template points. */
  public static final int POINTS = 16;

  private static final int OFF_IMG = 3 * POINTS;
  private static final int OFF_CAM = OFF_IMG + 2 * POINTS;
  private static final int OFF_R = OFF_CAM + 9;

  private static final int[] INDICES = {17, 21, 22, 26, 27, 30, 31, 33, 35, 36, 39, 42, 45, 48,
      51, 54};

  /** x, y, z in mm per point, in {@link #INDICES} order. */
  private static final double[] TEMPLATE = {
      -50, 17, -3, // 17 right brow, outer end (picture left)
      -13, 21, 17, // 21 right brow, inner end
      13, 21, 17, // 22 left brow, inner end
      50, 17, -3, // 26 left brow, outer end
      0, 6, 18, // 27 top of the nose bridge (sellion)
      0, -33, 45, // 30 nose tip (pronasale)
      -14, -41, 19, // 31 right nostril end
      0, -44, 26, // 33 subnasale
      14, -41, 19, // 35 left nostril end
      -45, 1, 0, // 36 right eye, outer corner (exocanthion)
      -16, -1, 11, // 39 right eye, inner corner (endocanthion)
      16, -1, 11, // 42 left eye, inner corner
      45, 1, 0, // 45 left eye, outer corner
      -26, -65, 11, // 48 right mouth corner (cheilion)
      0, -58, 28, // 51 upper lip centre (labiale superius)
      26, -65, 11, // 54 left mouth corner
  };

  private HeadPose() {}

  /**
   * A head pose. Angles in degrees (see the class comment for signs and order). Translation in
   * mm, of the template origin (between the eyes) in OpenCV camera coordinates: x to the
   * picture's right, y down, z forward from the camera; its scale is that of the mean face, so
   * distances are off by however much the subject's face differs from it.
   *
   * @param reprojectionErrorPx root mean square distance, in pixels, between the template points
   *     projected with this pose and the landmarks they were fitted to
   */
  public record Pose(double yawDeg, double pitchDeg, double rollDeg, double tx, double ty,
      double tz, double reprojectionErrorPx) {

    /** A pose with no fit behind it, for {@link HeadPose#project}. */
    public static Pose of(double yawDeg, double pitchDeg, double rollDeg, double tx, double ty,
        double tz) {
      return new Pose(yawDeg, pitchDeg, rollDeg, tx, ty, tz, 0);
    }
  }

  /** The landmark indices (0..67) of the template points, in template order. */
  public static int[] templateIndices() {
    return INDICES.clone();
  }

  /** The template, x, y, z in mm per point in {@link #templateIndices()} order. */
  public static double[] template3d() {
    return TEMPLATE.clone();
  }

  /** Default focal length in pixels for a picture: {@code max(width, height)}. */
  public static double defaultFocal(int imageWidth, int imageHeight) {
    return Math.max(imageWidth, imageHeight);
  }

  /** {@link #estimate(float[], int, int, double)} with the {@link #defaultFocal} focal length. */
  public static Pose estimate(float[] xy68, int imageWidth, int imageHeight) {
    return estimate(xy68, imageWidth, imageHeight, defaultFocal(imageWidth, imageHeight));
  }

  /**
   * The head pose whose template best fits the landmarks: OpenCV's SQPnP, least squares in
   * object space (the distance of each template point from its landmark's line of sight), which
   * is within a few percent of least squares in pixels while the face is far from the camera
   * compared with its depth.
   *
   * @param xy68 136 values, x0, y0, x1, y1, ..., in pixels of a {@code imageWidth} ×
   *     {@code imageHeight} picture; only the template points need be finite
   * @param focalPx focal length in pixels
   * @return the pose, or null when OpenCV finds no solution
   * @throws IllegalArgumentException when the array is not 136 long, a template landmark is not
   *     finite, or the picture size or focal length is not positive
   */
  public static Pose estimate(float[] xy68, int imageWidth, int imageHeight, double focalPx) {
    if (xy68 == null || xy68.length != 136) {
      throw new IllegalArgumentException("expected 136 landmark coordinates (68 x, y pairs), got "
          + (xy68 == null ? "null" : xy68.length));
    }
    if (imageWidth <= 0 || imageHeight <= 0 || !(focalPx > 0) || Double.isInfinite(focalPx)) {
      throw new IllegalArgumentException("expected a positive picture size and focal length, got "
          + imageWidth + "x" + imageHeight + " and f=" + focalPx);
    }
    double[] image = new double[2 * POINTS];
    for (int i = 0; i < POINTS; i++) {
      float x = xy68[2 * INDICES[i]];
      float y = xy68[2 * INDICES[i] + 1];
      if (!Float.isFinite(x) || !Float.isFinite(y)) {
        throw new IllegalArgumentException("landmark " + INDICES[i] + " is not finite: (" + x
            + ", " + y + ")");
      }
      image[2 * i] = x;
      image[2 * i + 1] = y;
    }
    double cx = imageWidth / 2.0;
    double cy = imageHeight / 2.0;
    // One native buffer for all inputs and outputs: each JavaCPP allocation costs about as
    // much as the solve. Layout: template, image points, camera matrix, rvec, tvec.
    double[] buf = new double[OFF_R + 6];
    System.arraycopy(TEMPLATE, 0, buf, 0, 3 * POINTS);
    System.arraycopy(image, 0, buf, OFF_IMG, 2 * POINTS);
    buf[OFF_CAM] = focalPx;
    buf[OFF_CAM + 2] = cx;
    buf[OFF_CAM + 4] = focalPx;
    buf[OFF_CAM + 5] = cy;
    buf[OFF_CAM + 8] = 1;
    double[] rt = new double[6];
    try (DoublePointer data = new DoublePointer(buf);
        Mat obj = new Mat(POINTS, 1, CV_64FC3, data.getPointer(0));
        Mat img = new Mat(POINTS, 1, CV_64FC2, data.getPointer(OFF_IMG));
        Mat cam = new Mat(3, 3, CV_64F, data.getPointer(OFF_CAM));
        Mat dist = new Mat();
        Mat r = new Mat(3, 1, CV_64F, data.getPointer(OFF_R));
        Mat t = new Mat(3, 1, CV_64F, data.getPointer(OFF_R + 3))) {
      // SQPnP: the global minimum of an object-space error, with the face in front of the
      // camera, no initial guess needed. Refining it with Levenberg-Marquardt on the pixel
      // error (SOLVEPNP_ITERATIVE) changed the mean angle error under 1 px noise by 1% and
      // more than doubled the time, so it is left out.
      if (!solvePnP(obj, img, cam, dist, r, t, false, SOLVEPNP_SQPNP)) {
        return null;
      }
      // Read the outputs from the Mats: OpenCV would have reallocated them had they not fit.
      new DoublePointer(r.data()).get(rt, 0, 3);
      new DoublePointer(t.data()).get(rt, 3, 3);
    }
    double[] rvec = {rt[0], rt[1], rt[2]};
    double[] tvec = {rt[3], rt[4], rt[5]};
    double[] rc = rodrigues(rvec);
    double rms = reprojectionRms(rc, tvec, image, focalPx, cx, cy);
    return fromCamera(rc, tvec, rms);
  }

  /**
   * Projects points given in the template frame (mm) with a pose: where a face of that shape
   * would appear. Tests use it to make synthetic landmarks.
   *
   * @param points3d x, y, z per point
   * @return x, y per point, in pixels
   */
  public static double[] project(double[] points3d, Pose pose, double focalPx, int imageWidth,
      int imageHeight) {
    double[] rc = cameraRotation(pose.yawDeg(), pose.pitchDeg(), pose.rollDeg());
    double[] t = {pose.tx(), pose.ty(), pose.tz()};
    int n = points3d.length / 3;
    double[] out = new double[2 * n];
    for (int i = 0; i < n; i++) {
      projectOne(rc, t, points3d[3 * i], points3d[3 * i + 1], points3d[3 * i + 2], focalPx,
          imageWidth / 2.0, imageHeight / 2.0, out, 2 * i);
    }
    return out;
  }

  /**
   * The 68 landmarks of a face of the given template-ordered shape, seen with a pose: 136 values
   * with the template points filled in and NaN elsewhere.
   */
  public static float[] landmarks68(double[] points3d, Pose pose, double focalPx,
      int imageWidth, int imageHeight) {
    if (points3d.length != 3 * POINTS) {
      throw new IllegalArgumentException("expected " + 3 * POINTS + " coordinates in template "
          + "order, got " + points3d.length);
    }
    double[] xy = project(points3d, pose, focalPx, imageWidth, imageHeight);
    float[] out = new float[136];
    java.util.Arrays.fill(out, Float.NaN);
    for (int i = 0; i < POINTS; i++) {
      out[2 * INDICES[i]] = (float) xy[2 * i];
      out[2 * INDICES[i] + 1] = (float) xy[2 * i + 1];
    }
    return out;
  }

  /** Template-to-camera rotation, row-major: the head rotation followed by the axis flip. */
  static double[] cameraRotation(double yawDeg, double pitchDeg, double rollDeg) {
    // Ry(yaw) · Rx(-pitch) · Rz(roll), the convention Procrustes writes out too.
    double[] h = Procrustes.rotation(yawDeg, -pitchDeg, rollDeg);
    // Camera y and z are the template's negated (y down, z away from the camera).
    for (int j = 3; j < 9; j++) {
      h[j] = -h[j];
    }
    return h;
  }

  private static Pose fromCamera(double[] rc, double[] t, double rms) {
    // Undo the axis flip: rows 1 and 2 change sign. Then read Ry(a) Rx(b) Rz(c):
    // h[5] = -sin b, h[2] = sin a cos b, h[8] = cos a cos b, h[3] = cos b sin c,
    // h[4] = cos b cos c.
    double h2 = rc[2];
    double h3 = -rc[3];
    double h4 = -rc[4];
    double h5 = -rc[5];
    double h8 = -rc[8];
    double b = Math.asin(Math.max(-1, Math.min(1, -h5)));
    double a = Math.atan2(h2, h8);
    double c = Math.atan2(h3, h4);
    return new Pose(Math.toDegrees(a), -Math.toDegrees(b), Math.toDegrees(c), t[0], t[1], t[2],
        rms);
  }

  /** Rotation vector to row-major matrix (Rodrigues' formula). */
  static double[] rodrigues(double[] r) {
    double th = Math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
    if (th < 1e-12) {
      return new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1};
    }
    double x = r[0] / th;
    double y = r[1] / th;
    double z = r[2] / th;
    double c = Math.cos(th);
    double s = Math.sin(th);
    double v = 1 - c;
    return new double[] {
        c + x * x * v, x * y * v - z * s, x * z * v + y * s,
        y * x * v + z * s, c + y * y * v, y * z * v - x * s,
        z * x * v - y * s, z * y * v + x * s, c + z * z * v};
  }

  private static double reprojectionRms(double[] rc, double[] t, double[] image, double f,
      double cx, double cy) {
    double[] p = new double[2];
    double sum = 0;
    for (int i = 0; i < POINTS; i++) {
      projectOne(rc, t, TEMPLATE[3 * i], TEMPLATE[3 * i + 1], TEMPLATE[3 * i + 2], f, cx, cy, p,
          0);
      double dx = p[0] - image[2 * i];
      double dy = p[1] - image[2 * i + 1];
      sum += dx * dx + dy * dy;
    }
    return Math.sqrt(sum / POINTS);
  }

  private static void projectOne(double[] rc, double[] t, double x, double y, double z, double f,
      double cx, double cy, double[] out, int at) {
    double xc = rc[0] * x + rc[1] * y + rc[2] * z + t[0];
    double yc = rc[3] * x + rc[4] * y + rc[5] * z + t[1];
    double zc = rc[6] * x + rc[7] * y + rc[8] * z + t[2];
    out[at] = cx + f * xc / zc;
    out[at + 1] = cy + f * yc / zc;
  }
}
