package io.talkset.core.video;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.media.SeekableSource;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Push-style helper over {@link GridReader}: every 25 fps grid frame as a full-size upright BGR
 * {@link Mat} with the source timestamp it came from.
 */
public final class VideoFrames {
  public static final int FPS = GridReader.FPS;

  /** Receives grid frames in order; the Mat is closed after the call returns. */
  @FunctionalInterface
  public interface Sink {
    void accept(int index, double sourceTimeS, Mat bgr) throws Exception;
  }

  /**
   * What was read.
   *
   * @param frames grid frames delivered
   * @param decoded source frames decoded
   * @param repeatedAtEnd grid frames past the last decoded frame, filled with it
   */
  public record Result(int frames, int decoded, int repeatedAtEnd, int width, int height,
      int rotationDeg) {}

  private VideoFrames() {}

  /**
   * Delivers exactly {@code gridFrames} frames (or, when negative, every grid time before the
   * last decoded frame ends).
   */
  public static Result read(SeekableSource source, String nameHint, long deadlineNanos,
      int gridFrames, int rotationDeg, Sink sink) throws ProbeException {
    try (GridReader r = GridReader.open(source, nameHint, deadlineNanos, gridFrames,
        rotationDeg)) {
      int n = 0;
      int w = 0;
      int h = 0;
      while (r.next()) {
        try (Mat m = r.bgr(0)) {
          w = m.cols();
          h = m.rows();
          sink.accept(r.index(), r.sourceTimeS(), m);
        } catch (ProbeException e) {
          throw e;
        } catch (Exception e) {
          throw new ProbeException(ErrorCodes.INTERNAL, "frame consumer failed: " + e, e);
        }
        n++;
      }
      return new Result(n, r.decoded(), r.repeatedAtEnd(), w, h, r.rotation());
    }
  }
}
