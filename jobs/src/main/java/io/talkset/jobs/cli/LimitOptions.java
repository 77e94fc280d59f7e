package io.talkset.jobs.cli;

import io.talkset.core.media.InputLimits;

/**
 * The input limits every stage that opens source media shares (crawl, audio, frames): the same
 * option names, so {@code talkset run} takes them once and each stage enforces them where it
 * reads — the crawl against the container's declarations, the decoders against the streams.
 */
public final class LimitOptions {
  private LimitOptions() {}

  public static Options add(Options o) {
    InputLimits d = InputLimits.DEFAULTS;
    return o
        .value("max-side", "PX", Integer.toString(d.maxSide()),
            "longest picture side a clip may have (else rejected, over_limit)")
        .value("max-frame-pixels", "N", Long.toString(d.maxFramePixels()),
            "most pixels per picture (default 8K UHD); bounds decode memory")
        .value("max-duration-s", "S", "14400",
            "longest clip in seconds (default 4 h); bounds the audio stage's memory")
        .value("max-file-bytes", "N", "0", "largest file in bytes; 0 = no limit");
  }

  public static InputLimits from(Options.Parsed a) {
    long side = a.positiveLong("max-side");
    if (side > Integer.MAX_VALUE) {
      throw new UsageException("--max-side is too large: " + side);
    }
    double duration = a.doubleIn("max-duration-s", 1e-3, 1e9);
    String bytes = a.get("max-file-bytes").trim();
    long maxBytes;
    try {
      maxBytes = Long.parseLong(bytes);
      if (maxBytes < 0) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new UsageException("--max-file-bytes must be 0 or a positive whole number, got '"
          + bytes + "'");
    }
    return new InputLimits((int) side, a.positiveLong("max-frame-pixels"), duration, maxBytes);
  }
}
