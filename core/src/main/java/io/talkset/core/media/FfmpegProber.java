package io.talkset.core.media;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_DATA_DISPLAYMATRIX;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_side_data_get;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_display_rotation_get;
import static org.bytedeco.ffmpeg.global.avutil.av_get_pix_fmt_name;
import static org.bytedeco.ffmpeg.global.avutil.av_get_sample_fmt_name;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avcodec.AVPacketSideData;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;

/**
 * Probes media through FFmpeg's demuxers ({@link FfmpegInput}), reading stream parameters without
 * decoding beyond FFmpeg's stream analysis. Thread-safe: each call has its own FFmpeg context.
 */
public final class FfmpegProber {
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
    try (FfmpegInput in = FfmpegInput.open(source, nameHint, deadlineNanos)) {
      MediaInfo info = describe(in.context());
      if (info.container.startsWith("mov,")) {
        // An mp4 whose index comes first still opens when its media data is cut short.
        String truncated = FfmpegInput.truncation(source);
        if (truncated != null) {
          throw new ProbeException(ErrorCodes.TRUNCATED, truncated);
        }
      }
      if (frameCount == FrameCount.EXACT && info.hasVideo()) {
        info.frameCount = countVideoPackets(in);
        info.frameCountEstimated = false;
      }
      return info;
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

  private static long countVideoPackets(FfmpegInput in) throws ProbeException {
    AVFormatContext ctx = in.context();
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
      in.checkAbort();
      if (ret != AVERROR_EOF) {
        throw new ProbeException(
            ErrorCodes.CORRUPT, "reading packets failed after " + count + " video packets: "
                + FfmpegInput.errorText(ret));
      }
      return count;
    } finally {
      av_packet_free(pkt);
    }
  }

  private static double seconds(AVRational r) {
    return r.den() == 0 ? 0 : r.num() / (double) r.den();
  }
}
