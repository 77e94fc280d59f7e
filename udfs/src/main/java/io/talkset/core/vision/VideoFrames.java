package io.talkset.core.vision;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import io.talkset.core.media.ErrorCodes;
import io.talkset.core.media.FfmpegInput;
import io.talkset.core.media.ProbeException;
import io.talkset.core.media.SeekableSource;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Decodes the main video stream onto a constant 25 fps grid, streaming: grid frame i (time i/25
 * after the stream's first frame) is the decoded frame whose timestamp is nearest to it (the
 * earlier one on a tie), whatever the source rate (30, 29.97, variable). Only the current and
 * the previous decoded frames are held. Frames are delivered as BGR {@link Mat}s, turned upright
 * by the stream's rotation, with the source timestamp they came from.
 */
public final class VideoFrames {
  public static final int FPS = 25;

  /** Receives grid frames in order; the Mat is reused after the call returns. */
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
    try (FfmpegInput in = FfmpegInput.open(source, nameHint, deadlineNanos)) {
      int v = av_find_best_stream(in.context(), AVMEDIA_TYPE_VIDEO, -1, -1,
          (PointerPointer<?>) null, 0);
      if (v < 0) {
        throw new ProbeException(ErrorCodes.NO_VIDEO, "the file has no video stream");
      }
      AVStream st = in.context().streams(v);
      return decode(in, st, v, deadlineNanos, gridFrames, rotationDeg, sink);
    }
  }

  private static Result decode(FfmpegInput in, AVStream st, int index, long deadlineNanos,
      int gridFrames, int rotationDeg, Sink sink) throws ProbeException {
    double tb = st.time_base().num() / (double) st.time_base().den();
    double nominal = st.avg_frame_rate().num() > 0 && st.avg_frame_rate().den() > 0
        ? st.avg_frame_rate().num() / (double) st.avg_frame_rate().den() : 25.0;
    // One decoder thread: executors already run one task per core.
    AVCodecContext dec = FfmpegInput.openDecoder(st, 1);
    AVPacket pkt = av_packet_alloc();
    AVFrame frame = av_frame_alloc();
    Grid grid = new Grid(gridFrames, rotationDeg, sink);
    SwsContext sws = null;
    try {
      int ret = 0;
      boolean reading = true;
      Double t0 = null;
      while (!grid.full()) {
        if (reading) {
          reading = in.feed(dec, index, pkt);
        }
        while (!grid.full() && (ret = avcodec_receive_frame(dec, frame)) >= 0) {
          long pts = frame.best_effort_timestamp();
          double t = pts == AV_NOPTS_VALUE ? grid.decoded / nominal : pts * tb;
          if (t0 == null) {
            t0 = t;
          }
          int w = frame.width();
          int h = frame.height();
          sws = sws_getCachedContext(sws, w, h, frame.format(), w, h, AV_PIX_FMT_BGR24,
              SWS_BILINEAR, null, null, (DoublePointer) null);
          Mat bgr = new Mat(h, w, CV_8UC3);
          PointerPointer<BytePointer> dst = new PointerPointer<>(1);
          dst.put(0, bgr.data());
          IntPointer stride = new IntPointer(1);
          stride.put(0, (int) bgr.step());
          sws_scale(sws, frame.data(), frame.linesize(), 0, h, dst, stride);
          dst.close();
          stride.close();
          grid.offer(t - t0, bgr, 1 / nominal);
          av_frame_unref(frame);
        }
        if (ret == AVERROR_EOF) {
          break;
        }
        if (System.nanoTime() - deadlineNanos > 0) {
          throw new ProbeException(ErrorCodes.PROBE_TIMEOUT, "decoding exceeded its time limit");
        }
      }
      if (grid.decoded == 0) {
        throw new ProbeException(ErrorCodes.CORRUPT, "the video stream decoded to no frames");
      }
      grid.finish();
      return new Result(grid.next, grid.decoded, grid.repeated, grid.width, grid.height,
          rotationDeg);
    } catch (ProbeException e) {
      throw e;
    } catch (Exception e) {
      throw new ProbeException(ErrorCodes.INTERNAL, "frame consumer failed: " + e, e);
    } finally {
      grid.close();
      if (sws != null) {
        sws_freeContext(sws);
      }
      av_frame_free(frame);
      av_packet_free(pkt);
      avcodec_free_context(dec);
    }
  }

  /** Nearest-timestamp selection onto the 25 fps grid, holding one previous frame. */
  private static final class Grid implements AutoCloseable {
    final int limit;
    final int rotation;
    final Sink sink;
    Mat prev;
    double prevT;
    double prevDuration;
    int next;
    int decoded;
    int repeated;
    int width;
    int height;

    Grid(int limit, int rotation, Sink sink) {
      this.limit = limit;
      this.rotation = rotation;
      this.sink = sink;
    }

    boolean full() {
      return limit >= 0 && next >= limit;
    }

    void offer(double t, Mat bgr, double nominalDuration) throws Exception {
      decoded++;
      if (prev != null) {
        // Grid times up to the midpoint between the two frames are nearer the previous one.
        double mid = (prevT + t) / 2;
        while (!full() && next / (double) FPS <= mid) {
          emit(prev, prevT);
        }
        prev.close();
      }
      prev = upright(bgr);
      prevT = t;
      prevDuration = nominalDuration;
    }

    void finish() throws Exception {
      if (prev == null) {
        return;
      }
      double end = prevT + prevDuration;
      while (!full() && (limit >= 0 || next / (double) FPS < end - 1e-6)) {
        if (next / (double) FPS >= end - 1e-6) {
          repeated++;
        }
        emit(prev, prevT);
      }
    }

    private void emit(Mat m, double t) throws Exception {
      width = m.cols();
      height = m.rows();
      sink.accept(next++, t, m);
    }

    private Mat upright(Mat m) {
      if (rotation == 0) {
        return m;
      }
      Mat r = new Mat();
      int code = switch (rotation) {
        case 90 -> org.bytedeco.opencv.global.opencv_core.ROTATE_90_CLOCKWISE;
        case 180 -> org.bytedeco.opencv.global.opencv_core.ROTATE_180;
        default -> org.bytedeco.opencv.global.opencv_core.ROTATE_90_COUNTERCLOCKWISE;
      };
      org.bytedeco.opencv.global.opencv_core.rotate(m, r, code);
      m.close();
      return r;
    }

    @Override
    public void close() {
      if (prev != null) {
        prev.close();
        prev = null;
      }
    }
  }
}
