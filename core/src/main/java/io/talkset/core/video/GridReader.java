package io.talkset.core.video;

import static org.bytedeco.ffmpeg.global.avcodec.AVDISCARD_ALL;
import static org.bytedeco.ffmpeg.global.avcodec.AVDISCARD_DEFAULT;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_FRAME_CROP_UNALIGNED;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_apply_cropping;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_move_ref;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_ref;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_image_copy_to_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_image_fill_arrays;
import static org.bytedeco.ffmpeg.global.avutil.av_image_get_buffer_size;
import static org.bytedeco.ffmpeg.global.swscale.SWS_AREA;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_180;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_CLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_COUNTERCLOCKWISE;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.media.FfmpegInput;
import io.talkset.core.media.InputLimits;
import io.talkset.core.media.SeekableSource;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * Pulls the main video stream onto a constant 25 fps grid: grid frame i (time i/25 after the
 * stream's first frame) is the decoded frame whose timestamp is nearest to it (the earlier one on
 * a tie), whatever the source rate (30, 29.97, variable). Only two decoded frames are held, as
 * reference-counted decoder frames: pixels are converted only for the grid frames a caller asks
 * for, and only at the size it asks for, so skipping, scaling for a detector and cropping a face
 * window cost what they need and no more.
 *
 * <p>Coordinates are always those of the upright picture (the stream's rotation applied).
 */
public final class GridReader implements AutoCloseable {
  public static final int FPS = 25;

  private final FfmpegInput in;
  private final int streamIndex;
  private final long deadlineNanos;
  private final int limit;
  private final int rotation;
  private final double tb;
  private final double nominal;
  private final double declaredS;
  private final AVCodecContext dec;
  private final AVPacket pkt = av_packet_alloc();
  private final AVFrame work = av_frame_alloc();
  private final AVFrame prev = av_frame_alloc();
  private final AVFrame ahead = av_frame_alloc();
  private final AVFrame view = av_frame_alloc();
  /** The previous grid frame's picture: a reference to the decoder's buffer, not a copy. */
  private final AVFrame last = av_frame_alloc();
  private boolean haveLast;
  // Detector inputs and shot thumbnails stay on libswscale's BGR24 output: the 4:2:0 path
  // gains nothing on a downscale (reading the source dominates), and the detector and the shot
  // thresholds were measured on these pixels.
  private final Scaler scaler = new Scaler(SWS_BILINEAR, false);
  private final Scaler lastScaler = new Scaler(SWS_BILINEAR, false);
  private final Scaler thumbScaler = new Scaler(SWS_AREA, false);
  private final Cropper cropper = new Cropper();
  private boolean havePrev;
  private boolean haveAhead;
  private double prevT;
  private double aheadT;
  private Double t0;
  private boolean reading = true;
  private boolean eof;
  private int next;
  private int index = -1;
  private double currentT;
  private int decoded;
  private int repeated;
  /** Where the last decoded frame ends (its time plus one nominal frame), from t0. */
  private double decodedEndS;
  private InputLimits limits = InputLimits.DEFAULTS;

  private GridReader(FfmpegInput in, AVStream st, int streamIndex, long deadlineNanos,
      int gridFrames, int rotationDeg) throws ProbeException {
    this.in = in;
    this.streamIndex = streamIndex;
    this.deadlineNanos = deadlineNanos;
    this.limit = gridFrames;
    this.rotation = ((rotationDeg % 360) + 360) % 360;
    this.tb = st.time_base().num() / (double) st.time_base().den();
    this.nominal = st.avg_frame_rate().num() > 0 && st.avg_frame_rate().den() > 0
        ? st.avg_frame_rate().num() / (double) st.avg_frame_rate().den() : 25.0;
    long containerUs = in.context().duration();
    this.declaredS = st.duration() != AV_NOPTS_VALUE && st.duration() > 0 ? st.duration() * tb
        : containerUs != AV_NOPTS_VALUE && containerUs > 0 ? containerUs / 1e6 : -1;
    // One decoder thread: executors already run one task per core.
    this.dec = FfmpegInput.openDecoder(st, 1);
  }

  /**
   * Opens the main video stream. {@code gridFrames} is the number of grid frames to deliver
   * (the last decoded frame repeats to fill it), or negative for every grid time before the last
   * decoded frame ends. {@code rotationDeg} is the stream's display rotation, clockwise.
   */
  public static GridReader open(SeekableSource source, String nameHint, long deadlineNanos,
      int gridFrames, int rotationDeg) throws ProbeException {
    return open(source, nameHint, deadlineNanos, gridFrames, rotationDeg, null);
  }

  /**
   * As {@link #open(SeekableSource, String, long, int, int)}, bounded by {@code limits} (see
   * {@link #limits}) from the first byte: reading the stream information already decodes a few
   * frames, under the same picture limit. Null: no limits yet.
   */
  public static GridReader open(SeekableSource source, String nameHint, long deadlineNanos,
      int gridFrames, int rotationDeg, InputLimits limits) throws ProbeException {
    FfmpegInput in = FfmpegInput.open(source, nameHint, deadlineNanos,
        limits == null ? 0 : limits.decoderMaxPixels());
    try {
      int v = av_find_best_stream(in.context(), AVMEDIA_TYPE_VIDEO, -1, -1,
          (PointerPointer<?>) null, 0);
      if (v < 0) {
        throw new ProbeException(ErrorCodes.NO_VIDEO, "the file has no video stream");
      }
      GridReader r = new GridReader(in, in.context().streams(v), v, deadlineNanos, gridFrames,
          rotationDeg);
      return limits == null ? r : r.limits(limits);
    } catch (ProbeException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /**
   * Bounds what the stream may deliver whatever its container declared: each decoded picture's
   * size, and the number of grid frames (duration). Over a limit, decoding stops with
   * {@code over_limit}. The decoder itself gets {@link InputLimits#decoderMaxPixels}, so a
   * picture far over the limit is refused before it is allocated.
   */
  public GridReader limits(InputLimits l) {
    this.limits = l;
    dec.max_pixels(l.decoderMaxPixels());
    return this;
  }


  /**
   * Pictures for analysis only (detection, shot cuts), not for output: the decoder skips its
   * in-loop deblocking filter where the codec has one (H.264, HEVC). That takes about a quarter
   * off H.264 decoding; the pictures drift from the exact ones by blocking too faint to move a
   * detector (PSNR above 45 dB on a 720p talking head at CRF 20). Call before the first
   * {@link #next}.
   */
  public GridReader forAnalysis(boolean analysisOnly) {
    dec.skip_loop_filter(analysisOnly ? AVDISCARD_ALL : AVDISCARD_DEFAULT);
    return this;
  }

  /** Advances to the next grid frame; false at the end. */
  public boolean next() throws ProbeException {
    if (index >= 0) {
      av_frame_unref(last);
      haveLast = av_frame_ref(last, prev) >= 0;
    }
    if (limit >= 0 && next >= limit) {
      return false;
    }
    if (next >= limits.maxGridFrames(FPS)) {
      throw limits.tooLong("video stream");
    }
    while (true) {
      if (havePrev && haveAhead) {
        // Grid times up to the midpoint between two frames are nearer the earlier one.
        if (next / (double) FPS <= (prevT + aheadT) / 2) {
          return emit();
        }
        av_frame_unref(prev);
        av_frame_move_ref(prev, ahead);
        prevT = aheadT;
        haveAhead = false;
        continue;
      }
      if (havePrev && eof) {
        double end = prevT + 1 / nominal;
        if (limit < 0 && next / (double) FPS >= end - 1e-6) {
          return false;
        }
        if (next / (double) FPS >= end - 1e-6) {
          repeated++;
        }
        return emit();
      }
      if (eof) {
        throw new ProbeException(ErrorCodes.CORRUPT, "the video stream decoded to no frames");
      }
      decodeOne();
    }
  }

  private boolean emit() {
    index = next++;
    currentT = prevT;
    return true;
  }

  private void decodeOne() throws ProbeException {
    while (true) {
      int ret = avcodec_receive_frame(dec, work);
      if (ret >= 0) {
        if (decoded == 0 || work.width() != prev.width() || work.height() != prev.height()) {
          // Every new picture size, not only the first: a stream may change size mid-way.
          limits.checkPicture(work.width(), work.height());
        }
        long pts = work.best_effort_timestamp();
        double t = pts == AV_NOPTS_VALUE ? decoded / nominal : pts * tb;
        if (t0 == null) {
          t0 = t;
        }
        t -= t0;
        decoded++;
        decodedEndS = Math.max(decodedEndS, t + 1 / nominal);
        if (!havePrev) {
          av_frame_move_ref(prev, work);
          prevT = t;
          havePrev = true;
        } else {
          av_frame_move_ref(ahead, work);
          aheadT = t;
          haveAhead = true;
        }
        return;
      }
      if (ret == AVERROR_EOF || !reading) {
        // After the flush packet the decoder only ever ends; a decode error there ends it too.
        eof = true;
        return;
      }
      if (System.nanoTime() - deadlineNanos > 0) {
        throw new ProbeException(ErrorCodes.PROBE_TIMEOUT, "decoding exceeded its time limit");
      }
      reading = in.feed(dec, streamIndex, pkt);
      refusedPicture();
    }
  }

  /**
   * Throws {@code over_limit} when the decoder has taken on a picture size over its
   * {@code max_pixels}: FFmpeg then refuses every packet of it (the frames are never allocated,
   * so our own check never sees them), and without this the rest of the stream would silently
   * decode to nothing.
   */
  private void refusedPicture() throws ProbeException {
    long pixels = (long) dec.width() * dec.height();
    if (pixels > dec.max_pixels()) {
      throw new ProbeException(ErrorCodes.OVER_LIMIT, String.format(java.util.Locale.ROOT,
          "the video holds %d×%d pictures (%d pixels), over --max-frame-pixels %d: FFmpeg's"
              + " decoder refused them before allocating", dec.width(), dec.height(), pixels,
          limits.maxFramePixels()));
    }
  }

  /**
   * Grid frames this reader will deliver: the number asked for, else what the stream's (or the
   * container's) declared duration gives; -1 when neither is known. An estimate only, for
   * planning: {@link #next} decides.
   */
  public int expectedFrames() {
    if (limit >= 0) {
      return limit;
    }
    return declaredS > 0 ? (int) Math.min(Integer.MAX_VALUE, Math.ceil(declaredS * FPS)) : -1;
  }

  /** Index of the current grid frame. */
  public int index() {
    return index;
  }

  /** Source time of the current grid frame's decoded frame, from the stream's first frame. */
  public double sourceTimeS() {
    return currentT;
  }

  /** Upright width of the current frame. */
  public int width() {
    return rotation % 180 == 0 ? prev.width() : prev.height();
  }

  /** Upright height of the current frame. */
  public int height() {
    return rotation % 180 == 0 ? prev.height() : prev.width();
  }

  public int decoded() {
    return decoded;
  }

  /**
   * Grid frames delivered past the end of the last decoded frame (filled with it): how far the
   * declared length outruns the pictures, so a file cut short shows here.
   */
  public int repeatedAtEnd() {
    return repeated;
  }

  /**
   * Seconds of video decoded so far: the end of the latest decoded frame (its time from the
   * first frame plus one frame at the stream's nominal rate).
   */
  public double decodedDurationS() {
    return decodedEndS;
  }

  public int rotation() {
    return rotation;
  }

  /**
   * The current frame as upright BGR, scaled so that its longer side is at most {@code maxSide}
   * (0: full size). The caller closes the Mat.
   */
  public Mat bgr(int maxSide) {
    return scaled(scaler, prev, maxSide);
  }

  /**
   * The previous grid frame (once {@link #next} has returned false: the last one) as
   * {@link #bgr} gives it, or null before the second frame. Nothing is converted unless asked
   * for, so a caller can decide from the current frame whether it needs the one before.
   */
  public Mat previousBgr(int maxSide) {
    return haveLast ? scaled(lastScaler, last, maxSide) : null;
  }

  /**
   * The whole current frame area-averaged down to {@code side × side} upright BGR (the aspect
   * ratio not kept), straight from the decoder's planes: what a shot detector compares, at a
   * fraction of the cost of converting the frame first.
   */
  public Mat thumbnail(int side) {
    Mat out = new Mat(side, side, CV_8UC3);
    thumbScaler.into(prev, out, 0, 0, side, side);
    return upright(out);
  }

  private Mat scaled(Scaler s, AVFrame f, int maxSide) {
    int w = f.width();
    int h = f.height();
    int ow = w;
    int oh = h;
    if (maxSide > 0 && Math.max(w, h) > maxSide) {
      double k = maxSide / (double) Math.max(w, h);
      ow = Math.max(1, (int) Math.round(w * k));
      oh = Math.max(1, (int) Math.round(h * k));
    }
    Mat out = new Mat(oh, ow, CV_8UC3);
    s.into(f, out, 0, 0, ow, oh);
    return upright(out);
  }

  /**
   * The square window {@code (x0, y0, side)} of the current upright frame, scaled to
   * {@code size × size} BGR with bicubic filtering. Parts of the window outside the picture are
   * black. The caller closes the Mat.
   */
  public Mat crop(double x0, double y0, double side, int size) {
    Mat out = cropper.crop(prev, null, 0, 0, prev.width(), prev.height(), rotation, x0, y0,
        side, size);
    if (out != null) {
      return out;
    }
    // Formats FFmpeg cannot crop in place (bitstream, palette): convert, then cut.
    try (Mat full = bgrRaw()) {
      return Cropper.cutConverted(full, rotation, x0, y0, side, size);
    }
  }

  private Mat bgrRaw() {
    Mat out = new Mat(prev.height(), prev.width(), CV_8UC3);
    scaler.into(prev, out, 0, 0, prev.width(), prev.height());
    return out;
  }

  /**
   * Keeps the part {@code [x0, x1) × [y0, y1)} (upright pixels, clamped to the picture) of the
   * current frame's decoded picture: a copy in the decoder's own pixel format, from which
   * {@link Cropper} later cuts a window inside it to exactly the pixels {@link #crop} gives,
   * without decoding again. Null where the format cannot be cut in place. The caller closes it.
   */
  public Picture keep(double x0, double y0, double x1, double y1) {
    int w = prev.width();
    int h = prev.height();
    double[] r = switch (rotation) {
      case 90 -> new double[] {y0, h - x1, y1, h - x0};
      case 180 -> new double[] {w - x1, h - y1, w - x0, h - y0};
      case 270 -> new double[] {w - y1, x0, w - y0, x1};
      default -> new double[] {x0, y0, x1, y1};
    };
    // Edges on multiples of 4 hold whole chroma samples for every subsampling FFmpeg has, so a
    // crop of the copy shifts chroma exactly as the same crop of the whole picture does.
    int rx0 = clamp((int) Math.floor(r[0]) & ~3, 0, w);
    int ry0 = clamp((int) Math.floor(r[1]) & ~3, 0, h);
    int rx1 = clamp(((int) Math.ceil(r[2]) + 3) & ~3, 0, w);
    int ry1 = clamp(((int) Math.ceil(r[3]) + 3) & ~3, 0, h);
    if (rx1 <= rx0 || ry1 <= ry0) {
      return null;
    }
    av_frame_ref(view, prev);
    try {
      view.crop_left(rx0).crop_top(ry0).crop_right(w - rx1).crop_bottom(h - ry1);
      if (av_frame_apply_cropping(view, AV_FRAME_CROP_UNALIGNED) < 0) {
        return null;
      }
      return Picture.copy(view, rx0, ry0, w, h, rotation, currentT);
    } finally {
      av_frame_unref(view);
    }
  }

  /**
   * Cuts windows out of decoded pictures, ours or {@link Picture}s kept from an earlier pass,
   * to the same pixels either way. Holds a scaler: one per thread; close it.
   */
  public static final class Cropper implements AutoCloseable {
    private final Scaler scaler = new Scaler(SWS_BICUBIC, true);
    private final AVFrame view = av_frame_alloc();

    /** What {@link GridReader#crop} gave for the same window of the frame it was kept from. */
    public Mat crop(Picture p, double x0, double y0, double side, int size) {
      Area a = p.area();
      Mat out = crop(null, p, a.ox(), a.oy(), a.fullW(), a.fullH(), a.rotation(), x0, y0, side,
          size);
      if (out == null) {
        throw new IllegalStateException("a kept picture that cannot be cropped");
      }
      return out;
    }

    /**
     * The window cut from {@code src} (a decoder picture) or else {@code kept}, whose top-left
     * pixel is {@code (ox, oy)} of a {@code w × h} raw picture; null if the format cannot be
     * cut in place.
     */
    private Mat crop(AVFrame src, Picture kept, int ox, int oy, int w, int h, int rotation,
        double x0, double y0, double side, int size) {
      Placement at = Placement.of(rotation, w, h, x0, y0, side, size);
      boolean padded = at.dx0 > 0 || at.dy0 > 0 || at.dx1 < size || at.dy1 < size;
      Mat out = padded ? new Mat(size, size, CV_8UC3, new Scalar(0, 0, 0, 0))
          : new Mat(size, size, CV_8UC3);
      if (at.empty()) {
        out.put(new Scalar(0, 0, 0, 0));
        return upright(out, rotation);
      }
      if (src != null) {
        av_frame_ref(view, src);
      } else {
        kept.viewInto(view);
      }
      try {
        int vw = view.width();
        int vh = view.height();
        view.crop_left(at.cx0 - ox).crop_top(at.cy0 - oy).crop_right(ox + vw - at.cx1)
            .crop_bottom(oy + vh - at.cy1);
        if (av_frame_apply_cropping(view, AV_FRAME_CROP_UNALIGNED) < 0) {
          out.close();
          return null;
        }
        int ow = at.dx1 - at.dx0;
        int oh = at.dy1 - at.dy0;
        scaler.into(view, out, at.dx0, at.dy0, ow, oh);
      } finally {
        // A kept picture's view holds no buffer references: unref only resets its fields.
        av_frame_unref(view);
      }
      return upright(out, rotation);
    }

    /** The window cut from a whole raw frame already converted to BGR. */
    static Mat cutConverted(Mat full, int rotation, double x0, double y0, double side,
        int size) {
      Placement at = Placement.of(rotation, full.cols(), full.rows(), x0, y0, side, size);
      Mat out = new Mat(size, size, CV_8UC3, new Scalar(0, 0, 0, 0));
      if (!at.empty()) {
        try (Mat part = new Mat(full,
                new Rect(at.cx0, at.cy0, at.cx1 - at.cx0, at.cy1 - at.cy0));
            Mat dst = new Mat(out, new Rect(at.dx0, at.dy0, at.dx1 - at.dx0, at.dy1 - at.dy0))) {
          org.bytedeco.opencv.global.opencv_imgproc.resize(part, dst, dst.size(), 0, 0,
              org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC);
        }
      }
      return upright(out, rotation);
    }

    @Override
    public void close() {
      scaler.close();
      av_frame_free(view);
    }
  }

  /**
   * Bicubic scaling of a 4:2:0 picture to 4:2:0, then OpenCV's SIMD conversion to BGR: 0.34 ms
   * instead of 0.57 for a 413 px window of a 720p frame to 512 px, against libswscale's packed
   * BGR24 output (0.17 against 0.42 on a 150 px window). The two differ by 0.8 levels on
   * average (chroma reaches BGR at half resolution, which the JPEG encoder's 4:2:0 subsampling
   * then averages away). Only for destinations whose width is a multiple of 32 and height even,
   * so that every plane is aligned for libswscale's SIMD path.
   */
  private static final class I420Scaler implements AutoCloseable {
    private final int flags;
    private SwsContext ctx;
    private Mat yuv;
    private final PointerPointer<BytePointer> planes = noPlanes();
    private final IntPointer stride = new IntPointer(0, 0, 0, 0);

    I420Scaler(int flags) {
      this.flags = flags;
    }

    /** False (nothing done) where this path does not apply. */
    boolean into(AVFrame src, Mat dst, int x, int y, int ow, int oh) {
      int f = src.format();
      if ((f != AV_PIX_FMT_YUV420P && f != AV_PIX_FMT_YUVJ420P) || ow % 32 != 0 || oh % 2 != 0) {
        return false;
      }
      ctx = sws_getCachedContext(ctx, src.width(), src.height(), f, ow, oh, AV_PIX_FMT_YUV420P,
          flags, null, null, (DoublePointer) null);
      if (yuv == null || yuv.cols() != ow || yuv.rows() != oh * 3 / 2) {
        if (yuv != null) {
          yuv.close();
        }
        // OpenCV's I420 layout: the Y plane, then U and V at half size, rows packed.
        yuv = new Mat(oh * 3 / 2, ow, CV_8UC1);
      }
      BytePointer base = yuv.data();
      planes.put(0, base);
      planes.put(1, base.getPointer((long) ow * oh));
      planes.put(2, base.getPointer((long) ow * oh + (long) (ow / 2) * (oh / 2)));
      stride.put(0, ow);
      stride.put(1, ow / 2);
      stride.put(2, ow / 2);
      sws_scale(ctx, src.data(), src.linesize(), 0, src.height(), planes, stride);
      try (Mat roi = new Mat(dst, new Rect(x, y, ow, oh))) {
        // The region has the size and type asked for, so OpenCV writes into it in place.
        org.bytedeco.opencv.global.opencv_imgproc.cvtColor(yuv, roi,
            org.bytedeco.opencv.global.opencv_imgproc.COLOR_YUV2BGR_I420);
      }
      return true;
    }

    @Override
    public void close() {
      if (ctx != null) {
        sws_freeContext(ctx);
        ctx = null;
      }
      if (yuv != null) {
        yuv.close();
      }
      planes.close();
      stride.close();
    }
  }

  /**
   * Which pixels of a whole picture a {@link Picture} holds: the {@code width × height} raw
   * (unrotated) pixels from {@code (ox, oy)} of a {@code fullW × fullH} picture shown at
   * {@code rotation}. Enough to tell, without the pixels, whether a window can be cropped from
   * them.
   */
  public record Area(int ox, int oy, int width, int height, int fullW, int fullH,
      int rotation) {

    /**
     * Whether cropping the window {@code (x0, y0, side)} (upright pixels) reads only pixels
     * this part holds: the window's share of the picture, rounded as the crop rounds it.
     */
    public boolean holds(double x0, double y0, double side) {
      // The source rectangle does not depend on the output size.
      Placement at = Placement.of(rotation, fullW, fullH, x0, y0, side, 1);
      return at.cx1 - at.cx0 < 1 || at.cy1 - at.cy0 < 1
          || (at.cx0 >= ox && at.cy0 >= oy && at.cx1 <= ox + width && at.cy1 <= oy + height);
    }
  }

  /**
   * Part of one decoded picture copied out of the decoder's buffers, in its pixel format, rows
   * aligned for swscale's SIMD path: what {@link #keep} returns. Native memory, freed on close.
   * It can be written to a file and read back ({@link #writeTo}, {@link #readFrom}) to the same
   * bytes in the same layout, so a crop of the copy read back is the crop of the original.
   */
  public static final class Picture implements AutoCloseable {
    private static final int ALIGN = 64;
    /** "TKPc": a header that is not one is not a picture we wrote. */
    private static final int MAGIC = 0x544b5063;
    /** Magic, format, area (seven ints), plane bytes, then the source time. */
    public static final int HEADER_BYTES = 10 * Integer.BYTES + Double.BYTES;
    private final BytePointer memory;
    /** Where the 64-byte aligned planes start in {@link #memory}, and their bytes. */
    private final long start;
    private final int size;
    private final PointerPointer<BytePointer> planes = noPlanes();
    private final IntPointer linesize = new IntPointer(0, 0, 0, 0);
    private final int format;
    private final Area area;
    private final double sourceTimeS;

    private Picture(int format, Area area, double sourceTimeS, int size) {
      this.memory = new BytePointer(size + ALIGN);
      // JavaCPP's allocation is only malloc-aligned: start at the next 64-byte boundary.
      this.start = (ALIGN - (memory.address() & (ALIGN - 1))) & (ALIGN - 1);
      this.size = size;
      this.format = format;
      this.area = area;
      this.sourceTimeS = sourceTimeS;
    }

    static Picture copy(AVFrame v, int ox, int oy, int fullW, int fullH, int rotation,
        double t) {
      int size = av_image_get_buffer_size(v.format(), v.width(), v.height(), ALIGN);
      if (size < 0) {
        return null;
      }
      Picture p = new Picture(v.format(),
          new Area(ox, oy, v.width(), v.height(), fullW, fullH, rotation), t, size);
      if (av_image_copy_to_buffer(p.planesStart(), size, v.data(), v.linesize(), v.format(),
          v.width(), v.height(), ALIGN) < 0 || !p.fillPlanes()) {
        p.close();
        return null;
      }
      return p;
    }

    private BytePointer planesStart() {
      return new BytePointer(memory).position(start);
    }

    private boolean fillPlanes() {
      return av_image_fill_arrays(planes, linesize, planesStart(), format, area.width(),
          area.height(), ALIGN) >= 0;
    }

    void viewInto(AVFrame f) {
      for (int i = 0; i < 4; i++) {
        f.data(i, planes.get(BytePointer.class, i));
        f.linesize(i, linesize.get(i));
      }
      f.width(area.width()).height(area.height()).format(format);
    }

    /** Source time of the frame it came from. */
    public double sourceTimeS() {
      return sourceTimeS;
    }

    /** Native bytes it holds. */
    public long bytes() {
      return size + ALIGN;
    }

    /** The pixels it holds. */
    public Area area() {
      return area;
    }

    /** Bytes {@link #writeTo} writes. */
    public long fileBytes() {
      return HEADER_BYTES + (long) size;
    }

    /** @see Area#holds */
    public boolean holds(double x0, double y0, double side) {
      return area.holds(x0, y0, side);
    }

    /**
     * Writes the picture at {@code position} of {@code ch}: a {@link #HEADER_BYTES} header
     * (format, area, source time), then the planes exactly as held, straight from native
     * memory (no heap copy, no buffer of their size).
     */
    public void writeTo(FileChannel ch, long position) throws IOException {
      ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      h.putInt(MAGIC).putInt(format).putInt(area.ox()).putInt(area.oy()).putInt(area.width())
          .putInt(area.height()).putInt(area.fullW()).putInt(area.fullH())
          .putInt(area.rotation()).putInt(size).putDouble(sourceTimeS).flip();
      long at = writeFully(ch, h, position);
      writeFully(ch, nativeBytes(), at);
    }

    /**
     * The picture {@link #writeTo} wrote at {@code position}: the same bytes, in memory laid out
     * as the original's. The caller closes it.
     */
    public static Picture readFrom(FileChannel ch, long position) throws IOException {
      ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      long at = readFully(ch, h, position);
      h.flip();
      if (h.getInt() != MAGIC) {
        throw new IOException("no kept picture at byte " + position + " of the spill file");
      }
      int format = h.getInt();
      Area area = new Area(h.getInt(), h.getInt(), h.getInt(), h.getInt(), h.getInt(),
          h.getInt(), h.getInt());
      int size = h.getInt();
      double t = h.getDouble();
      if (size != av_image_get_buffer_size(format, area.width(), area.height(), ALIGN)) {
        throw new IOException("a kept picture of " + size + " bytes does not match its "
            + area.width() + "x" + area.height() + " format " + format + " at byte " + position);
      }
      Picture p = new Picture(format, area, t, size);
      try {
        readFully(ch, p.nativeBytes(), at);
        if (!p.fillPlanes()) {
          throw new IOException("cannot lay out a kept picture's planes");
        }
        return p;
      } catch (IOException | RuntimeException e) {
        p.close();
        throw e;
      }
    }

    /** The planes' bytes as a direct buffer over the native memory. */
    private ByteBuffer nativeBytes() {
      return new BytePointer(memory).position(start).limit(start + size).asByteBuffer();
    }

    private static long writeFully(FileChannel ch, ByteBuffer b, long position)
        throws IOException {
      long at = position;
      while (b.hasRemaining()) {
        at += ch.write(b, at);
      }
      return at;
    }

    private static long readFully(FileChannel ch, ByteBuffer b, long position)
        throws IOException {
      long at = position;
      while (b.hasRemaining()) {
        int n = ch.read(b, at);
        if (n < 0) {
          throw new EOFException("the spill file ends at byte " + at);
        }
        at += n;
      }
      return at;
    }

    @Override
    public void close() {
      planes.close();
      linesize.close();
      memory.close();
    }
  }

  /**
   * Where a square window of an upright picture lands in a {@code size × size} crop: the raw
   * (unrotated) pixels {@code [cx0, cx1) × [cy0, cy1)} it reads, clamped to the {@code w × h}
   * picture, and the output rectangle {@code [dx0, dx1) × [dy0, dy1)} they are scaled to.
   */
  private record Placement(int cx0, int cy0, int cx1, int cy1, int dx0, int dy0, int dx1,
      int dy1) {
    static Placement of(int rotation, int w, int h, double x0, double y0, double side,
        int size) {
      double[] raw = toRaw(rotation, w, h, x0, y0, side);
      double rx0 = raw[0];
      double ry0 = raw[1];
      int cx0 = clamp((int) Math.round(rx0), 0, w);
      int cy0 = clamp((int) Math.round(ry0), 0, h);
      int cx1 = clamp((int) Math.round(rx0 + side), 0, w);
      int cy1 = clamp((int) Math.round(ry0 + side), 0, h);
      double s = size / side;
      // Where the window lies inside the picture its edge maps to the output's edge: rounding
      // the source rectangle to whole pixels must not leave a black line on a window that needs
      // no padding. Only an edge the picture cut short maps to an inner output position.
      int dx0 = rx0 >= -0.5 ? 0 : clamp((int) Math.round((cx0 - rx0) * s), 0, size);
      int dy0 = ry0 >= -0.5 ? 0 : clamp((int) Math.round((cy0 - ry0) * s), 0, size);
      int dx1 = rx0 + side <= w + 0.5 ? size : clamp((int) Math.round((cx1 - rx0) * s), 0, size);
      int dy1 = ry0 + side <= h + 0.5 ? size : clamp((int) Math.round((cy1 - ry0) * s), 0, size);
      return new Placement(cx0, cy0, cx1, cy1, dx0, dy0, dx1, dy1);
    }

    /** Nothing of the picture lands in the output (a window outside it, or under a pixel). */
    boolean empty() {
      return cx1 - cx0 < 1 || cy1 - cy0 < 1 || dx1 - dx0 < 1 || dy1 - dy0 < 1;
    }
  }

  /** Window corner in the decoder's (unrotated) {@code w × h} pixels; the side is unchanged. */
  private static double[] toRaw(int rotation, int w, int h, double x0, double y0, double side) {
    return switch (rotation) {
      case 90 -> new double[] {y0, h - (x0 + side)};
      case 180 -> new double[] {w - (x0 + side), h - (y0 + side)};
      case 270 -> new double[] {w - (y0 + side), x0};
      default -> new double[] {x0, y0};
    };
  }

  /**
   * One kind of conversion to BGR, with its cached swscale context. swscale takes its SIMD path
   * only for a destination whose address and row stride are multiples of 16 bytes; a window
   * that is padded on the left, or an output side that is not a multiple of 16, would otherwise
   * fall to the plain C path (five times slower on a 512 px crop), so such a destination is
   * scaled into an aligned buffer first and copied.
   */
  private static final class Scaler implements AutoCloseable {
    private final int flags;
    /** The 4:2:0 path, tried first where it applies; null: BGR24 output always. */
    private final I420Scaler i420;
    private SwsContext ctx;
    // sws_scale reads four destination planes and strides: allocated once, zeroed once; only
    // plane 0 changes from call to call.
    private final PointerPointer<BytePointer> planes = noPlanes();
    private final IntPointer stride = new IntPointer(0, 0, 0, 0);

    Scaler(int flags, boolean viaI420) {
      this.flags = flags;
      this.i420 = viaI420 ? new I420Scaler(flags) : null;
    }

    /** Converts the whole of {@code src} to {@code ow × oh} at {@code (x, y)} of {@code dst}. */
    void into(AVFrame src, Mat dst, int x, int y, int ow, int oh) {
      if (i420 != null && i420.into(src, dst, x, y, ow, oh)) {
        return;
      }
      ctx = sws_getCachedContext(ctx, src.width(), src.height(), src.format(), ow, oh,
          AV_PIX_FMT_BGR24, flags, null, null, (DoublePointer) null);
      try (Mat roi = new Mat(dst, new Rect(x, y, ow, oh))) {
        if (((roi.data().address() | roi.step()) & 15) == 0) {
          scale(src, roi);
          return;
        }
        // 16 pixels of BGR are 48 bytes: a width rounded up to 16 gives an aligned stride.
        try (Mat wide = new Mat(oh, (ow + 15) & ~15, CV_8UC3);
            Mat part = new Mat(wide, new Rect(0, 0, ow, oh))) {
          scale(src, part);
          part.copyTo(roi);
        }
      }
    }

    private void scale(AVFrame src, Mat roi) {
      planes.put(0, roi.data());
      stride.put(0, (int) roi.step());
      sws_scale(ctx, src.data(), src.linesize(), 0, src.height(), planes, stride);
    }

    @Override
    public void close() {
      if (ctx != null) {
        sws_freeContext(ctx);
        ctx = null;
      }
      if (i420 != null) {
        i420.close();
      }
      planes.close();
      stride.close();
    }
  }

  /** Four null plane pointers (JavaCPP does not zero what it allocates). */
  private static PointerPointer<BytePointer> noPlanes() {
    PointerPointer<BytePointer> p = new PointerPointer<>(4);
    for (int i = 0; i < 4; i++) {
      p.put(i, (Pointer) null);
    }
    return p;
  }

  private Mat upright(Mat m) {
    return upright(m, rotation);
  }

  private static Mat upright(Mat m, int rotation) {
    if (rotation == 0) {
      return m;
    }
    Mat r = new Mat();
    org.bytedeco.opencv.global.opencv_core.rotate(m, r, switch (rotation) {
      case 90 -> ROTATE_90_CLOCKWISE;
      case 180 -> ROTATE_180;
      default -> ROTATE_90_COUNTERCLOCKWISE;
    });
    m.close();
    return r;
  }

  private static int clamp(int v, int lo, int hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  @Override
  public void close() {
    scaler.close();
    lastScaler.close();
    thumbScaler.close();
    cropper.close();
    av_frame_free(last);
    av_frame_free(work);
    av_frame_free(prev);
    av_frame_free(ahead);
    av_frame_free(view);
    av_packet_free(pkt);
    avcodec_free_context(dec);
    in.close();
  }
}
