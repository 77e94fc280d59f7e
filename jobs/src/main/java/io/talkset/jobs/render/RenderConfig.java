package io.talkset.jobs.render;

import io.talkset.jobs.cli.Options;
import io.talkset.jobs.cli.UsageException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of the render job.
 *
 * @param output dataset root (reads clips/, frames/, frames_clips/)
 * @param renderOutput folder the videos go to (default OUTPUT/renders)
 * @param clips how many ok clips of the frames table, by clip id order; 0: all
 * @param size output width and height in pixels
 * @param maxFrames frames 0 .. N-1 of each clip only; 0: the whole clip
 */
public record RenderConfig(String output, String renderOutput, int clips, int size,
    int maxFrames, long timeoutMillis, int partitions) implements Serializable {

  public static Options options() {
    return new Options()
        .value("output", "URI", null, "dataset root whose face crops are rendered")
        .value("render-output", "URI", "",
            "folder for CLIP_ID.mp4 files (default OUTPUT/renders); files of the same names are"
                + " replaced, others left alone")
        .value("render-clips", "N", "3",
            "render the first N ok clips of the frames table by clip id; 0: every ok clip")
        .value("render-size", "PX", "256", "width and height of the videos (even)")
        .value("render-max-frames", "N", "0",
            "only the clip's first N frames (frame_index < N), e.g. for a quick look or a"
                + " short evaluation; 0: every frame")
        .value("render-timeout-ms", "MS", "3600000", "per clip limit for decoding its audio")
        .value("partitions", "N", "0", "tasks; 0 = four per core");
  }

  public static RenderConfig from(Options.Parsed a) {
    String output = a.require("output");
    String render = a.get("render-output").trim();
    if (render.isEmpty()) {
      render = output.replaceAll("/+$", "") + "/renders";
    }
    int size = a.intIn("render-size", 16, 4096);
    if (size % 2 != 0) {
      throw new UsageException("--render-size must be even (H.264 in yuv420p), got " + size);
    }
    return new RenderConfig(output, render, a.intIn("render-clips", 0, 1_000_000), size,
        a.nonNegativeInt("render-max-frames"),
        a.positiveLong("render-timeout-ms"), a.nonNegativeInt("partitions"));
  }

  public Map<String, Object> describe() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("dataset", output);
    d.put("clips", clips);
    d.put("size", size);
    d.put("max_frames", maxFrames);
    d.put("video", "H.264 (OpenH264) yuv420p, 25 fps, frame i = frames.frame_index i; frames"
        + " without a crop repeat the previous crop (the first crop before it)");
    d.put("audio", "the clip's audio at 16 kHz mono as the audio stage aligns it (sample 0 at"
        + " frame 0), AAC");
    return d;
  }
}
