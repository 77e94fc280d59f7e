package io.talkset.core.media;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import java.io.Serializable;
import java.util.Locale;

/**
 * Bounds on what one untrusted file may cost: picture size, duration and file size. Checked twice:
 * by the crawl against what the container declares (the clip is then {@code rejected /
 * over_limit} and no later stage opens it), and again while decoding, against what the streams
 * really hold, because a container can declare 320×240 and ten seconds and then deliver 16K
 * frames for hours. Decode memory follows from these: the frames stage holds two decoded frames
 * (at most {@code maxFramePixels} each), the audio stage holds {@code maxDurationS} of 16 kHz mono
 * floats (4 h = 0.9 GB at the default, so lower it for small executors). Time per file is bounded
 * separately by each stage's timeout.
 *
 * @param maxSide longest picture side in pixels
 * @param maxFramePixels width × height of one picture
 * @param maxDurationS longest duration in seconds (container, video grid or audio samples)
 * @param maxFileBytes largest file in bytes; 0 = no limit
 */
public record InputLimits(int maxSide, long maxFramePixels, double maxDurationS,
    long maxFileBytes) implements Serializable {

  /** 8K UHD pictures, four hours, any file size: above what any talking-head corpus holds. */
  public static final InputLimits DEFAULTS = new InputLimits(8192, 7680L * 4320, 4 * 3600.0, 0);

  public InputLimits {
    if (maxSide <= 0 || maxFramePixels <= 0 || !(maxDurationS > 0) || maxFileBytes < 0) {
      throw new IllegalArgumentException("limits must be positive: " + maxSide + ", "
          + maxFramePixels + ", " + maxDurationS + ", " + maxFileBytes);
    }
  }

  /** Why the declared media is over a limit, or null when it is within all of them. */
  public String exceeded(MediaInfo info, long fileBytes) {
    if (maxFileBytes > 0 && fileBytes > maxFileBytes) {
      return String.format(Locale.ROOT, "the file has %d bytes, over --max-file-bytes %d",
          fileBytes, maxFileBytes);
    }
    if (info == null) {
      return null;
    }
    if (info.width != null && info.height != null) {
      String why = pictureExceeded(info.width, info.height, "declares");
      if (why != null) {
        return why;
      }
    }
    double longest = Math.max(orZero(info.durationS),
        Math.max(orZero(info.videoDurationS), orZero(info.audioDurationS)));
    if (longest > maxDurationS) {
      return String.format(Locale.ROOT, "the file declares %.1f s, over --max-duration-s %s",
          longest, plain(maxDurationS));
    }
    return null;
  }

  /** Why a picture of this size is over a limit, or null. */
  public String pictureExceeded(int width, int height, String verb) {
    if (Math.max(width, height) > maxSide) {
      return String.format(Locale.ROOT, "the video %s %d×%d pictures, over --max-side %d", verb,
          width, height, maxSide);
    }
    if ((long) width * height > maxFramePixels) {
      return String.format(Locale.ROOT,
          "the video %s %d×%d pictures (%d pixels), over --max-frame-pixels %d", verb, width,
          height, (long) width * height, maxFramePixels);
    }
    return null;
  }

  /** Throws {@code over_limit} when a decoded picture is over a limit. */
  public void checkPicture(int width, int height) throws ProbeException {
    String why = pictureExceeded(width, height, "decodes to");
    if (why != null) {
      throw new ProbeException(ErrorCodes.OVER_LIMIT, why);
    }
  }

  /**
   * The decoders' own picture limit ({@code AVCodecContext.max_pixels}): FFmpeg refuses a larger
   * picture before it allocates its buffer, so a stream that lies about its size cannot make
   * the native side allocate gigabytes before {@link #checkPicture} sees the picture. FFmpeg
   * counts the width rounded up to its stride alignment (at most 64), so it is given that much
   * slack, at most an eighth of the limit (so that the limit still bites); {@link #checkPicture}
   * then holds each decoded picture to the exact limit.
   */
  public long decoderMaxPixels() {
    long slack = Math.min(64L * maxSide, maxFramePixels / 8);
    return Math.min(Integer.MAX_VALUE, maxFramePixels + slack);
  }

  /** Most 25 fps grid frames a decode may deliver. */
  public long maxGridFrames(int fps) {
    return (long) Math.ceil(maxDurationS * fps);
  }

  /** Most samples at {@code rate} an audio decode may deliver. */
  public long maxSamples(int rate) {
    return (long) Math.ceil(maxDurationS * rate);
  }

  /** The {@code over_limit} error for a decode that ran past the duration limit. */
  public ProbeException tooLong(String what) {
    return new ProbeException(ErrorCodes.OVER_LIMIT, String.format(Locale.ROOT,
        "the %s runs past --max-duration-s %s (the container declared less)", what,
        plain(maxDurationS)));
  }

  private static double orZero(Double d) {
    return d == null || d.isNaN() ? 0 : d;
  }

  private static String plain(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
