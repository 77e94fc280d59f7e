package io.talkset.core.metrics;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;

import java.nio.file.Path;
import java.util.Random;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Real photo crops and their degraded versions, made with OpenCV, for the metric tests and the
 * SSIM benchmark.
 */
public final class MetricPictures {
  private MetricPictures() {}

  /**
   * The pictures the tests and the benchmark compare: sample photo, crop x, y, width, height.
   * Three 512×512 face crops and one smaller non-square crop.
   */
  public static final Object[][] CROPS = {
    {"astronaut", "photos/skimage/astronaut.png", 0, 0, 512, 512},
    {"cruise", "photos/dlib/Tom_Cruise_avp_2014_4.jpg", 26, 80, 512, 512},
    {"jesper", "photos/kphotoalbum/jesper.jpg", 144, 10, 512, 512},
    {"baldguys-wide", "photos/dlib/bald_guys.jpg", 700, 500, 333, 250},
  };

  /** A crop of a sample photo (BGR Mat, continuous). */
  public static Mat crop(Path samples, String sample, int x, int y, int w, int h) {
    Mat full = imread(samples.resolve(sample).toString(), IMREAD_COLOR);
    if (full.empty() || full.cols() < x + w || full.rows() < y + h) {
      throw new IllegalStateException(sample + " is " + full.cols() + "x" + full.rows()
          + ", cannot crop " + w + "x" + h + "+" + x + "+" + y);
    }
    Mat c = new Mat(full, new Rect(x, y, w, h)).clone();
    full.close();
    return c;
  }

  /** Re-encoded as JPEG at {@code quality} and decoded again. */
  public static Mat jpeg(Mat bgr, int quality) {
    try (BytePointer buf = new BytePointer();
        IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, quality)) {
      if (!imencode(".jpg", bgr, buf, params)) {
        throw new IllegalStateException("JPEG encoding failed");
      }
      try (Mat enc = new Mat(1, (int) buf.limit(), org.bytedeco.opencv.global.opencv_core.CV_8UC1,
          buf)) {
        return imdecode(enc, IMREAD_COLOR);
      }
    }
  }

  /** Gaussian blur of standard deviation {@code sigma} (OpenCV picks the kernel size). */
  public static Mat blur(Mat bgr, double sigma) {
    Mat out = new Mat();
    GaussianBlur(bgr, out, new Size(0, 0), sigma);
    return out;
  }

  /** Adds rounded Gaussian noise of standard deviation {@code sigma}, clamped to 0..255. */
  public static Pixels noisy(Pixels p, double sigma, long seed) {
    Random rnd = new Random(seed);
    byte[] d = p.data().clone();
    for (int i = 0; i < d.length; i++) {
      long v = Math.round((d[i] & 0xff) + sigma * rnd.nextGaussian());
      d[i] = (byte) Math.max(0, Math.min(255, v));
    }
    return new Pixels(d, p.width(), p.height(), p.order());
  }

  /** The same picture with red and blue swapped (BGR ↔ RGB). */
  public static Pixels swapRedBlue(Pixels p) {
    byte[] d = p.data().clone();
    for (int i = 0; i < d.length; i += 3) {
      byte t = d[i];
      d[i] = d[i + 2];
      d[i + 2] = t;
    }
    Pixels.Order o = p.order() == Pixels.Order.BGR ? Pixels.Order.RGB : Pixels.Order.BGR;
    return new Pixels(d, p.width(), p.height(), o);
  }

  /** RGB bytes of a BGR Mat. */
  public static Pixels rgb(Mat bgr) {
    return swapRedBlue(Pixels.of(bgr));
  }
}
