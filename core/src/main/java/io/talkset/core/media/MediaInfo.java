package io.talkset.core.media;

/**
 * What a probe learns about one media file without decoding it whole. Values follow ffprobe's
 * conventions (format and codec names, stream start times, average frame rate) so they can be
 * checked against it; a null field means the container does not say.
 */
public final class MediaInfo {
  /** FFmpeg's demuxer name, e.g. {@code mov,mp4,m4a,3gp,3g2,mj2}. */
  public String container;
  /** Container duration in seconds. */
  public Double durationS;
  /** Container bit rate in bits per second. */
  public Long bitRate;
  public int videoStreams;
  public int audioStreams;

  public String videoCodec;
  public Integer width;
  public Integer height;
  public String pixelFormat;
  /** Clockwise rotation, in degrees (0, 90, 180, 270), that makes decoded frames upright. */
  public Integer rotationDeg;
  /** Average frame rate (ffprobe's avg_frame_rate), falling back to r_frame_rate. */
  public Double fps;
  /** The same rate as an exact fraction, e.g. {@code 30000/1001}. */
  public String fpsRational;
  /** True when the stream's nominal rate differs from its average rate (variable frame rate). */
  public Boolean variableFrameRate;
  public Long frameCount;
  /** True when {@link #frameCount} is duration × fps rather than read from the container. */
  public Boolean frameCountEstimated;
  public Double videoStartS;
  public Double videoDurationS;

  public String audioCodec;
  public Integer sampleRate;
  public Integer channels;
  public String sampleFormat;
  public Double audioStartS;
  public Double audioDurationS;

  public boolean hasVideo() {
    return videoCodec != null;
  }

  public boolean hasAudio() {
    return audioCodec != null;
  }

  /** {@code av}, {@code video}, {@code audio} or {@code none}. */
  public String mediaKind() {
    if (hasVideo() && hasAudio()) {
      return "av";
    }
    return hasVideo() ? "video" : hasAudio() ? "audio" : "none";
  }
}
