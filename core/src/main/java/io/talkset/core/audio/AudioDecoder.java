package io.talkset.core.audio;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_uninit;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.swresample.swr_alloc_set_opts2;
import static org.bytedeco.ffmpeg.global.swresample.swr_convert;
import static org.bytedeco.ffmpeg.global.swresample.swr_free;
import static org.bytedeco.ffmpeg.global.swresample.swr_get_delay;
import static org.bytedeco.ffmpeg.global.swresample.swr_init;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.media.FfmpegInput;
import io.talkset.core.media.InputLimits;
import io.talkset.core.media.SeekableSource;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVChannelLayout;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Decodes the main audio track of any file FFmpeg reads (AAC, MP3, PCM of any width, Vorbis,
 * MP2, multichannel...) to mono float samples at a fixed rate, streaming packet by packet.
 *
 * <p>Sample 0 is the video's t = 0: the start time of the video stream when there is one, else
 * the start of the audio stream. Decoders drop codec priming themselves (AAC encoder delay comes
 * with the file's edit list); what is left is the difference between the first decoded audio
 * sample's time and t = 0, which is applied by padding with silence (audio starts late) or
 * dropping samples (audio starts early), and reported as {@link Result#offsetS()}.
 *
 * <p>Channels are resampled with libswresample (each channel alone, no rematrixing) and then
 * averaged, which is what librosa's {@code to_mono} does.
 */
public final class AudioDecoder {
  /** Receives decoded mono samples in order. */
  @FunctionalInterface
  public interface Sink {
    void accept(float[] samples, int count);
  }

  /**
   * What was decoded.
   *
   * @param samples number of samples delivered to the sink (after padding or dropping)
   * @param sampleRate output rate
   * @param offsetS first audio sample time minus t = 0, in seconds (positive: audio starts late
   *     and was padded with silence; negative: audio started early and was dropped)
   * @param paddedSamples silence added at the start
   * @param droppedSamples samples dropped at the start
   * @param sourceRate the track's native rate
   * @param sourceChannels the track's native channel count
   * @param codec the track's codec
   */
  public record Result(long samples, int sampleRate, double offsetS, long paddedSamples,
      long droppedSamples, int sourceRate, int sourceChannels, String codec) {}

  private final int rate;
  private InputLimits limits = InputLimits.DEFAULTS;

  public AudioDecoder(int rate) {
    this.rate = rate;
  }

  /**
   * Bounds the samples a decode may deliver (silence padded at the start included) whatever the
   * container declared; past it, decoding stops with {@code over_limit}. This is what bounds the
   * memory of {@link #decodeAll}.
   */
  public AudioDecoder limits(InputLimits l) {
    this.limits = l;
    return this;
  }

  /** Decodes everything into one array (convenient for short clips and tests). */
  public float[] decodeAll(SeekableSource source, String nameHint, long deadlineNanos,
      Result[] resultOut) throws ProbeException {
    FloatBuffer buf = new FloatBuffer();
    Result r = decode(source, nameHint, deadlineNanos, buf::append);
    if (resultOut != null && resultOut.length > 0) {
      resultOut[0] = r;
    }
    return buf.toArray();
  }

  /** Decodes the main audio track into {@code sink}. */
  public Result decode(SeekableSource source, String nameHint, long deadlineNanos, Sink sink)
      throws ProbeException {
    // Reading the stream information decodes a few video frames too: under the picture limit.
    try (FfmpegInput in = FfmpegInput.open(source, nameHint, deadlineNanos,
        limits.decoderMaxPixels())) {
      AVFormatContext fmt = in.context();
      int a = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, (PointerPointer<?>) null, 0);
      if (a < 0) {
        throw new ProbeException(ErrorCodes.NO_AUDIO, "the file has no audio stream");
      }
      int v = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, (PointerPointer<?>) null, 0);
      AVStream st = fmt.streams(a);
      double tb = st.time_base().num() / (double) st.time_base().den();
      Double t0 = null;
      if (v >= 0) {
        AVStream vs = fmt.streams(v);
        if (vs.start_time() != AV_NOPTS_VALUE) {
          t0 = vs.start_time() * vs.time_base().num() / (double) vs.time_base().den();
        }
      }
      if (t0 == null) {
        t0 = st.start_time() == AV_NOPTS_VALUE ? 0.0 : st.start_time() * tb;
      }
      return run(in, st, a, tb, t0, deadlineNanos, sink);
    }
  }

  private Result run(FfmpegInput in, AVStream st, int index, double tb, double t0,
      long deadlineNanos, Sink sink) throws ProbeException {
    AVCodecContext dec = FfmpegInput.openDecoder(st, 1);
    String codecName = avcodec_get_name(st.codecpar().codec_id()).getString();
    AVPacket pkt = av_packet_alloc();
    AVFrame frame = av_frame_alloc();
    Resampler rs = null;
    long maxSamples = limits.maxSamples(rate);
    try {
      int ret;
      Aligner out = new Aligner(sink);
      boolean reading = true;
      while (true) {
        if (reading) {
          reading = in.feed(dec, index, pkt);
        }
        while ((ret = avcodec_receive_frame(dec, frame)) >= 0) {
          if (rs == null) {
            rs = new Resampler(frame, rate);
            // The demuxer's start time is the first sample's time after priming is removed; the
            // first frame's own timestamp is the fallback (Ogg's early granules can be bogus).
            long pts = st.start_time() != AV_NOPTS_VALUE ? st.start_time()
                : frame.best_effort_timestamp();
            double first = pts == AV_NOPTS_VALUE ? t0 : pts * tb;
            if ((first - t0) * rate > maxSamples) {
              throw limits.tooLong("audio track's start offset");
            }
            out.start(first - t0, rate);
          }
          rs.convert(frame, out);
          av_frame_unref(frame);
          if (out.delivered > maxSamples) {
            throw limits.tooLong("audio track");
          }
        }
        if (ret == AVERROR_EOF) {
          break;
        }
        if (System.nanoTime() - deadlineNanos > 0) {
          throw new ProbeException(ErrorCodes.PROBE_TIMEOUT, "decoding exceeded its time limit");
        }
      }
      if (rs != null) {
        rs.flush(out);
      }
      if (rs == null) {
        throw new ProbeException(ErrorCodes.CORRUPT,
            "the " + codecName + " track decoded to no samples");
      }
      return new Result(out.delivered, rate, out.offsetS, out.padded, out.dropped,
          dec.sample_rate(), dec.ch_layout().nb_channels(), codecName);
    } finally {
      if (rs != null) {
        rs.close();
      }
      av_frame_free(frame);
      av_packet_free(pkt);
      avcodec_free_context(dec);
    }
  }

  /** Pads or drops at the start so that sample 0 is t = 0, then passes samples on. */
  private static final class Aligner {
    final Sink sink;
    long toDrop;
    long delivered;
    long padded;
    long dropped;
    double offsetS;

    Aligner(Sink sink) {
      this.sink = sink;
    }

    void start(double offsetS, int rate) {
      this.offsetS = offsetS;
      long n = Math.round(offsetS * rate);
      if (n > 0) {
        float[] zeros = new float[(int) Math.min(n, 1 << 16)];
        long left = n;
        while (left > 0) {
          int k = (int) Math.min(left, zeros.length);
          sink.accept(zeros, k);
          left -= k;
        }
        padded = n;
        delivered = n;
      } else {
        toDrop = -n;
      }
    }

    void accept(float[] samples, int count) {
      int from = 0;
      if (toDrop > 0) {
        int d = (int) Math.min(toDrop, count);
        toDrop -= d;
        dropped += d;
        from = d;
      }
      if (from == 0) {
        sink.accept(samples, count);
      } else if (count > from) {
        float[] rest = java.util.Arrays.copyOfRange(samples, from, count);
        sink.accept(rest, rest.length);
      }
      delivered += count - from;
    }
  }

  /** libswresample per channel to the target rate, planar float, then the channel mean. */
  private static final class Resampler implements AutoCloseable {
    final SwrContext swr;
    final int channels;
    final int inRate;
    final int outRate;
    FloatPointer[] planes;
    PointerPointer<FloatPointer> outPtr;
    int capacity;
    float[] mono = new float[0];
    float[] tmp = new float[0];

    Resampler(AVFrame first, int outRate) throws ProbeException {
      this.channels = Math.max(1, first.ch_layout().nb_channels());
      this.inRate = first.sample_rate();
      this.outRate = outRate;
      AVChannelLayout layout = new AVChannelLayout();
      av_channel_layout_default(layout, channels);
      // *ps must be NULL for swr_alloc_set_opts2 to allocate a new context.
      PointerPointer<SwrContext> pp = new PointerPointer<>(1);
      pp.put(0, (Pointer) null);
      int ret = swr_alloc_set_opts2(pp, layout, AV_SAMPLE_FMT_FLTP, outRate, layout,
          first.format(), inRate, 0, (Pointer) null);
      av_channel_layout_uninit(layout);
      swr = pp.get(SwrContext.class, 0);
      if (ret < 0 || swr == null || swr.isNull() || swr_init(swr) < 0) {
        throw new ProbeException(ErrorCodes.CORRUPT,
            "cannot resample " + channels + " channel(s) at " + inRate + " Hz");
      }
      ensure(8192);
    }

    private void ensure(int samples) {
      if (samples <= capacity) {
        return;
      }
      if (planes != null) {
        for (FloatPointer p : planes) {
          p.close();
        }
        outPtr.close();
      }
      capacity = samples;
      planes = new FloatPointer[channels];
      outPtr = new PointerPointer<>(channels);
      for (int c = 0; c < channels; c++) {
        planes[c] = new FloatPointer(capacity);
        outPtr.put(c, planes[c]);
      }
    }

    void convert(AVFrame frame, Aligner out) {
      int nb = frame.nb_samples();
      long delay = swr_get_delay(swr, inRate);
      int need = (int) ((delay + nb) * (long) outRate / inRate) + 64;
      ensure(need);
      int got = swr_convert(swr, outPtr, capacity, frame.extended_data(), nb);
      emit(got, out);
    }

    void flush(Aligner out) {
      int got;
      while ((got = swr_convert(swr, outPtr, capacity, (PointerPointer<?>) null, 0)) > 0) {
        emit(got, out);
      }
    }

    private void emit(int got, Aligner out) {
      if (got <= 0) {
        return;
      }
      if (mono.length < got) {
        mono = new float[capacity];
        tmp = new float[capacity];
      }
      planes[0].get(mono, 0, got);
      for (int c = 1; c < channels; c++) {
        planes[c].get(tmp, 0, got);
        for (int i = 0; i < got; i++) {
          mono[i] += tmp[i];
        }
      }
      if (channels > 1) {
        float inv = 1f / channels;
        for (int i = 0; i < got; i++) {
          mono[i] *= inv;
        }
      }
      out.accept(mono, got);
    }

    @Override
    public void close() {
      swr_free(swr);
      for (FloatPointer p : planes) {
        p.close();
      }
      outPtr.close();
    }
  }

  /** A growable float array. */
  public static final class FloatBuffer {
    private float[] data = new float[1 << 14];
    private int size;

    public void append(float[] samples, int count) {
      if (size + count > data.length) {
        data = java.util.Arrays.copyOf(data, Math.max(data.length * 2, size + count));
      }
      System.arraycopy(samples, 0, data, size, count);
      size += count;
    }

    public float[] toArray() {
      return java.util.Arrays.copyOf(data, size);
    }
  }
}
