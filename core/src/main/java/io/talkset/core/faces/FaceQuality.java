package io.talkset.core.faces;

import static org.bytedeco.opencv.global.opencv_core.CV_16S;
import static org.bytedeco.opencv.global.opencv_core.meanStdDev;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.Laplacian;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/** Per-frame numbers that let a user filter bad faces. */
public final class FaceQuality {
  /** Side the face is resampled to before measuring sharpness, so faces of any size compare. */
  public static final int SHARPNESS_SIDE = 112;

  private FaceQuality() {}

  /**
   * Yaw estimate in degrees from BlazeFace's keypoints: where the nose tip sits between the two
   * ear tragions, as the sine of the turn (0 when it is midway, ±90 when it reaches an ear).
   * Positive when the face turns towards the picture's right. Rough (a few degrees near frontal,
   * saturating past about 60°); NaN when the ears coincide.
   */
  public static double yawDeg(Detection d) {
    float[] k = d.keypoints();
    double earR = k[8];
    double earL = k[10];
    double nose = k[4];
    double span = earL - earR;
    if (Math.abs(span) < 1e-3) {
      return Double.NaN;
    }
    double r = (2 * nose - earR - earL) / span;
    return Math.toDegrees(Math.asin(Math.max(-1, Math.min(1, r))));
  }

  /**
   * Sharpness: variance of the Laplacian of the face box (in {@code bgr}'s pixels), after the box
   * is resampled to {@value #SHARPNESS_SIDE} pixels square. Higher is sharper; an upscaled or
   * blurred face scores low. NaN when the box is empty.
   */
  public static double sharpness(Mat bgr, double x0, double y0, double x1, double y1) {
    int ix0 = (int) Math.max(0, Math.floor(x0));
    int iy0 = (int) Math.max(0, Math.floor(y0));
    int ix1 = (int) Math.min(bgr.cols(), Math.ceil(x1));
    int iy1 = (int) Math.min(bgr.rows(), Math.ceil(y1));
    if (ix1 - ix0 < 3 || iy1 - iy0 < 3) {
      return Double.NaN;
    }
    try (Mat roi = new Mat(bgr, new Rect(ix0, iy0, ix1 - ix0, iy1 - iy0));
        Mat gray = new Mat(); Mat small = new Mat(); Mat lap = new Mat();
        Mat mean = new Mat(); Mat std = new Mat()) {
      cvtColor(roi, gray, COLOR_BGR2GRAY);
      resize(gray, small, new Size(SHARPNESS_SIDE, SHARPNESS_SIDE), 0, 0, INTER_AREA);
      // 16-bit is exact for the 3×3 aperture on 8-bit input (|value| ≤ 1020) and a quarter of
      // the memory traffic of doubles; meanStdDev accumulates in double either way.
      Laplacian(small, lap, CV_16S);
      meanStdDev(lap, mean, std);
      try (DoubleIndexer s = std.createIndexer()) {
        double v = s.get(0);
        return v * v;
      }
    }
  }
}
