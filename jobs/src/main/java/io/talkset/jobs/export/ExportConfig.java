package io.talkset.jobs.export;

import io.talkset.jobs.cli.Options;
import io.talkset.jobs.cli.UsageException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of the export job.
 *
 * @param output dataset root (reads OUTPUT/dataset, written by shards, and OUTPUT/clips for the
 *     source files the audio is decoded from)
 * @param exportOutput the folder the export replaces (default OUTPUT/exports/FORMAT)
 * @param size side of the MP4 pictures; 0: the crops' own size
 * @param shardBytes WebDataset shard size limit
 */
public record ExportConfig(String output, String exportOutput, Format format, Media media,
    View view, long shardBytes, int size, long timeoutMillis, int partitions)
    implements Serializable {

  /** The layouts. */
  public enum Format {
    WEBDATASET, CLIPS, FRAMES;

    /** The name on the command line and in folder names. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A WebDataset sample's picture: one MP4, or the stored JPEG of each frame. */
  public enum Media { MP4, JPG }

  /** Which picture of a frame is exported; aligned and mouth come with the next items. */
  public enum View { FACE }

  public static Options options() {
    return new Options()
        .value("output", "URI", null, "dataset root whose written dataset (OUTPUT/dataset, from"
            + " shards) is exported")
        .value("format", "F", null, "webdataset (tar shards of samples), clips (one MP4 per"
            + " clip plus filelist.txt per split) or frames (a folder of JPEGs, audio.wav and"
            + " params.npz per clip)")
        .value("export-output", "URI", "", "folder the export replaces as a whole (default"
            + " OUTPUT/exports/FORMAT)")
        .value("view", "V", "face", "the picture exported: face (the stored crop); aligned"
            + " and mouth views come later")
        .value("media", "M", "mp4", "webdataset only: mp4 (one H.264 + AAC video per sample)"
            + " or jpg (the stored JPEG of each frame, KEY.NNNNN.jpg)")
        .value("shard-mb", "MB", "1000", "webdataset only: shard size limit in MB (10^6"
            + " bytes); a sample never spans shards")
        .value("size", "PX", "0", "side of the MP4 pictures (even); 0: the crops' size")
        .value("export-timeout-ms", "MS", "3600000", "per clip limit for decoding its audio")
        .value("partitions", "N", "0", "tasks; 0 = four per core");
  }

  public static ExportConfig from(Options.Parsed a) {
    String output = a.require("output").replaceAll("/+$", "");
    a.require("format");
    Format format = a.choice("format", Format.class);
    String target = a.get("export-output").trim();
    if (target.isEmpty()) {
      target = output + "/exports/" + format.id();
    }
    View view = a.choice("view", View.class);
    Media media = a.choice("media", Media.class);
    int size = a.intIn("size", 0, 4096);
    if (size != 0 && (size < 16 || size % 2 != 0)) {
      throw new UsageException("--size must be 0 or even and at least 16 (H.264 in yuv420p),"
          + " got " + size);
    }
    long shardMb = a.positiveLong("shard-mb");
    return new ExportConfig(output, target.replaceAll("/+$", ""), format, media, view,
        shardMb * 1_000_000L, size, a.positiveLong("export-timeout-ms"),
        a.nonNegativeInt("partitions"));
  }

  /** The settings that decide the bytes written (the output folder does not). */
  public Map<String, Object> describe() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("format", format.id());
    d.put("view", view.name().toLowerCase(Locale.ROOT));
    if (format == Format.WEBDATASET) {
      d.put("media", media.name().toLowerCase(Locale.ROOT));
      d.put("shard_bytes", shardBytes);
    }
    if (format != Format.FRAMES && !(format == Format.WEBDATASET && media == Media.JPG)) {
      d.put("video", String.format(Locale.ROOT, "H.264 (OpenH264) yuv420p, 25 fps, %s, frame j"
          + " = grid frame first_frame + j, a frame without a crop repeats the previous crop;"
          + " AAC 16 kHz mono", size == 0 ? "the crops' size" : size + "x" + size));
    }
    d.put("audio", "the clip's source decoded to 16 kHz mono as the audio stage does (sample 0"
        + " at the video's t = 0), samples 640 first_frame .. 640 (last_frame + 1) - 1, zeros"
        + " past the source's end; WAV 16-bit PCM");
    return d;
  }
}
