package io.talkset.core.faceparams;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import java.util.Arrays;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The input contract of Deep3DFaceRecon-style 3DMM regressors: the 224×224 crop that
 * Deep3DFaceRecon_pytorch's {@code align_img} (util/preprocess.py) makes from five landmarks,
 * with rescale factor 102.
 *
 * <p>Landmarks are {@code float[10]}: x0, y0, …, x4, y4 in source pixels (y down, pixel centres
 * at integers), in the order image-left eye centre, image-right eye centre, nose tip, image-left
 * mouth corner, image-right mouth corner (for a frontal face the image-left eye is the subject's
 * right eye). This is the MTCNN/RetinaFace order; {@link #fromDlib68} makes it from 68 points.
 *
 * <p>What {@code align_img} does, and {@link #fit} reproduces number for number:
 * <ol>
 *   <li>flip y to point up: {@code y' = H − 1 − y};
 *   <li>fit the five points to {@link #standardLandmarks()} by least squares with a 2×4 affine
 *       camera ({@code POS}): rows R1, R2 and translation t; the fit scale is
 *       {@code (|R1| + |R2|) / 2};
 *   <li>{@code s = 102 / fitScale}; resize the image to {@code (int)(W·s) × (int)(H·s)} with PIL's
 *       bicubic filter and cut the 224 window whose corner is
 *       {@code left = (int)(w/2 − 112 + (tx − W/2)·s)},
 *       {@code up = (int)(h/2 − 112 + (H/2 − ty)·s)}; outside the picture is black.
 * </ol>
 * The vertical centre uses {@code H/2 − ty} with {@code ty} in the flipped frame, so the window is
 * centred one source pixel below the fitted origin; kept, since the model was trained on it.
 *
 * <p>{@link #crop} gives the same window; only the resampling filter differs from PIL: upscaling
 * warps with OpenCV's bicubic (a = −0.75 where PIL uses −0.5), downscaling averages areas
 * ({@code INTER_AREA}) where PIL widens its bicubic kernel. The geometry is identical. On real
 * photos the crops differ from PIL's by 0.3–0.6 grey levels on average (a plain warp would
 * differ by 1.6–2.2 when shrinking, from aliasing).
 */
public final class Align5 {
  /** Side of the crop in pixels. */
  public static final int SIZE = 224;
  /** {@code align_img}'s {@code rescale_factor}: the standard face is this many pixels per unit. */
  public static final double RESCALE = 102.0;

  /**
   * {@code lm3D_std}: the BFM09 mean-shape landmarks of BFM/similarity_Lm3D_all.mat reduced to five
   * points by {@code load_lm3d} (eye centres as the mean of landmarks 37/40 and 43/46, 1-based,
   * then nose tip 31 and mouth corners 49, 55), in {@code fromDlib68}'s order. Units as in the
   * file; x to the image right, y up, z towards the camera. The .mat ships with the BFM, not with
   * the code; these are its values as ports of the code print them.
   */
  private static final double[][] LM3D = {
      {-0.31148657, 0.29036078, 0.13377953},
      {0.30979887, 0.28972036, 0.13179526},
      {0.0032535, -0.04617932, 0.55244243},
      {-0.25216928, -0.38133916, 0.22405732},
      {0.2484662, -0.38128236, 0.22235769},
  };

  /** Least squares for [X Y Z 1]·k = b over the five points; fixed, since the points are. */
  private static final double[][] PINV = pseudoInverse(LM3D);

  private Align5() {}

  /** A copy of the five standard 3D points, one {x, y, z} per landmark. */
  public static double[][] standardLandmarks() {
    double[][] copy = new double[LM3D.length][];
    for (int i = 0; i < LM3D.length; i++) {
      copy[i] = LM3D[i].clone();
    }
    return copy;
  }

  /**
   * The five points from 68 dlib/iBUG landmarks ({@code float[136]}, x0, y0, …) as
   * Deep3DFaceRecon's {@code extract_5p} takes them (0-based indices): eye centres are the mean of
   * the two corners 36, 39 and 42, 45 (not of all six eye points), nose tip 30, mouth corners 48
   * and 54.
   */
  public static float[] fromDlib68(float[] lm68) {
    if (lm68 == null || lm68.length != 136) {
      throw new IllegalArgumentException("expected 68 landmarks as 136 floats, got "
          + (lm68 == null ? "null" : lm68.length));
    }
    float[] out = new float[10];
    for (int c = 0; c < 2; c++) {
      out[c] = (float) ((lm68[2 * 36 + c] + (double) lm68[2 * 39 + c]) / 2);
      out[2 + c] = (float) ((lm68[2 * 42 + c] + (double) lm68[2 * 45 + c]) / 2);
      out[4 + c] = lm68[2 * 30 + c];
      out[6 + c] = lm68[2 * 48 + c];
      out[8 + c] = lm68[2 * 54 + c];
    }
    return out;
  }

  /** The transform for five landmarks in a {@code width × height} picture. */
  public static Transform fit(float[] lm5, int width, int height) {
    if (lm5 == null || lm5.length != 10) {
      throw new IllegalArgumentException("expected 5 landmarks as 10 floats, got "
          + (lm5 == null ? "null" : lm5.length));
    }
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("picture size must be positive, got " + width + "×"
          + height);
    }
    for (float v : lm5) {
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException("landmarks must be finite: " + Arrays.toString(lm5));
      }
    }
    double[] kx = new double[4];
    double[] ky = new double[4];
    for (int r = 0; r < 4; r++) {
      for (int i = 0; i < 5; i++) {
        kx[r] += PINV[r][i] * lm5[2 * i];
        ky[r] += PINV[r][i] * (height - 1 - (double) lm5[2 * i + 1]);
      }
    }
    double fitScale = (Math.sqrt(kx[0] * kx[0] + kx[1] * kx[1] + kx[2] * kx[2])
        + Math.sqrt(ky[0] * ky[0] + ky[1] * ky[1] + ky[2] * ky[2])) / 2;
    double s = RESCALE / fitScale;
    // A truncated size below 1 or beyond int means the points do not span a face.
    double wd = width * s;
    double hd = height * s;
    if (!(wd >= 1 && hd >= 1 && wd < Integer.MAX_VALUE && hd < Integer.MAX_VALUE)) {
      throw new IllegalArgumentException("landmarks give no usable scale (" + s + "): "
          + Arrays.toString(lm5));
    }
    int w = (int) wd;
    int h = (int) hd;
    double tx = kx[3];
    double ty = ky[3];
    // (int) truncates towards zero, as numpy's astype(int32) does, also for negative corners.
    int left = (int) (w / 2.0 - SIZE / 2.0 + (tx - width / 2.0) * s);
    int up = (int) (h / 2.0 - SIZE / 2.0 + (height / 2.0 - ty) * s);
    return new Transform(width, height, fitScale, s, tx, ty, w, h, left, up);
  }

  /** The 224×224 crop of {@code image} (any channel order, 8-bit or float) for {@code lm5}. */
  public static Mat crop(Mat image, float[] lm5) {
    return crop(image, fit(lm5, image.cols(), image.rows()));
  }

  /**
   * The 224×224 crop of {@code image} for a transform fitted to a picture of its size; the caller
   * closes the result. Upscaling warps straight into the window; downscaling shrinks the whole
   * picture by area averaging first (aliasing otherwise), then copies the window.
   */
  public static Mat crop(Mat image, Transform t) {
    if (image.cols() != t.srcWidth() || image.rows() != t.srcHeight()) {
      throw new IllegalArgumentException("transform is for " + t.srcWidth() + "×" + t.srcHeight()
          + ", image is " + image.cols() + "×" + image.rows());
    }
    if (t.scale() >= 1) {
      Mat out = new Mat();
      double[] a = t.affine();
      try (Mat m = new Mat(2, 3, CV_64F); DoubleIndexer ix = m.createIndexer();
          Size size = new Size(SIZE, SIZE); Scalar black = new Scalar(0.0)) {
        for (int i = 0; i < 6; i++) {
          ix.put(i / 3, i % 3, a[i]);
        }
        warpAffine(image, out, m, size, INTER_CUBIC, BORDER_CONSTANT, black);
      }
      return out;
    }
    Mat out;
    try (Scalar black = new Scalar(0.0)) {
      out = new Mat(SIZE, SIZE, image.type(), black);
    }
    int x0 = Math.max(0, t.left());
    int y0 = Math.max(0, t.up());
    int x1 = Math.min(t.resizedWidth(), t.left() + SIZE);
    int y1 = Math.min(t.resizedHeight(), t.up() + SIZE);
    if (x1 <= x0 || y1 <= y0) {
      return out;
    }
    try (Mat small = new Mat(); Size size = new Size(t.resizedWidth(), t.resizedHeight());
        Rect from = new Rect(x0, y0, x1 - x0, y1 - y0);
        Rect to = new Rect(x0 - t.left(), y0 - t.up(), x1 - x0, y1 - y0)) {
      resize(image, small, size, 0, 0, INTER_AREA);
      try (Mat src = new Mat(small, from); Mat dst = new Mat(out, to)) {
        src.copyTo(dst);
      }
    }
    return out;
  }

  /**
   * One face's alignment: {@code align_img}'s numbers and the affine map they amount to.
   *
   * @param srcWidth source picture width W
   * @param srcHeight source picture height H
   * @param fitScale POS's scale, source pixels per standard-face unit
   * @param scale {@code s = 102 / fitScale}, the resize factor ({@code trans_params[2]})
   * @param tx POS translation x, source pixels
   * @param ty POS translation y, source pixels in the y-up frame ({@code y' = H − 1 − y})
   * @param resizedWidth {@code (int)(W·s)}
   * @param resizedHeight {@code (int)(H·s)}
   * @param left window corner x in the resized picture
   * @param up window corner y in the resized picture
   */
  public record Transform(int srcWidth, int srcHeight, double fitScale, double scale, double tx,
      double ty, int resizedWidth, int resizedHeight, int left, int up) {

    /** Horizontal resize factor actually applied, {@code w / W} (the size is truncated). */
    public double scaleX() {
      return resizedWidth / (double) srcWidth;
    }

    /** Vertical resize factor actually applied, {@code h / H}. */
    public double scaleY() {
      return resizedHeight / (double) srcHeight;
    }

    /**
     * Source pixel → crop pixel as a 2×3 row-major matrix {a, b, c, d, e, f}:
     * {@code u = a·x + b·y + c}, {@code v = d·x + e·y + f}. Resizing maps pixel centres as
     * {@code (x + ½)·w/W − ½} (PIL and OpenCV alike); cropping subtracts the corner.
     */
    public double[] affine() {
      double sx = scaleX();
      double sy = scaleY();
      return new double[] {sx, 0, 0.5 * sx - 0.5 - left, 0, sy, 0.5 * sy - 0.5 - up};
    }

    /** Crop pixel → source pixel, the inverse of {@link #affine()}, same layout. */
    public double[] inverse() {
      double sx = scaleX();
      double sy = scaleY();
      return new double[] {1 / sx, 0, (left + 0.5) / sx - 0.5, 0, 1 / sy,
          (up + 0.5) / sy - 0.5};
    }

    /** A source point in crop pixels, {u, v}. */
    public double[] toCrop(double x, double y) {
      double[] a = affine();
      return new double[] {a[0] * x + a[2], a[4] * y + a[5]};
    }

    /** A crop point in source pixels, {x, y}. */
    public double[] toSource(double u, double v) {
      double[] a = inverse();
      return new double[] {a[0] * u + a[2], a[4] * v + a[5]};
    }

    /**
     * {@code align_img}'s {@code trans_params}: {W, H, s, tx, ty}, what Deep3DFaceRecon-based
     * tools (SadTalker and others) keep to paste results back.
     */
    public double[] transParams() {
      return new double[] {srcWidth, srcHeight, scale, tx, ty};
    }

    /**
     * Source landmarks (x0, y0, …; y down) as {@code align_img} returns them for the crop, y up.
     * Its formula skips the truncated corner and pixel centres, so against {@link #toCrop}'s
     * (u, v) these are (u, 224 − s − v) within 1 + |s − 1|/2 pixels. Deep3DFaceRecon's landmark
     * loss compares with these.
     */
    public float[] deep3dLandmarks(float[] pts) {
      if (pts == null || pts.length % 2 != 0) {
        throw new IllegalArgumentException("landmarks must be x, y pairs");
      }
      float[] out = new float[pts.length];
      double ox = resizedWidth / 2.0 - SIZE / 2.0;
      double oy = resizedHeight / 2.0 - SIZE / 2.0;
      for (int i = 0; i < pts.length; i += 2) {
        double yUp = srcHeight - 1 - (double) pts[i + 1];
        out[i] = (float) ((pts[i] - tx + srcWidth / 2.0) * scale - ox);
        out[i + 1] = (float) ((yUp - ty + srcHeight / 2.0) * scale - oy);
      }
      return out;
    }

    /** Share of the crop's area that lies outside the picture (black). */
    public double outside() {
      int ox = Math.max(0, Math.min(resizedWidth, left + SIZE) - Math.max(0, left));
      int oy = Math.max(0, Math.min(resizedHeight, up + SIZE) - Math.max(0, up));
      return 1 - (double) ox * oy / ((double) SIZE * SIZE);
    }
  }

  /** (PᵀP)⁻¹Pᵀ for P = [X Y Z 1], by Gauss–Jordan with partial pivoting. */
  private static double[][] pseudoInverse(double[][] pts) {
    int n = pts.length;
    double[][] p = new double[n][4];
    for (int i = 0; i < n; i++) {
      p[i] = new double[] {pts[i][0], pts[i][1], pts[i][2], 1};
    }
    // Augmented [PᵀP | Pᵀ].
    double[][] m = new double[4][4 + n];
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 4; c++) {
        for (int i = 0; i < n; i++) {
          m[r][c] += p[i][r] * p[i][c];
        }
      }
      for (int i = 0; i < n; i++) {
        m[r][4 + i] = p[i][r];
      }
    }
    for (int col = 0; col < 4; col++) {
      int piv = col;
      for (int r = col + 1; r < 4; r++) {
        if (Math.abs(m[r][col]) > Math.abs(m[piv][col])) {
          piv = r;
        }
      }
      double[] tmp = m[col];
      m[col] = m[piv];
      m[piv] = tmp;
      double d = m[col][col];
      for (int c = 0; c < 4 + n; c++) {
        m[col][c] /= d;
      }
      for (int r = 0; r < 4; r++) {
        if (r != col) {
          double f = m[r][col];
          for (int c = 0; c < 4 + n; c++) {
            m[r][c] -= f * m[col][c];
          }
        }
      }
    }
    double[][] out = new double[4][n];
    for (int r = 0; r < 4; r++) {
      System.arraycopy(m[r], 4, out[r], 0, n);
    }
    return out;
  }
}
