package io.talkset.jobs.eval;

import io.talkset.jobs.cli.Options;
import io.talkset.jobs.cli.UsageException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of the evaluation job.
 *
 * @param generated URI of the generated videos (a folder, searched recursively, or a glob);
 *     empty: nothing to evaluate (talkset run skips the job)
 * @param output dataset root the videos were generated from (reads clips/, frames/)
 * @param evalOutput where the eval_* tables and index.html go (default OUTPUT/evaluation)
 * @param identityEvery identity descriptors on every N-th compared frame
 * @param bins about how many bins a histogram on the page gets
 */
public record EvalConfig(String generated, String output, String evalOutput, String models,
    int identityEvery, int maxLag, int minFrames, double silenceRms, long timeoutMillis,
    int partitions, int bins) implements Serializable {

  public static Options options() {
    return new Options()
        .value("generated", "URI", "",
            "generated videos to score (folder, searched recursively, or glob); matched to"
                + " clips by a clip id in the file name or by the clip's file base name; empty:"
                + " talkset run skips the evaluation")
        .value("output", "URI", null, "dataset root the videos were generated from")
        .value("eval-output", "URI", "",
            "where eval_frames/, eval_clips/, eval_summary/ and index.html go (default"
                + " OUTPUT/evaluation)")
        .value("models", "DIR", io.talkset.jobs.runtime.Devices.defaultModelsDir(),
            "folder of the pinned models (bin/fetch-models; TALKSET_MODELS)")
        .value("eval-identity-every", "N", "5",
            "identity descriptors (generated and real) on every N-th compared frame")
        .value("sync-max-lag", "N", "15", "audio offsets searched: -N .. N frames at 25 fps")
        .value("sync-min-frames", "N", "100",
            "segments with fewer landmark frames get no estimate (status rejected, too_short)")
        .value("sync-silence-rms", "R", "0.003",
            "segments whose loudest 40 ms frame has a lower RMS (full scale 1) are silent")
        .value("eval-timeout-ms", "MS", "3600000", "per generated video limit")
        .value("partitions", "N", "0", "tasks; 0 = four per core")
        .value("eval-bins", "N", "30", "about how many bins per histogram on index.html");
  }

  public static EvalConfig from(Options.Parsed a) {
    String output = a.require("output");
    String eval = a.get("eval-output").trim();
    if (eval.isEmpty()) {
      eval = output.replaceAll("/+$", "") + "/evaluation";
    }
    // The evaluation root is swapped in as one folder beside its staging copy: it needs a
    // parent and a plain name.
    org.apache.hadoop.fs.Path evalPath = new org.apache.hadoop.fs.Path(eval);
    try {
      if (evalPath.getParent() == null) {
        throw new IllegalArgumentException("--eval-output must be a folder below a parent, got '"
            + eval + "'");
      }
      io.talkset.jobs.io.OutputNames.segment("--eval-output's folder name", evalPath.getName());
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    String generated = a.get("generated").trim();
    if (!generated.isEmpty() && generated.replaceAll("/+$", "").equals(
        eval.replaceAll("/+$", ""))) {
      throw new UsageException("--generated and --eval-output must differ (the job replaces"
          + " what is under --eval-output)");
    }
    return new EvalConfig(generated, output, eval, a.get("models"),
        a.intIn("eval-identity-every", 1, 100_000), a.intIn("sync-max-lag", 1, 250),
        a.intIn("sync-min-frames", 3, 1_000_000), a.doubleIn("sync-silence-rms", 0, 1),
        a.positiveLong("eval-timeout-ms"), a.nonNegativeInt("partitions"),
        a.intIn("eval-bins", 2, 200));
  }

  public Map<String, Object> describe() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("generated", generated);
    d.put("dataset", output);
    d.put("comparison", "generated frame i vs the clip's crop of frame i, at the generated"
        + " size (real crop resized: area when shrinking, bicubic when enlarging)");
    d.put("ssim", "scikit-image Gaussian (sigma 1.5, K1 0.01, K2 0.03) per RGB channel");
    d.put("psnr", "RGB, data range 255");
    d.put("cpbd", "Narvekar & Karam 2011");
    d.put("landmarks", "face-api 68 points on both pictures, seeded by the real frame's face"
        + " box");
    d.put("identity", "face-api 128-d descriptors, every " + identityEvery + " frames");
    d.put("frechet", "Frechet distance of generated vs real descriptor sets (FID's formula on"
        + " face-api descriptors, not Inception features)");
    d.put("sync_max_lag", maxLag);
    d.put("sync_min_frames", minFrames);
    d.put("sync_silence_rms", silenceRms);
    return d;
  }
}
