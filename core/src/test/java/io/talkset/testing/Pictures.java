package io.talkset.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.talkset.core.faces.CropWindows.Window;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/** Reference crops and pixel distances shared by the grid-reader and face-pipeline tests. */
public final class Pictures {
  private Pictures() {}

  /** The window cut from {@code full} and scaled to {@code size} by OpenCV (bicubic), black outside. */
  public static Mat reference(Mat full, Window w, int size) {
    Mat out = new Mat(size, size, full.type(), new org.bytedeco.opencv.opencv_core.Scalar(0));
    int x0 = (int) Math.max(0, w.x0());
    int y0 = (int) Math.max(0, w.y0());
    int x1 = (int) Math.min(full.cols(), w.x0() + w.side());
    int y1 = (int) Math.min(full.rows(), w.y0() + w.side());
    double s = size / w.side();
    try (Mat part = new Mat(full, new Rect(x0, y0, x1 - x0, y1 - y0));
        Mat dst = new Mat(out, new Rect((int) Math.round((x0 - w.x0()) * s),
            (int) Math.round((y0 - w.y0()) * s), (int) Math.round((x1 - x0) * s),
            (int) Math.round((y1 - y0) * s)))) {
      opencv_imgproc.resize(part, dst, new Size(dst.cols(), dst.rows()), 0, 0,
          opencv_imgproc.INTER_CUBIC);
    }
    return out;
  }

  public static double meanAbsDiff(Mat a, Mat b) {
    assertEquals(a.cols(), b.cols());
    assertEquals(a.rows(), b.rows());
    long sum = 0;
    try (UByteIndexer x = a.createIndexer(); UByteIndexer y = b.createIndexer()) {
      for (int r = 0; r < a.rows(); r++) {
        for (int c = 0; c < a.cols(); c++) {
          for (int k = 0; k < 3; k++) {
            sum += Math.abs(x.get(r, c, k) - y.get(r, c, k));
          }
        }
      }
    }
    return sum / (double) (a.rows() * a.cols() * 3);
  }
}
