package io.talkset.core.media;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_FORCE;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_SIZE;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EXIT;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_QUIET;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avformat.Read_packet_Pointer_BytePointer_int;
import org.bytedeco.ffmpeg.avformat.Seek_Pointer_long_int;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * An FFmpeg demuxer (libavformat) reading from a {@link SeekableSource} through a custom I/O
 * context, so that HDFS and S3A streams are read in place, in 64 KiB reads. Used by the probe and
 * the decoders. Each instance has its own FFmpeg context; the two native callbacks are shared and
 * find their instance's source through the context's opaque pointer. Not thread-safe; close it.
 *
 * <p>Every read and seek of the source runs under a {@link Watchdog} until the deadline: a read
 * that never returns (a stalled NFS mount or object-store stream, which no FFmpeg option
 * interrupts) is abandoned there, the source is closed under it, and the decode ends with
 * {@code probe_timeout}, as the crawl's watchdog does for the probe.
 */
public final class FfmpegInput implements AutoCloseable {
  private static final int IO_BUFFER = 1 << 16;
  private static final ConcurrentHashMap<Long, Session> SESSIONS = new ConcurrentHashMap<>();
  private static final ReadCallback READ;
  private static final SeekCallback SEEK;

  static {
    // FFmpeg's own logging goes to stderr of every executor; errors reach users through the
    // tables' error messages instead.
    av_log_set_level(AV_LOG_QUIET);
    // JavaCPP callbacks are native thunks: allocate them once per JVM, never per file.
    READ = new ReadCallback();
    SEEK = new SeekCallback();
  }

  private final Session session;
  private final IntPointer opaque;
  private final AVIOContext pb;
  private AVFormatContext ctx;
  /** Whether avformat_open_input succeeded: only then may avformat_close_input run. */
  private boolean opened;
  private final SeekableSource source;

  private FfmpegInput(SeekableSource source, long deadlineNanos) {
    this.source = source;
    this.session = new Session(source, deadlineNanos);
    this.opaque = new IntPointer(1);
    SESSIONS.put(opaque.address(), session);
    this.ctx = avformat_alloc_context();
    BytePointer buffer = new BytePointer(av_malloc(IO_BUFFER));
    this.pb = avio_alloc_context(buffer, IO_BUFFER, 0, opaque, READ, null, SEEK);
    // A pb set before avformat_open_input makes FFmpeg mark the context AVFMT_FLAG_CUSTOM_IO.
    ctx.pb(pb);
  }

  /**
   * Opens {@code source} and reads its stream information.
   *
   * @param nameHint the file name: FFmpeg uses its extension as a hint when guessing the format
   * @param deadlineNanos {@link System#nanoTime()} after which reads fail with a timeout
   */
  public static FfmpegInput open(SeekableSource source, String nameHint, long deadlineNanos)
      throws ProbeException {
    return open(source, nameHint, deadlineNanos, 0);
  }

