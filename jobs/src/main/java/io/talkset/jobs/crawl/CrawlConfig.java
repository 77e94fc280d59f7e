package io.talkset.jobs.crawl;

import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.media.FfmpegProber;
import io.talkset.core.media.InputLimits;
import io.talkset.jobs.cli.LimitOptions;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.cli.UsageException;
import java.io.Serializable;
import java.util.List;

/**
 * Validated settings of the crawl.
 *
 * @param inputs file-system URIs or globs to crawl
 * @param output dataset root; the manifest goes to {@code OUTPUT/clips}
 * @param require which streams a clip needs to be {@code ok}
 * @param timeoutMillis per-file limit for identifying and probing
 * @param frameCount how frame counts are obtained
 * @param partitions probe tasks (0 = automatic)
 * @param reprobeFailed re-probe unchanged files that failed last time
 * @param limits input limits checked against what each container declares
 * @param speakers URI of a CSV mapping (clip id or path, speaker) that overrides the layout's
 *     speaker, or empty
 */
public record CrawlConfig(
    List<String> inputs,
    String output,
    MediaNames media,
    FileExaminer.Require require,
    long timeoutMillis,
    FfmpegProber.FrameCount frameCount,
    int partitions,
    boolean reprobeFailed,
    InputLimits limits,
    String speakers) implements Serializable {

  public CrawlConfig(List<String> inputs, String output, MediaNames media,
      FileExaminer.Require require, long timeoutMillis, FfmpegProber.FrameCount frameCount,
      int partitions, boolean reprobeFailed) {
    this(inputs, output, media, require, timeoutMillis, frameCount, partitions, reprobeFailed,
        InputLimits.DEFAULTS);
  }

  public CrawlConfig(List<String> inputs, String output, MediaNames media,
      FileExaminer.Require require, long timeoutMillis, FfmpegProber.FrameCount frameCount,
      int partitions, boolean reprobeFailed, InputLimits limits) {
    this(inputs, output, media, require, timeoutMillis, frameCount, partitions, reprobeFailed,
        limits, "");
  }

  public static Options options() {
    return LimitOptions.add(new Options()
        .repeated("input", "URI", "file, folder or glob to crawl (file://, hdfs://, s3a://);"
            + " repeat for several")
        .value("output", "URI", null, "dataset root; the manifest is written to OUTPUT/clips")
        .value("require", "any|video|audio|av", "any",
            "streams a clip needs to be ok; others are rejected with no_video or no_audio")
        .value("probe-timeout-ms", "MS", "60000", "per-file limit for identifying and probing")
        .value("frame-count", "estimate|exact", "estimate",
            "exact counts video packets, reading each file whole")
        .value("extensions", "LIST", MediaNames.DEFAULT_EXTENSIONS,
            "file extensions treated as media")
        .value("partitions", "N", "0", "probe tasks; 0 = four per core")
        .flag("reprobe-failed", "probe unchanged files that failed last time again")
        .value("speakers", "URI", "", "CSV clip,speaker (a clip id or path per line) on any"
            + " Hadoop file system, overriding the layout's speaker (a generic layout takes the"
            + " parent folder)"));
  }

  public static CrawlConfig from(Options.Parsed a) {
    List<String> inputs = a.all("input");
    if (inputs.isEmpty()) {
      throw new UsageException("--input is required: URI (give it once per input)");
    }
    int partitions = a.nonNegativeInt("partitions");
    MediaNames media;
    try {
      media = new MediaNames(a.get("extensions"));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--extensions must list at least one extension, got '"
          + a.get("extensions") + "'");
    }
    return new CrawlConfig(List.copyOf(inputs), a.require("output"), media,
        a.choice("require", FileExaminer.Require.class), a.positiveLong("probe-timeout-ms"),
        a.choice("frame-count", FfmpegProber.FrameCount.class), partitions,
        a.flag("reprobe-failed"), LimitOptions.from(a), a.get("speakers").trim());
  }
}
