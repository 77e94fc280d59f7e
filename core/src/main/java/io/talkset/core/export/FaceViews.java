package io.talkset.core.export;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import io.talkset.core.faceparams.HeadPose;
import java.util.Arrays;
import java.util.Locale;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The exports' pictures other than the stored crop: the face aligned onto a mean face, and the
 * aligned mouth region, each one similarity warp of the crop.
 *
 * <p><b>Alignment.</b> Five points that neither speech nor expression move, the nose base (iBUG
 * 33) and the four eye corners (36, 39, 42, 45), are mapped by the least-squares similarity
 * (rotation, isotropic scale, translation; Umeyama's closed form in 2D, never a reflection) onto
 * the same points of the mean face of {@link HeadPose} (anthropometric, in mm, seen frontally).
 * That is the choice of AV-HuBERT's and the lip-reading preprocessing it follows (its
 * {@code stablePntsIDs}): fitting all 68 points would let an opening mouth or a moving jaw
 * shift and shrink the whole view. The points are the dataset's smoothed ones, so the view is
 * as steady as the smoothing allows. ({@link io.talkset.core.faceparams.Procrustes} fits 3D
 * sets; on flat sets its rotations include turning the plane over, a mirror in the picture, so
 * the 2D form is written here.)
 *
 * <p><b>Mean-face frame.</b> Millimetres, x to the picture's right, y down, origin between the
 * eyes (the outer eye corners at x = ±45). {@link View#ALIGNED}: the square of side
 * {@value #ALIGNED_MM} mm centred {@value #ALIGNED_CENTRE_MM} mm below the origin (from the
 * forehead 80 mm above the eyes to 140 mm below them, the chin with the mouth open), at
 * {@code side} pixels (default {@value #ALIGNED_SIDE}: 1.16 px/mm). {@link View#MOUTH}: the
 * square of side {@value #MOUTH_MM} mm centred on the centroid of the 20 mouth points (48-67)
 * of that frame, at {@code side} pixels (default {@value #MOUTH_SIDE}, 1 px/mm), so the mouth
 * is always at the picture centre and fills about half its width, as in AV-HuBERT's 96 × 96
 * mouth crops.
 *
 * <p>Coordinates are continuous (a pixel's centre at +0.5, as the landmarks); {@link #warp}
 * converts to OpenCV's pixel indices. Resampling is bilinear, black outside the crop.
 * Stateless and thread-safe.
 */
public final class FaceViews {
  /** The pictures that are warps of the crop. */
  public enum View {
    ALIGNED, MOUTH;

    /** The default side in pixels. */
    public int defaultSide() {
      return this == ALIGNED ? ALIGNED_SIDE : MOUTH_SIDE;
    }
  }

  /** Default side of the aligned face, pixels. */
  public static final int ALIGNED_SIDE = 256;
  /** Default side of the mouth view, pixels. */
  public static final int MOUTH_SIDE = 96;
  /** Side of the aligned face on the mean face, mm. */
  public static final double ALIGNED_MM = 220;
  /** How far below the eyes the aligned face's centre lies, mm. */
  public static final double ALIGNED_CENTRE_MM = 30;
  /** Side of the mouth region on the mean face, mm. */
  public static final double MOUTH_MM = 96;
  /** The points fitted: nose base and the four eye corners (iBUG, 0-based). */
  public static final int[] STABLE = {33, 36, 39, 42, 45};
  /** The mouth points whose centroid the mouth view is centred on. */
  public static final int MOUTH_FIRST = 48;
  public static final int MOUTH_LAST = 67;

  /** The {@link #STABLE} points of the mean face, x, y (mm, y down), in that order. */
  private static final double[] TEMPLATE = frontal();

  private FaceViews() {}

  /** A copy of the mean face's {@link #STABLE} points, x, y in mm (y down). */
  public static double[] template() {
    return TEMPLATE.clone();
  }

  /** HeadPose's 3D template seen from the front: its x, and its y (up) turned down. */
  private static double[] frontal() {
    int[] idx = HeadPose.templateIndices();
    double[] t3 = HeadPose.template3d();
    double[] out = new double[2 * STABLE.length];
    for (int k = 0; k < STABLE.length; k++) {
      int at = -1;
      for (int i = 0; i < idx.length; i++) {
        if (idx[i] == STABLE[k]) {
          at = i;
        }
      }
      if (at < 0) {
        throw new IllegalStateException("HeadPose's template lacks point " + STABLE[k]);
      }
      out[2 * k] = t3[3 * at];
      out[2 * k + 1] = -t3[3 * at + 1];
    }
    return out;
  }

  /**
   * Crop pixels to the mean-face frame (mm, y down, origin between the eyes) for 68 points in
   * crop pixels ({@code float[136]}), as {a, b, c, d, e, f}: {@code X = a·x + b·y + c},
   * {@code Y = d·x + e·y + f}.
   */
  public static double[] toMeanFace(float[] lm68) {
    check(lm68);
    double[] src = new double[2 * STABLE.length];
    for (int k = 0; k < STABLE.length; k++) {
      src[2 * k] = lm68[2 * STABLE[k]];
      src[2 * k + 1] = lm68[2 * STABLE[k] + 1];
    }
    return similarity(src, TEMPLATE);
  }

  /**
   * Crop pixels to the view's pixels (a {@code side} × {@code side} picture), same layout as
   * {@link #toMeanFace}.
   */
  public static double[] affine(View view, float[] lm68, int side) {
    if (side < 1) {
      throw new IllegalArgumentException("view side must be positive, got " + side);
    }
    double[] m = toMeanFace(lm68);
    double cx;
    double cy;
    double mm;
    if (view == View.ALIGNED) {
      cx = 0;
      cy = ALIGNED_CENTRE_MM;
      mm = ALIGNED_MM;
    } else {
      float[] mouth = apply(m, Arrays.copyOfRange(lm68, 2 * MOUTH_FIRST, 2 * MOUTH_LAST + 2));
      cx = 0;
      cy = 0;
      for (int i = 0; i < mouth.length; i += 2) {
        cx += mouth[i];
        cy += mouth[i + 1];
      }
      cx /= mouth.length / 2.0;
      cy /= mouth.length / 2.0;
      mm = MOUTH_MM;
    }
    // u = side/2 + k (X - cx), v = side/2 + k (Y - cy), with X, Y the mean-face point.
    double k = side / mm;
    return new double[] {k * m[0], k * m[1], side / 2.0 + k * (m[2] - cx),
        k * m[3], k * m[4], side / 2.0 + k * (m[5] - cy)};
  }

  /**
   * The least-squares similarity from {@code src} onto {@code dst} (x, y pairs, same count, at
   * least two distinct points) as {a, b, c, d, e, f}. Both sets centred: scale·cos = Σ p·q / Σ|p|²,
   * scale·sin = Σ p × q / Σ|p|²; the translation takes centroid to centroid.
   */
  public static double[] similarity(double[] src, double[] dst) {
    if (src.length != dst.length || src.length % 2 != 0 || src.length < 4) {
      throw new IllegalArgumentException("need two sets of the same number (>= 2) of points, "
          + "got " + src.length + " and " + dst.length + " values");
    }
    int n = src.length / 2;
    double px = 0;
    double py = 0;
    double qx = 0;
    double qy = 0;
    for (int i = 0; i < n; i++) {
      px += src[2 * i] / n;
      py += src[2 * i + 1] / n;
      qx += dst[2 * i] / n;
      qy += dst[2 * i + 1] / n;
    }
    double dot = 0;
    double cross = 0;
    double norm = 0;
    for (int i = 0; i < n; i++) {
      double x = src[2 * i] - px;
      double y = src[2 * i + 1] - py;
      double u = dst[2 * i] - qx;
      double v = dst[2 * i + 1] - qy;
      dot += x * u + y * v;
      cross += x * v - y * u;
      norm += x * x + y * y;
    }
    if (!(norm > 1e-9)) {
      throw new IllegalArgumentException("points do not span a face: " + Arrays.toString(src));
    }
    double a = dot / norm;
    double b = cross / norm;
    return new double[] {a, -b, qx - a * px + b * py, b, a, qy - b * px - a * py};
  }

  /** Points (x, y pairs) through an affine map {a, b, c, d, e, f}. */
  public static float[] apply(double[] m, float[] pts) {
    float[] out = new float[pts.length];
    for (int i = 0; i + 1 < pts.length; i += 2) {
      out[i] = (float) (m[0] * pts[i] + m[1] * pts[i + 1] + m[2]);
      out[i + 1] = (float) (m[3] * pts[i] + m[4] * pts[i + 1] + m[5]);
    }
    return out;
  }

  /**
   * The {@code side} × {@code side} view of {@code image} (any channel count, 8 bits) under the
   * affine map {@code m} (continuous coordinates, as {@link #affine}); the caller closes it.
   */
  public static Mat warp(Mat image, double[] m, int side) {
    // Continuous to index coordinates: x = i + 0.5 in, u = j + 0.5 out.
    double[] ix = {m[0], m[1], m[2] + 0.5 * (m[0] + m[1]) - 0.5,
        m[3], m[4], m[5] + 0.5 * (m[3] + m[4]) - 0.5};
    Mat out = new Mat();
    try (Mat mat = new Mat(2, 3, CV_64F); DoubleIndexer x = mat.createIndexer();
        Size size = new Size(side, side); Scalar black = new Scalar(0, 0, 0, 0)) {
      for (int i = 0; i < 6; i++) {
        x.put(i / 3, i % 3, ix[i]);
      }
      warpAffine(image, out, mat, size, INTER_LINEAR, BORDER_CONSTANT, black);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /**
   * The view of a JPEG crop under {@code m} ({@link #affine}), as an 8-bit BGR picture; the
   * caller closes it.
   */
  public static Mat warp(byte[] jpeg, double[] m, int side) {
    Mat img;
    try (BytePointer p = new BytePointer(jpeg); Mat buf = new Mat(1, jpeg.length, CV_8U, p)) {
      img = imdecode(buf, IMREAD_COLOR);
    }
    if (img == null || img.empty()) {
      if (img != null) {
        img.close();
      }
      throw new IllegalArgumentException("the crop is not a readable JPEG (" + jpeg.length
          + " bytes)");
    }
    try {
      return warp(img, m, side);
    } finally {
      img.close();
    }
  }

  /**
   * A picture as baseline JPEG at {@code quality} (1..100) with OpenCV's libjpeg, as the frames
   * stage encodes its crops: the same picture and quality give the same bytes.
   */
  public static byte[] jpeg(Mat bgr, int quality) {
    try (BytePointer buf = new BytePointer(); IntPointer params = new IntPointer(
        IMWRITE_JPEG_QUALITY, quality)) {
      if (!imencode(".jpg", bgr, buf, params)) {
        throw new IllegalStateException("JPEG encoding failed");
      }
      byte[] out = new byte[(int) buf.limit()];
      buf.get(out);
      return out;
    }
  }

  /** A short description of the view's geometry, for export.json. */
  public static String describe(View view, int side) {
    return view == View.ALIGNED
        ? String.format(Locale.ROOT, "%dx%d px: the %.0f mm square of the mean face centred %.0f"
            + " mm below the eyes, fitted by a similarity on the smoothed landmarks 33, 36, 39,"
            + " 42, 45 (landmarks_crop); bilinear, black outside the crop", side, side,
            ALIGNED_MM, ALIGNED_CENTRE_MM)
        : String.format(Locale.ROOT, "%dx%d px: the %.0f mm square of the aligned face centred"
            + " on the centroid of mouth points 48-67; bilinear, black outside the crop", side,
            side, MOUTH_MM);
  }

  private static void check(float[] lm68) {
    if (lm68 == null || lm68.length != 136) {
      throw new IllegalArgumentException("expected 68 landmarks as 136 floats, got "
          + (lm68 == null ? "null" : lm68.length));
    }
    for (float v : lm68) {
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException("landmarks must be finite: "
            + Arrays.toString(lm68));
      }
    }
  }
}