  /**
   * As {@link #open(SeekableSource, String, long)}, with {@code max_pixels} given to the decoders
   * that reading the stream information opens (FFmpeg decodes a few frames of each stream
   * there): a picture over it is refused before it is allocated. 0: FFmpeg's default.
   */
  public static FfmpegInput open(SeekableSource source, String nameHint, long deadlineNanos,
      long maxPixels) throws ProbeException {
    FfmpegInput in = new FfmpegInput(source, deadlineNanos);
    try {
      // The source may have been read before (a second pass over the same file).
      try {
        in.session.io(() -> {
          source.seek(0);
          return 0L;
        });
      } catch (IOException e) {
        in.checkAbort();
        throw new ProbeException(ErrorCodes.IO_ERROR, "cannot rewind the file: " + e, e);
      }
      int ret = avformat_open_input(in.ctx, nameHint, null, null);
      if (ret < 0) {
        // FFmpeg freed the context; only our I/O context is left to free.
        in.ctx = null;
      } else {
        in.opened = true;
      }
      in.checkAbort();
      if (ret < 0) {
        throw openFailure(source, ret);
      }
      ret = findStreamInfo(in.ctx, maxPixels);
      in.checkAbort();
      if (ret < 0) {
        throw new ProbeException(
            ErrorCodes.CORRUPT, "FFmpeg opened the container but could not read its streams: "
                + errorText(ret));
      }
      return in;
    } catch (ProbeException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  private static int findStreamInfo(AVFormatContext ctx, long maxPixels) {
    int n = ctx.nb_streams();
    if (maxPixels <= 0 || n == 0) {
      return avformat_find_stream_info(ctx, (PointerPointer<?>) null);
    }
    // One options dictionary per stream; FFmpeg passes each to that stream's decoder.
    PointerPointer<AVDictionary> opts = new PointerPointer<>(n);
    try (BytePointer key = new BytePointer("max_pixels");
        BytePointer value = new BytePointer(Long.toString(maxPixels))) {
      for (int i = 0; i < n; i++) {
        PointerPointer<AVDictionary> one = new PointerPointer<>(1);
        one.put(0, (Pointer) null);
        av_dict_set(one, key, value, 0);
        opts.put(i, one.get(0));
        one.close();
      }
      return avformat_find_stream_info(ctx, opts);
    } finally {
      for (int i = 0; i < n; i++) {
        PointerPointer<AVDictionary> one = new PointerPointer<>(1);
        one.put(0, opts.get(i));
        av_dict_free(one);
        one.close();
      }
      opts.close();
    }
  }

  public AVFormatContext context() {
    return ctx;
  }

  public SeekableSource source() {
    return source;
  }

  /** Throws the timeout or read error that made FFmpeg stop, if any. */
  public void checkAbort() throws ProbeException {
    session.checkAbort();
  }

  private static ProbeException openFailure(SeekableSource source, int ret) {
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

  static String truncation(SeekableSource source) {
    try {
      return IsoBmff.truncationReason(source);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Opens a decoder for {@code st} (its parameters and packet time base), or says why not.
   * The caller frees it with {@code avcodec_free_context}.
   */
  public static AVCodecContext openDecoder(
      AVStream st, int threads) throws ProbeException {
    int id = st.codecpar().codec_id();
    String name = avcodec_get_name(id).getString();
    AVCodec codec =
        avcodec_find_decoder(id);
    if (codec == null || codec.isNull()) {
      throw new ProbeException(ErrorCodes.CORRUPT, "no decoder for codec " + name);
    }
    AVCodecContext dec =
        avcodec_alloc_context3(codec);
    int ret = avcodec_parameters_to_context(dec,
        st.codecpar());
    if (ret >= 0) {
      dec.pkt_timebase(st.time_base());
      dec.thread_count(threads);
      ret = avcodec_open2(dec, codec,
          (PointerPointer<?>) null);
    }
    if (ret < 0) {
      avcodec_free_context(dec);
      throw new ProbeException(ErrorCodes.CORRUPT,
          "cannot open the " + name + " decoder: " + errorText(ret));
    }
    return dec;
  }

  /**
   * Reads the next packet and sends it to {@code dec} when it belongs to {@code streamIndex};
   * at the end of the input sends the flush packet instead. Returns false once the input is
   * exhausted (the flush has been sent). A packet the decoder rejects is skipped: a damaged
   * packet loses its few milliseconds, the rest of the stream still decodes.
   */
  public boolean feed(AVCodecContext dec, int streamIndex,
      AVPacket pkt) throws ProbeException {
    int ret = av_read_frame(ctx, pkt);
    checkAbort();
    if (ret < 0) {
      avcodec_send_packet(dec, null);
      return false;
    }
    if (pkt.stream_index() == streamIndex) {
      avcodec_send_packet(dec, pkt);
    }
    av_packet_unref(pkt);
    return true;
  }

  /** FFmpeg's text for an error code, with the code. */
  public static String errorText(int ret) {
    byte[] buf = new byte[256];
    av_strerror(ret, buf, buf.length);
    int n = 0;
    while (n < buf.length && buf[n] != 0) {
      n++;
    }
    return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8) + " (" + ret + ")";
  }

  @Override
  public void close() {
    if (ctx != null && !ctx.isNull()) {
      if (opened) {
        avformat_close_input(ctx);
      } else {
        // A rewind that timed out before FFmpeg opened anything: nothing to close.
        avformat_free_context(ctx);
      }
    }
    ctx = null;
    // With AVFMT_FLAG_CUSTOM_IO FFmpeg leaves our I/O context and its (possibly reallocated)
    // buffer to us.
    if (!pb.isNull()) {
      av_free(pb.buffer());
      pb.buffer(null);
      avio_context_free(pb);
    }
    SESSIONS.remove(opaque.address());
    opaque.close();
  }

  /** One input's state, reached from the native callbacks. */
  private static final class Session {
    final SeekableSource source;
    final long deadlineNanos;
    final byte[] chunk = new byte[IO_BUFFER];
    volatile boolean timedOut;
    /** Set when a read or seek was still blocked at the deadline and was abandoned. */
    volatile boolean stalled;
    volatile IOException ioError;

    Session(SeekableSource source, long deadlineNanos) {
      this.source = source;
      this.deadlineNanos = deadlineNanos;
    }

    boolean expired() {
      return System.nanoTime() - deadlineNanos > 0;
    }

    /**
     * Runs one read or seek of the source under the watchdog. At the deadline the source is
     * also closed under a blocked call (which unblocks channel and socket reads), and the caller
     * gets an IOException with {@link #timedOut} set.
     */
    long io(java.util.concurrent.Callable<Long> op) throws IOException {
      try {
        return Watchdog.call(op, deadlineNanos);
      } catch (Watchdog.Expired e) {
        timedOut = true;
        if (e.stalled()) {
          stalled = true;
          try {
            source.close();
          } catch (IOException | RuntimeException ignored) {
            // The stream is being abandoned; its close may fail for the reason it stalled.
          }
        }
        throw e;
      }
    }

    void checkAbort() throws ProbeException {
      if (stalled) {
        throw new ProbeException(ErrorCodes.PROBE_TIMEOUT, "a read of the file was still"
            + " blocked at the time limit: abandoned, and the file closed");
      }
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
        int want = Math.min(size, s.chunk.length);
        int n = (int) s.io(() -> (long) s.source.read(s.chunk, 0, want));
        if (n <= 0) {
          return AVERROR_EOF;
        }
        buf.position(0).put(s.chunk, 0, n);
        return n;
      } catch (IOException e) {
        if (!s.timedOut) {
          s.ioError = e;
        }
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
      if (s.timedOut) {
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
        s.io(() -> {
          s.source.seek(target);
          return 0L;
        });
        return target;
      } catch (IOException e) {
        if (!s.timedOut) {
          s.ioError = e;
        }
        return -1;
      }
    }
  }
}
