package io.talkset.jobs.export;

import io.talkset.core.export.FaceViews;
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
 * @param size side of the pictures (the MP4s' for the face view); 0: the crops' own size, or
 *     the view's default
 * @param shardBytes WebDataset shard size limit
 * @param sample what one sample is; null until the job has looked at the dataset (window when
 *     it has a windows table, clip otherwise)
 */
public record ExportConfig(String output, String exportOutput, Format format, Media media,
    View view, long shardBytes, int size, long timeoutMillis, int partitions, Sample sample)
    implements Serializable {

  /**
   * The unit of the export: a clip (its frames from first to last face frame), or a training
   * window of the dataset's windows table (written by {@code shards --window-seconds}).
   */
  public enum Sample {
    WINDOW, CLIP;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The same settings with the sample unit decided. */
  public ExportConfig withSample(Sample s) {
    return new ExportConfig(output, exportOutput, format, media, view, shardBytes, size,
        timeoutMillis, partitions, s);
  }

  public boolean perWindow() {
    return sample == Sample.WINDOW;
  }

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

  /**
   * Which picture of a frame is exported: the stored crop, or a warp of it
   * ({@link FaceViews}): the face aligned onto the mean face, or the aligned mouth region.
   */
  public enum View {
    FACE, ALIGNED, MOUTH;

    /** The warp, or null for the stored crop. */
    public FaceViews.View warp() {
      return this == FACE ? null : FaceViews.View.valueOf(name());
    }
  }

  /** JPEG quality of warped views (the frames stage's default for its crops). */
  public static final int VIEW_JPEG_QUALITY = 95;

  /** Side of the pictures of a clip whose crops are {@code cropSize} pixels. */
  public int side(int cropSize) {
    return size > 0 ? size : view == View.FACE ? cropSize : view.warp().defaultSide();
  }

  public static Options options() {
    return new Options()
        .value("output", "URI", null, "dataset root whose written dataset (OUTPUT/dataset, from"
            + " shards) is exported")
        .value("format", "F", null, "webdataset (tar shards of samples), clips (one MP4 per"
            + " sample plus filelist.txt per split) or frames (a folder of JPEGs, audio.wav and"
            + " params.npz per sample)")
        .value("export-output", "URI", "", "folder the export replaces as a whole (default"
            + " OUTPUT/exports/FORMAT)")
        .value("view", "V", "face", "the picture exported: face (the stored crop), aligned"
            + " (the face warped onto a mean face by a similarity on its smoothed landmarks,"
            + " 256 px) or mouth (the aligned mouth region, 96 px)")
        .value("media", "M", "mp4", "webdataset only: mp4 (one H.264 + AAC video per sample)"
            + " or jpg (the stored JPEG of each frame, KEY.NNNNN.jpg)")
        .value("shard-mb", "MB", "1000", "webdataset only: shard size limit in MB (10^6"
            + " bytes); a sample never spans shards")
        .value("size", "PX", "0", "side of the pictures (even): the MP4s' for face (JPEGs"
            + " are the stored ones), every picture's for aligned and mouth; 0: the crops' size,"
            + " 256 aligned, 96 mouth")
        .value("sample", "S", null, "what one sample (tar sample, MP4, frames folder) is:"
            + " window (a training window of the dataset's windows table) or clip; default"
            + " window when the dataset has windows (shards --window-seconds), clip otherwise")
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
    // Unset: decided by the job once it sees whether the dataset has windows.
    Sample sample = a.get("sample") == null || a.get("sample").isBlank() ? null
        : a.choice("sample", Sample.class);
    return new ExportConfig(output, target.replaceAll("/+$", ""), format, media, view,
        shardMb * 1_000_000L, size, a.positiveLong("export-timeout-ms"),
        a.nonNegativeInt("partitions"), sample);
  }

  /** The settings that decide the bytes written (the output folder does not). */
  public Map<String, Object> describe() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("format", format.id());
    d.put("view", view.name().toLowerCase(Locale.ROOT));
    d.put("sample", sample == null ? "unset" : sample.id());
    if (view != View.FACE) {
      d.put("view_geometry", FaceViews.describe(view.warp(), side(0)));
      d.put("view_jpeg", "re-encoded, quality " + VIEW_JPEG_QUALITY);
      d.put("view_arrays", "landmarks and mesh in the view's pixels; affine: crop pixels to view"
          + " pixels per frame");
    }
    if (format == Format.WEBDATASET) {
      d.put("media", media.name().toLowerCase(Locale.ROOT));
      d.put("shard_bytes", shardBytes);
    }
    if (format != Format.FRAMES && !(format == Format.WEBDATASET && media == Media.JPG)) {
      d.put("video", String.format(Locale.ROOT, "H.264 (OpenH264) yuv420p, 25 fps, %s, frame j"
          + " = grid frame first_frame + j, a frame without a crop repeats the previous crop;"
          + " AAC 16 kHz mono", view == View.FACE && size == 0 ? "the crops' size"
          : side(0) + "x" + side(0)));
    }
    d.put("audio", "the clip's source decoded to 16 kHz mono as the audio stage does (sample 0"
        + " at the video's t = 0), samples 640 first_frame .. 640 (last_frame + 1) - 1"
        + (perWindow() ? " of the window (its first_sample .. end_sample - 1)" : "")
        + ", zeros past the source's end; a clip the curation re-timed is cut 640 x"
        + " curation.audio_shift_frames samples earlier (zeros before the source's start), as"
        + " its per-frame audio features were shifted; WAV 16-bit PCM");
    return d;
  }
}
