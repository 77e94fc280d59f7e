package io.talkset.core.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_DATA_DISPLAYMATRIX;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_side_data_get;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_FORCE;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_SIZE;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EXIT;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_QUIET;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_display_rotation_get;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_get_pix_fmt_name;
import static org.bytedeco.ffmpeg.global.avutil.av_get_sample_fmt_name;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avcodec.AVPacketSideData;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avformat.Read_packet_Pointer_BytePointer_int;
import org.bytedeco.ffmpeg.avformat.Seek_Pointer_long_int;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Probes media through FFmpeg's demuxers (libavformat) reading from a {@link SeekableSource}
 * through a custom I/O context, so that HDFS and S3A streams are probed in place, in 64 KiB reads.
 * Thread-safe: each call has its own FFmpeg context; the two native callbacks are shared and find
 * their call's source through the context's opaque pointer.
 */
public final class FfmpegProber {
  private static final int IO_BUFFER = 1 << 16;
  private static final ConcurrentHashMap<Long, Session> SESSIONS = new ConcurrentHashMap<>();
  private static final AtomicLong NEXT_ID = new AtomicLong(1);
  private static final ReadCallback READ;
  private static final SeekCallback SEEK;

  static {
    // FFmpeg's own logging goes to stderr of every executor; errors reach users through the
    // manifest's error_message instead.
    av_log_set_level(AV_LOG_QUIET);
    // JavaCPP callbacks are native thunks: allocate them once per JVM, never per file.
    READ = new ReadCallback();
    SEEK = new SeekCallback();
  }

  /** How many frames to report. */
  public enum FrameCount {
    /** The container's count when it has one, else duration × fps, flagged as estimated. */
    ESTIMATE,
    /**
     * Count the video stream's packets (reads the whole file, decodes nothing). Each packet is
     * one displayed frame time, including Theora's empty "repeat the last frame" packets, which
     * FFmpeg before 6 dropped from its packet counts.
     */
    EXACT
  }

  private final FrameCount frameCount;

  public FfmpegProber(FrameCount frameCount) {
    this.frameCount = frameCount;
  }

  /**
   * Probes {@code source}.
   *
   * @param nameHint the file name: FFmpeg uses its extension as a hint when guessing the format
   * @param deadlineNanos {@link System#nanoTime()} after which reads fail and the probe gives up
   */
  public MediaInfo probe(SeekableSource source, String nameHint, long deadlineNanos)
      throws ProbeException {
    Session session = new Session(source, deadlineNanos);
    long id = NEXT_ID.getAndIncrement();
    IntPointer opaque = new IntPointer(1);
    SESSIONS.put(opaque.address(), session);
    AVFormatContext ctx = avformat_alloc_context();
    BytePointer buffer = new BytePointer(av_malloc(IO_BUFFER));
    AVIOContext pb = avio_alloc_context(buffer, IO_BUFFER, 0, opaque, READ, null, SEEK);
    ctx.pb(pb);
    // A pb set before avformat_open_input makes FFmpeg mark the context AVFMT_FLAG_CUSTOM_IO.
    try {
      int ret = avformat_open_input(ctx, nameHint, null, null);
      if (ret < 0) {
        // FFmpeg freed the context; only our I/O context is left to free.
        ctx = null;
      }
      session.checkAbort(id);
      if (ret < 0) {
        throw openFailure(source, ret);
      }
      ret = avformat_find_stream_info(ctx, (org.bytedeco.javacpp.PointerPointer<?>) null);
      session.checkAbort(id);
      if (ret < 0) {
        throw new ProbeException(
            ErrorCodes.CORRUPT, "FFmpeg opened the container but could not read its streams: "
                + errorText(ret));
      }
      MediaInfo info = describe(ctx);
      if (info.container.startsWith("mov,")) {
        // An mp4 whose index comes first still opens when its media data is cut short.
        String truncated = truncation(source);
        if (truncated != null) {
          throw new ProbeException(ErrorCodes.TRUNCATED, truncated);
        }
      }
      if (frameCount == FrameCount.EXACT && info.hasVideo()) {
        info.frameCount = countVideoPackets(ctx, session, id);
        info.frameCountEstimated = false;
      }
      return info;
    } finally {
      if (ctx != null && !ctx.isNull()) {
        avformat_close_input(ctx);
      }
      // With AVFMT_FLAG_CUSTOM_IO FFmpeg leaves our I/O context and its (possibly reallocated)
      // buffer to us.
      av_free(pb.buffer());
      pb.buffer(null);
      avio_context_free(pb);
      SESSIONS.remove(opaque.address());
      opaque.close();
    }
  }

