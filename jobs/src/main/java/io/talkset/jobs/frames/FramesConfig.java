package io.talkset.jobs.frames;

import io.talkset.core.faces.CropWindows;
import io.talkset.core.faces.FacePipeline;
import io.talkset.core.faces.FaceTracker;
import io.talkset.core.media.InputLimits;
import io.talkset.core.video.GridReader;
import io.talkset.jobs.cli.CommitOptions;
import io.talkset.jobs.cli.LimitOptions;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.cli.RetryOptions;
import io.talkset.jobs.cli.UsageException;
import io.talkset.jobs.runtime.Devices;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of the frames stage.
 *
 * @param output dataset root: reads OUTPUT/clips, writes OUTPUT/frames and OUTPUT/frames_clips
 * @param models folder holding the pinned model files (bin/fetch-models)
 * @param detector BlazeFace model: {@link #AUTO} (full range, handing shots of large faces to the
 *     short-range model; the default), 256 (full range only) or 128 (short range only)
 * @param device auto (the task's Spark gpu resource when assigned, else CPU) or cpu
 * @param keepMb native memory per task for the decoded face regions kept between the passes,
 *     in MiB (0: decode every video twice); see {@link FacePipeline#analyze}
 * @param spillMb local disk per task for the kept face regions that outgrow {@code keepMb}, in
 *     MiB (0: none; a clip whose regions outgrow {@code keepMb} is decoded twice)
 * @param spillDir local folder of the executor for that scratch file; blank: the executor
 *     JVM's {@code java.io.tmpdir}
 * @param retryFailed process clips whose latest status is a retryable failure again
 * @param maxAttempts a clip started this many times whose JVM died each time is not started
 *     again but marked {@code failed} with {@code poison_clip} ({@code ClipAttempts})
 * @param maxRepeatedFraction with {@code maxRepeatedS}: a clip whose declared length outruns its
 *     decoded pictures by more than this share of its grid frames and more than
 *     {@code maxRepeatedS} seconds is rejected as {@code truncated} (see {@link #truncation})
 * @param commit the bounds of each commit group ({@code CommitGroups})
 */
public record FramesConfig(String output, String models, int detector, String device,
    float minScore, int detectEvery, String policy, double zoom, int smoothFrames,
    String outside, double maxOutside, int size, int jpegQuality, int minSegmentFrames,
    int maxGap, String subject, long timeoutMillis, int partitions, InputLimits limits,
    float minSegmentScore, int keepMb, int spillMb, String spillDir, boolean retryFailed, double maxRepeatedFraction,
    double maxRepeatedS, int maxAttempts, CommitOptions.Limits commit) implements Serializable {

  /** {@code --detector auto}: see {@link FacePipeline#analyze}'s {@code near} detector. */
  public static final int AUTO = 0;

  public FramesConfig(String output, String models, int detector, String device,
      float minScore, int detectEvery, String policy, double zoom, int smoothFrames,
      String outside, double maxOutside, int size, int jpegQuality, int minSegmentFrames,
      int maxGap, String subject, long timeoutMillis, int partitions) {
    this(output, models, detector, device, minScore, detectEvery, policy, zoom, smoothFrames,
        outside, maxOutside, size, jpegQuality, minSegmentFrames, maxGap, subject, timeoutMillis,
        partitions, InputLimits.DEFAULTS, FaceTracker.Params.DEFAULT_MIN_MEAN_SCORE,
        (int) (FacePipeline.Params.KEEP_BYTES >> 20), DEFAULT_SPILL_MB, "", true,
        DEFAULT_MAX_REPEATED_FRACTION,
        DEFAULT_MAX_REPEATED_S, RetryOptions.DEFAULT_MAX_ATTEMPTS, CommitOptions.Limits.DEFAULT);
  }

  /**
   * A few GB of local disk per task: a minute of bench-run's 720p talking head (a large face)
   * keeps 614 MB of face regions, so clips of several minutes are still decoded once.
   */
  public static final int DEFAULT_SPILL_MB = 4096;

  /** Above both defaults a clip is truncated: 5% of its frames, and at least two seconds. */
  public static final double DEFAULT_MAX_REPEATED_FRACTION = 0.05;
  public static final double DEFAULT_MAX_REPEATED_S = 2.0;

  /**
   * Why a clip whose last decoded picture would fill {@code repeated} of its {@code gridFrames}
   * is truncated, or null when it is within the limits. Both must be exceeded: a short clip may
   * lose a few frames to a container that rounds its duration up, and a long one may run a
   * second past its last picture without being broken; a file cut short loses far more.
   */
  public String truncation(int repeated, int gridFrames, double decodedS) {
    double frameLimit = Math.max(maxRepeatedFraction * gridFrames,
        maxRepeatedS * GridReader.FPS);
    if (repeated <= frameLimit) {
      return null;
    }
    return String.format(java.util.Locale.ROOT,
        "the video ends after %.2f s but the file declares %.2f s: %d of its %d grid frames would"
            + " repeat the last picture, over --max-repeated-fraction %s and --max-repeated-s %s"
            + " (the file is probably cut short)", decodedS, gridFrames / (double) GridReader.FPS,
        repeated, gridFrames, plain(maxRepeatedFraction), plain(maxRepeatedS));
  }

  private static String plain(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  public static Options options() {
    return CommitOptions.add(RetryOptions.add(LimitOptions.add(new Options()
        .repeated("input", "URI", "accepted for 'talkset run'; the frames stage reads OUTPUT/clips")
        .value("output", "URI", null, "dataset root (reads clips/, writes frames/, frames_clips/)")
        .value("models", "DIR", Devices.defaultModelsDir(),
            "folder of the pinned models (bin/fetch-models; TALKSET_MODELS)")
        .value("detector", "M", "auto",
            "BlazeFace model: auto (full range; a shot whose faces are all large goes to the"
                + " short-range model, 5x cheaper), 256 (full range only) or 128 (short range only)")
        .value("device", "WHERE", "auto",
            "auto: the task's Spark gpu resource when the cluster assigns one, else CPU; cpu")
        .value("min-score", "S", "0.5", "detection score threshold, 0..1")
        .value("detect-every", "K", "5", "run the detector every K-th frame, tracking between")
        .value("crop-policy", "P", "clip",
            "clip: one window per segment (HDTF); smooth: per-frame window, smoothed")
        .value("zoom", "Z", "", "window side / face size (default 1.2 clip, 1.5 smooth)")
        .value("smooth-frames", "N", "9", "smooth policy: centred moving average over N frames")
        .value("outside", "P", "pad",
            "window partly outside the picture: pad (black), shift (move inside), reject (drop"
                + " the frames, splitting the segment)")
        .value("max-outside", "F", "0", "reject policy: largest share of a window allowed outside")
        .value("size", "PX", "512", "side of the output crops")
        .value("jpeg-quality", "Q", "95", "JPEG quality, 1..100")
        .value("min-segment-frames", "N", "25", "shortest face segment kept (frames)")
        .value("min-segment-score", "S",
            Float.toString(FaceTracker.Params.DEFAULT_MIN_MEAN_SCORE),
            "lowest mean detection score of a segment's detections, 0..1 (drops steady false"
                + " positives that pass --min-score frame by frame)")
        .value("max-gap", "N", "12", "longest run of frames without a detection that is bridged")
        .value("subject", "P", "largest_persistent",
            "subject of a shot: largest_persistent, largest or longest")
        .value("frames-timeout-ms", "MS", "3600000", "per-clip limit for both passes")
        .value("keep-mb", "MB", Long.toString(FacePipeline.Params.KEEP_BYTES >> 20),
            "native memory per task for decoded face regions kept from pass one, so that clips"
                + " that fit are decoded once, not twice; 0 = always decode twice (count it in"
                + " spark.executor.memoryOverhead)")
        .value("spill-mb", "MB", Integer.toString(DEFAULT_SPILL_MB),
            "local disk per task for the face regions that outgrow --keep-mb (a scratch file,"
                + " read back by pass two instead of decoding again, deleted with the clip);"
                + " 0 = decode such clips twice")
        .value("spill-dir", "DIR", "",
            "local folder of each executor for that file (default: the executor's"
                + " java.io.tmpdir); not a tmpfs, whose files are memory")
        .value("max-repeated-fraction", "F", Double.toString(DEFAULT_MAX_REPEATED_FRACTION),
            "a clip whose last picture would repeat on more than this share of its grid frames"
                + " (and more than --max-repeated-s) is rejected as truncated, 0..1")
        .value("max-repeated-s", "S", "2",
            "seconds of repeated last picture always tolerated before a clip is truncated")
        .value("partitions", "N", "0", "tasks; 0 = four per core"))));
  }

  public static FramesConfig from(Options.Parsed a) {
    String policy = a.get("crop-policy").trim().toLowerCase(java.util.Locale.ROOT);
    String outside = a.get("outside").trim().toLowerCase(java.util.Locale.ROOT);
    String subject = a.get("subject").trim().toLowerCase(java.util.Locale.ROOT);
    try {
      CropWindows.Params.policy(policy);
      CropWindows.Params.outside(outside);
      FaceTracker.Subject.parse(subject);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    String model = a.get("detector").trim().toLowerCase(java.util.Locale.ROOT);
    int detector = switch (model) {
      case "auto" -> AUTO;
      case "256" -> 256;
      case "128" -> 128;
      default -> throw new UsageException("--detector must be auto, 256 or 128, got '"
          + model + "'");
    };
    String device = a.get("device").trim().toLowerCase(java.util.Locale.ROOT);
    if (!device.equals("auto") && !device.equals("cpu")) {
      throw new UsageException("--device must be auto or cpu, got '" + device + "'");
    }
    double zoom = a.get("zoom").isBlank()
        ? CropWindows.Params.defaults(CropWindows.Params.policy(policy)).zoom()
        : a.doubleIn("zoom", 0.5, 10);
    int detectEvery = a.intIn("detect-every", 1, 250);
    int maxGap = a.intIn("max-gap", 0, 100_000);
    if (maxGap < detectEvery - 1) {
      throw new UsageException("--max-gap (" + maxGap + ") must be at least --detect-every - 1 ("
          + (detectEvery - 1) + "): the frames between two detections are a gap");
    }
    return new FramesConfig(a.require("output"), a.get("models"), detector, device,
        (float) a.doubleIn("min-score", 0, 1), detectEvery, policy, zoom,
        a.intIn("smooth-frames", 1, 1001), outside, a.doubleIn("max-outside", 0, 1),
        a.intIn("size", 16, 4096), a.intIn("jpeg-quality", 1, 100),
        a.intIn("min-segment-frames", 1, 1_000_000), maxGap, subject,
        a.positiveLong("frames-timeout-ms"), a.nonNegativeInt("partitions"),
        LimitOptions.from(a), (float) a.doubleIn("min-segment-score", 0, 1),
        a.intIn("keep-mb", 0, 65_536), a.intIn("spill-mb", 0, 1 << 20), spillDir(a),
        RetryOptions.from(a),
        a.doubleIn("max-repeated-fraction", 0, 1), a.doubleIn("max-repeated-s", 0, 1e9),
        RetryOptions.maxAttempts(a), CommitOptions.from(a));
  }

  private static String spillDir(Options.Parsed a) {
    String d = a.get("spill-dir").trim();
    if (d.startsWith("file:")) {
      try {
        return java.nio.file.Path.of(java.net.URI.create(d)).toString();
      } catch (IllegalArgumentException e) {
        throw new UsageException("--spill-dir must be a local folder, got '" + d + "'");
      }
    }
    if (d.matches("[A-Za-z][A-Za-z0-9+.-]*://.*")) {
      throw new UsageException("--spill-dir must be a local folder of the executors, got '" + d
          + "'");
    }
    return d;
  }

  /** The core pipeline's parameters; call on the executor (the spill folder is its own). */
  public FacePipeline.Params pipeline() {
    FaceTracker.Params t = FaceTracker.Params.defaults().withMaxGap(maxGap)
        .withMinFrames(minSegmentFrames).withSubject(FaceTracker.Subject.parse(subject))
        .withMinMeanScore(minSegmentScore);
    CropWindows.Params c = new CropWindows.Params(CropWindows.Params.policy(policy), zoom,
        smoothFrames, CropWindows.Params.outside(outside), maxOutside);
    return new FacePipeline.Params(detectEvery, detector == 128 ? 128 : 256, t, c, size,
        jpegQuality).withKeepBytes((long) keepMb << 20)
        .withSpill(java.nio.file.Path.of(spillDir.isBlank()
            ? System.getProperty("java.io.tmpdir") : spillDir), (long) spillMb << 20);
  }

  /** The settings that shape the output, recorded with every clip. */
  public Map<String, Object> describe() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("detector", detector == AUTO ? "blazeface-256+128" : "blazeface-" + detector);
    d.put("min_score", minScore);
    d.put("detect_every", detectEvery);
    d.put("crop_policy", policy);
    d.put("zoom", zoom);
    d.put("smooth_frames", smoothFrames);
    d.put("outside", outside);
    d.put("max_outside", maxOutside);
    d.put("size", size);
    d.put("jpeg_quality", jpegQuality);
    d.put("min_segment_frames", minSegmentFrames);
    d.put("min_segment_score", minSegmentScore);
    d.put("max_gap", maxGap);
    d.put("subject", subject);
    d.put("max_repeated_fraction", maxRepeatedFraction);
    d.put("max_repeated_s", maxRepeatedS);
    return d;
  }
}
