package io.talkset.core.video;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Hard cuts between consecutive frames. A cut needs both a changed colour distribution (L1
 * distance of 8×8×8 colour histograms, 0 to 2) and changed pixels (mean absolute difference of
 * 32×32 thumbnails, 0 to 255): the first alone fires on two similar-looking shots never, and on a
 * flash; the second alone fires on fast motion. Talking-head footage (a person speaking, head
 * turns, lighting drift) stays well under both thresholds.
 */
public final class ShotDetector {
  /** Side of the thumbnails compared; a caller may pass frames already this small. */
  public static final int THUMB = 32;
  private final double histThreshold;
  private final double pixelThreshold;
  private float[] prevHist;
  private byte[] prevThumb;
  private double lastHist;
  private double lastPixels;

  public ShotDetector() {
    this(0.6, 25);
  }

  public ShotDetector(double histThreshold, double pixelThreshold) {
    this.histThreshold = histThreshold;
    this.pixelThreshold = pixelThreshold;
  }

  /** Feeds the next frame (BGR, any size); true when it starts a new shot. */
  public boolean update(Mat bgr) {
    byte[] thumb = new byte[THUMB * THUMB * 3];
    if (bgr.cols() == THUMB && bgr.rows() == THUMB && bgr.isContinuous()) {
      // Already a thumbnail (GridReader.thumbnail): read it as it is.
      bgr.data().get(thumb);
    } else {
      try (Mat small = new Mat()) {
        resize(bgr, small, new Size(THUMB, THUMB), 0, 0, INTER_AREA);
        small.data().get(thumb);
      }
    }
    float[] hist = new float[512];
    for (int i = 0; i < thumb.length; i += 3) {
      int b = (thumb[i] & 0xff) >> 5;
      int g = (thumb[i + 1] & 0xff) >> 5;
      int r = (thumb[i + 2] & 0xff) >> 5;
      hist[(b << 6) | (g << 3) | r] += 1f / (THUMB * THUMB);
    }
    boolean cut = false;
    if (prevHist != null) {
      double h = 0;
      for (int i = 0; i < hist.length; i++) {
        h += Math.abs(hist[i] - prevHist[i]);
      }
      double p = 0;
      for (int i = 0; i < thumb.length; i++) {
        p += Math.abs((thumb[i] & 0xff) - (prevThumb[i] & 0xff));
      }
      p /= thumb.length;
      lastHist = h;
      lastPixels = p;
      cut = h > histThreshold && p > pixelThreshold;
    }
    prevHist = hist;
    prevThumb = thumb;
    return cut;
  }

  /** Histogram distance of the last pair of frames. */
  public double lastHistogramDistance() {
    return lastHist;
  }

  /** Mean absolute thumbnail difference of the last pair of frames. */
  public double lastPixelDifference() {
    return lastPixels;
  }
}