  private static ProbeException openFailure(SeekableSource source, int ret) throws ProbeException {
    if (ret == AVERROR_EXIT) {
      return new ProbeException(ErrorCodes.INTERNAL, "FFmpeg aborted: " + errorText(ret));
    }
    String truncated = truncation(source);
    if (truncated != null) {
      return new ProbeException(ErrorCodes.TRUNCATED, truncated);
    }
    return new ProbeException(
        ErrorCodes.UNRECOGNIZED_FORMAT,
        "FFmpeg recognises no media format in this file: " + errorText(ret));
  }

  private static String truncation(SeekableSource source) {
    try {
      return IsoBmff.truncationReason(source);
    } catch (IOException e) {
      return null;
    }
  }

  private static MediaInfo describe(AVFormatContext ctx) {
    MediaInfo info = new MediaInfo();
    info.container = ctx.iformat().name().getString();
    if (ctx.duration() != AV_NOPTS_VALUE && ctx.duration() > 0) {
      info.durationS = ctx.duration() / 1_000_000.0;
    }
    if (ctx.bit_rate() > 0) {
      info.bitRate = ctx.bit_rate();
    }
    for (int i = 0; i < ctx.nb_streams(); i++) {
      int type = ctx.streams(i).codecpar().codec_type();
      if (type == AVMEDIA_TYPE_VIDEO) {
        info.videoStreams++;
      } else if (type == AVMEDIA_TYPE_AUDIO) {
        info.audioStreams++;
      }
    }
    // av_find_best_stream skips attached pictures (cover art), which are not video.
    int v = av_find_best_stream(ctx, AVMEDIA_TYPE_VIDEO, -1, -1, (org.bytedeco.javacpp.PointerPointer<?>) null, 0);
    if (v >= 0) {
      describeVideo(ctx.streams(v), info);
    }
    int a = av_find_best_stream(ctx, AVMEDIA_TYPE_AUDIO, -1, v >= 0 ? v : -1, (org.bytedeco.javacpp.PointerPointer<?>) null, 0);
    if (a >= 0) {
      describeAudio(ctx.streams(a), info);
    }
    return info;
  }

  private static void describeVideo(AVStream st, MediaInfo info) {
    AVCodecParameters par = st.codecpar();
    info.videoCodec = avcodec_get_name(par.codec_id()).getString();
    info.width = par.width() > 0 ? par.width() : null;
    info.height = par.height() > 0 ? par.height() : null;
    BytePointer pix = av_get_pix_fmt_name(par.format());
    info.pixelFormat = pix == null || pix.isNull() ? null : pix.getString();
    info.rotationDeg = rotation(par);
    AVRational avg = st.avg_frame_rate();
    AVRational nominal = st.r_frame_rate();
    AVRational rate = avg.num() > 0 && avg.den() > 0 ? avg : nominal;
    if (rate.num() > 0 && rate.den() > 0) {
      info.fps = rate.num() / (double) rate.den();
      info.fpsRational = rate.num() + "/" + rate.den();
    }
    if (avg.num() > 0 && avg.den() > 0 && nominal.num() > 0 && nominal.den() > 0) {
      info.variableFrameRate = (long) avg.num() * nominal.den() != (long) nominal.num() * avg.den();
    }
    double tb = seconds(st.time_base());
    info.videoStartS = st.start_time() == AV_NOPTS_VALUE ? null : st.start_time() * tb;
    info.videoDurationS = st.duration() == AV_NOPTS_VALUE || st.duration() <= 0
        ? null : st.duration() * tb;
    if (st.nb_frames() > 0) {
      info.frameCount = st.nb_frames();
      info.frameCountEstimated = false;
    } else {
      Double duration = info.videoDurationS != null ? info.videoDurationS : info.durationS;
      if (duration != null && info.fps != null) {
        info.frameCount = Math.round(duration * info.fps);
        info.frameCountEstimated = true;
      }
    }
  }

  private static void describeAudio(AVStream st, MediaInfo info) {
    AVCodecParameters par = st.codecpar();
    info.audioCodec = avcodec_get_name(par.codec_id()).getString();
    info.sampleRate = par.sample_rate() > 0 ? par.sample_rate() : null;
    info.channels = par.ch_layout().nb_channels() > 0 ? par.ch_layout().nb_channels() : null;
    BytePointer fmt = av_get_sample_fmt_name(par.format());
    info.sampleFormat = fmt == null || fmt.isNull() ? null : fmt.getString();
    double tb = seconds(st.time_base());
    info.audioStartS = st.start_time() == AV_NOPTS_VALUE ? null : st.start_time() * tb;
    info.audioDurationS = st.duration() == AV_NOPTS_VALUE || st.duration() <= 0
        ? null : st.duration() * tb;
  }

