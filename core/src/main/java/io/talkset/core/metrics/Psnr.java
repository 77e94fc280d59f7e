package io.talkset.core.metrics;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Peak signal-to-noise ratio, PSNR = 10·log10(255² / MSE), data range 255, in dB.
 *
 * <ul>
 *   <li>{@link #rgb}: MSE over every pixel and channel together, as scikit-image's {@code
 *       peak_signal_noise_ratio(a, b, data_range=255)} on H×W×3 arrays (channel order does not
 *       matter). Exact: the squared differences are summed as integers.
 *   <li>{@link #luma}: MSE of BT.601 luma Y = 16 + (65.481 R + 128.553 G + 24.966 B)/255 (in
 *       [16, 235], unrounded; {@link Pixels}), still with data range 255: scikit-image's {@code
 *       peak_signal_noise_ratio(rgb2ycbcr(a)[..., 0], rgb2ycbcr(b)[..., 0], data_range=255)} and
 *       BasicSR's {@code calculate_psnr(test_y_channel=True, crop_border=0)} (which rounds Y
 *       through float32 on the way, ~1e-5 dB). The 16 offset cancels in the difference.
 * </ul>
 *
 * Identical pictures (MSE 0) give {@link Double#POSITIVE_INFINITY}, as scikit-image's {@code
 * 10·log10(255² / 0)} does (numpy warns and returns inf); a caller averaging PSNR over frames
 * should decide how to treat it (BasicSR returns inf too).
 */
public final class Psnr {
  private Psnr() {}

  /** PSNR over all channels together (dB). */
  public static double rgb(Pixels a, Pixels b) {
    Pixels.requireComparable(a, b);
    byte[] da = a.data();
    byte[] db = b.data();
    long sum = 0;
    for (int i = 0; i < da.length; i++) {
      int d = (da[i] & 0xff) - (db[i] & 0xff);
      sum += d * d;
    }
    return fromMse((double) sum / da.length);
  }

  /** PSNR of BT.601 luma (dB); a GRAY picture is taken as luma already. */
  public static double luma(Pixels a, Pixels b) {
    Pixels.requireComparable(a, b);
    if (a.order() == Pixels.Order.GRAY) {
      return rgb(a, b);
    }
    int n = a.width() * a.height();
    double sum = 0;
    byte[] da = a.data();
    byte[] db = b.data();
    int ri = Pixels.redIndex(a.order());
    int bi = 2 - ri;
    for (int p = 0, i = 0; p < n; p++, i += 3) {
      double d = Pixels.YR * ((da[i + ri] & 0xff) - (db[i + ri] & 0xff))
          + Pixels.YG * ((da[i + 1] & 0xff) - (db[i + 1] & 0xff))
          + Pixels.YB * ((da[i + bi] & 0xff) - (db[i + bi] & 0xff));
      sum += d * d;
    }
    return fromMse(sum / n);
  }

  /** {@link #rgb} of two OpenCV pictures. */
  public static double rgb(Mat a, Mat b) {
    return rgb(Pixels.of(a), Pixels.of(b));
  }

  /** {@link #luma} of two OpenCV pictures (BGR or gray). */
  public static double luma(Mat a, Mat b) {
    return luma(Pixels.of(a), Pixels.of(b));
  }

  /** 10·log10(255² / mse); +∞ for 0. */
  public static double fromMse(double mse) {
    return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
  }
}
