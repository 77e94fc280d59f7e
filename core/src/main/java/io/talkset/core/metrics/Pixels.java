package io.talkset.core.metrics;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * An 8-bit picture as the metrics read it: rows top to bottom, pixels left to right, channels
 * interleaved in {@code order}. The array is used as given, not copied.
 *
 * @param data {@code width × height × order.channels()} bytes, read as unsigned
 */
public record Pixels(byte[] data, int width, int height, Order order) {
  /** Channel order of one pixel. Luma-based metrics need to know which byte is red. */
  public enum Order {
    GRAY(1), RGB(3), BGR(3);

    private final int channels;

    Order(int channels) {
      this.channels = channels;
    }

    public int channels() {
      return channels;
    }
  }

  public Pixels {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("picture size must be positive, got " + width + "x"
          + height);
    }
    long need = (long) width * height * order.channels();
    if (data.length != need) {
      throw new IllegalArgumentException(order + " " + width + "x" + height + " needs " + need
          + " bytes, got " + data.length);
    }
  }

  public int channels() {
    return order.channels();
  }

  /**
   * The bytes of an OpenCV picture: 8-bit, 1 channel (GRAY) or 3 (BGR, OpenCV's order). Copied
   * row by row, so ROIs (non-continuous Mats) work.
   */
  public static Pixels of(Mat m) {
    int type = m.type();
    if (type != CV_8UC3 && type != CV_8UC1) {
      throw new IllegalArgumentException("expected an 8-bit 1- or 3-channel Mat (CV_8UC1/CV_8UC3),"
          + " got type " + type);
    }
    int c = m.channels();
    int w = m.cols();
    int h = m.rows();
    byte[] data = new byte[w * h * c];
    if (m.isContinuous()) {
      m.data().get(data);
    } else {
      for (int y = 0; y < h; y++) {
        m.ptr(y).get(data, y * w * c, w * c);
      }
    }
    return new Pixels(data, w, h, c == 1 ? Order.GRAY : Order.BGR);
  }

  /** Throws unless {@code a} and {@code b} can be compared pixel by pixel. */
  static void requireComparable(Pixels a, Pixels b) {
    if (a.width != b.width || a.height != b.height || a.order != b.order) {
      throw new IllegalArgumentException("pictures differ: " + a.order + " " + a.width + "x"
          + a.height + " vs " + b.order + " " + b.width + "x" + b.height);
    }
  }

  /**
   * ITU-R BT.601 luma in studio range, Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255, in
   * [16, 235] and not rounded: scikit-image's {@code rgb2ycbcr(...)[..., 0]} and BasicSR's
   * {@code bgr2ycbcr(y_only=True)} (×255). A GRAY picture is taken as luma already (BasicSR
   * passes one-channel images through unchanged).
   */
  static double luma(Pixels p, int pixel) {
    byte[] d = p.data;
    return switch (p.order) {
      case GRAY -> d[pixel] & 0xff;
      case RGB -> lumaOf(d[3 * pixel] & 0xff, d[3 * pixel + 1] & 0xff, d[3 * pixel + 2] & 0xff);
      case BGR -> lumaOf(d[3 * pixel + 2] & 0xff, d[3 * pixel + 1] & 0xff, d[3 * pixel] & 0xff);
    };
  }

  static final double YR = 65.481 / 255;
  static final double YG = 128.553 / 255;
  static final double YB = 24.966 / 255;

  static double lumaOf(int r, int g, int b) {
    return 16 + YR * r + YG * g + YB * b;
  }

  /** Index of red and blue within a pixel (green is 1); -1 for GRAY. */
  static int redIndex(Order o) {
    return o == Order.RGB ? 0 : o == Order.BGR ? 2 : -1;
  }
}