  /** Clockwise degrees that make decoded frames upright (FFmpeg's autorotate convention). */
  private static Integer rotation(AVCodecParameters par) {
    AVPacketSideData sd = av_packet_side_data_get(
        par.coded_side_data(), par.nb_coded_side_data(), AV_PKT_DATA_DISPLAYMATRIX);
    if (sd == null || sd.isNull() || sd.data() == null || sd.size() < 36) {
      return 0;
    }
    // av_display_rotation_get gives the counter-clockwise angle of the stored matrix.
    double ccw = av_display_rotation_get(new IntPointer(sd.data()));
    if (Double.isNaN(ccw)) {
      return 0;
    }
    long cw = Math.round(-ccw);
    return (int) (((cw % 360) + 360) % 360);
  }

  private static long countVideoPackets(AVFormatContext ctx, Session session, long id)
      throws ProbeException {
    int v = av_find_best_stream(ctx, AVMEDIA_TYPE_VIDEO, -1, -1, (org.bytedeco.javacpp.PointerPointer<?>) null, 0);
    AVPacket pkt = av_packet_alloc();
    long count = 0;
    try {
      int ret;
      while ((ret = av_read_frame(ctx, pkt)) >= 0) {
        if (pkt.stream_index() == v) {
          count++;
        }
        av_packet_unref(pkt);
      }
      session.checkAbort(id);
      if (ret != AVERROR_EOF) {
        throw new ProbeException(
            ErrorCodes.CORRUPT, "reading packets failed after " + count + " video packets: "
                + errorText(ret));
      }
      return count;
    } finally {
      av_packet_free(pkt);
    }
  }

  private static double seconds(AVRational r) {
    return r.den() == 0 ? 0 : r.num() / (double) r.den();
  }

  static String errorText(int ret) {
    byte[] buf = new byte[256];
    av_strerror(ret, buf, buf.length);
    int n = 0;
    while (n < buf.length && buf[n] != 0) {
      n++;
    }
    return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8) + " (" + ret + ")";
  }

  /** One probe call's state, reached from the native callbacks. */
  private static final class Session {
    final SeekableSource source;
    final long deadlineNanos;
    final byte[] chunk = new byte[IO_BUFFER];
    volatile boolean timedOut;
    volatile IOException ioError;

    Session(SeekableSource source, long deadlineNanos) {
      this.source = source;
      this.deadlineNanos = deadlineNanos;
    }

    boolean expired() {
      return System.nanoTime() - deadlineNanos > 0;
    }

    void checkAbort(long id) throws ProbeException {
      if (timedOut) {
        throw new ProbeException(ErrorCodes.PROBE_TIMEOUT, "probe exceeded its time limit");
      }
      if (ioError != null) {
        if (ioError instanceof AccessDeniedException
            || String.valueOf(ioError.getMessage()).contains("ermission denied")) {
          throw new ProbeException(ErrorCodes.PERMISSION_DENIED,
              "the file system refused a read: " + ioError.getMessage(), ioError);
        }
        throw new ProbeException(ErrorCodes.IO_ERROR, "read failed: " + ioError, ioError);
      }
    }
  }

  private static final class ReadCallback extends Read_packet_Pointer_BytePointer_int {
    @Override
    public int call(Pointer opaque, BytePointer buf, int size) {
      Session s = SESSIONS.get(opaque.address());
      if (s == null) {
        return AVERROR_EXIT;
      }
      if (s.expired()) {
        s.timedOut = true;
        return AVERROR_EXIT;
      }
      try {
        int n = s.source.read(s.chunk, 0, Math.min(size, s.chunk.length));
        if (n <= 0) {
          return AVERROR_EOF;
        }
        buf.position(0).put(s.chunk, 0, n);
        return n;
      } catch (IOException e) {
        s.ioError = e;
        return AVERROR_EXIT;
      } catch (Throwable t) {
        s.ioError = new IOException(t);
        return AVERROR_EXIT;
      }
    }
  }

  private static final class SeekCallback extends Seek_Pointer_long_int {
    @Override
    public long call(Pointer opaque, long offset, int whence) {
      Session s = SESSIONS.get(opaque.address());
      if (s == null) {
        return -1;
      }
      try {
        long size = s.source.size();
        if ((whence & AVSEEK_SIZE) != 0) {
          return size;
        }
        long target;
        switch (whence & ~AVSEEK_FORCE) {
          case 0 -> target = offset;
          case 1 -> target = s.source.position() + offset;
          case 2 -> {
            if (size < 0) {
              return -1;
            }
            target = size + offset;
          }
          default -> {
            return -1;
          }
        }
        if (target < 0) {
          return -1;
        }
        s.source.seek(target);
        return target;
      } catch (IOException e) {
        s.ioError = e;
        return -1;
      }
    }
  }
}
