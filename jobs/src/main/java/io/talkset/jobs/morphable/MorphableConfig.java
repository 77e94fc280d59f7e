package io.talkset.jobs.morphable;

import io.talkset.jobs.cli.Options;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of the morphable job.
 *
 * @param output dataset root: reads face_params (mesh) of ok clips; writes OUTPUT/morphable
 *     (the model, unless {@code basis} is given) and OUTPUT/face_morphable
 * @param idComponents identity basis size; 0 = the fewest explaining {@code variance}, at most
 *     {@link #MAX_ID}
 * @param expComponents expression basis size; 0 = likewise, at most {@link #MAX_EXP}
 * @param variance fraction of variance the default sizes explain
 * @param basis an existing model folder to apply instead of learning one; null to learn
 * @param iterations at most this many generalized Procrustes passes
 * @param tolerance stop when the mean shape moves less (RMS per point, model units)
 * @param fitIterations alternations of pose and coefficients per frame
 */
public record MorphableConfig(String output, int idComponents, int expComponents,
    double variance, String basis, int iterations, double tolerance, int fitIterations,
    int partitions) implements Serializable {
  /** Deep3DFaceRecon's BFM sizes, the convention downstream models expect at most. */
  public static final int MAX_ID = 80;
  public static final int MAX_EXP = 64;

  public static Options options() {
    return new Options()
        .value("output", "URI", null,
            "dataset root (reads face_params/ meshes of ok clips; writes morphable/,"
                + " face_morphable/)")
        .value("id-components", "N", "0",
            "identity basis size; 0 = fewest explaining --variance, at most " + MAX_ID)
        .value("exp-components", "N", "0",
            "expression basis size; 0 = fewest explaining --variance, at most " + MAX_EXP)
        .value("variance", "F", "0.99", "fraction of variance the default sizes explain")
        .value("basis", "URI", null,
            "apply this model folder (another dataset's OUTPUT/morphable) instead of learning"
                + " one, so coefficients are comparable across datasets")
        .value("gpa-iterations", "N", "5", "generalized Procrustes passes at most")
        .value("fit-iterations", "N", "10", "pose/coefficient alternations per frame")
        .value("partitions", "N", "0", "tasks; 0 = as the input is split");
  }

  public static MorphableConfig from(Options.Parsed a) {
    return new MorphableConfig(a.require("output"), a.intIn("id-components", 0, MAX_ID),
        a.intIn("exp-components", 0, MAX_EXP), a.doubleIn("variance", 0.5, 1),
        a.get("basis"), a.intIn("gpa-iterations", 1, 100), 1e-6,
        a.intIn("fit-iterations", 1, 100), a.nonNegativeInt("partitions"));
  }

  public Map<String, Object> describe() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("id_components", idComponents == 0 ? "auto" : idComponents);
    d.put("exp_components", expComponents == 0 ? "auto" : expComponents);
    d.put("variance", variance);
    d.put("max_id_components", MAX_ID);
    d.put("max_exp_components", MAX_EXP);
    d.put("basis", basis);
    d.put("gpa_iterations", iterations);
    d.put("gpa_tolerance", tolerance);
    d.put("fit_iterations", fitIterations);
    return d;
  }
}
