package io.talkset.jobs.pairs;

import io.talkset.core.pairs.Dtw;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.cli.RetryOptions;
import io.talkset.jobs.cli.UsageException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of the pairs stage.
 *
 * @param output dataset root: reads OUTPUT/clips, audio, audio_clips; writes OUTPUT/pairs
 * @param referenceEmotion the emotion every other one is warped onto
 * @param referenceIntensity the reference clips' intensity, or empty for any
 * @param sentenceKeys URI of a CSV mapping (clip id or path, sentence key), or empty
 * @param features audio table column compared: hdtf, evp or wav2lip
 * @param bandRadius band radius in frames, or -1 (full matrix or a fraction)
 * @param bandFraction band radius as a fraction of the shorter clip, or NaN
 * @param retryFailed align a pair whose latest row is failed again when its cause may be gone
 *     (its clips' audio is now ok, or an internal error)
 */
public record PairsConfig(String output, String referenceEmotion, String referenceIntensity,
    String sentenceKeys, String features, Dtw.Metric metric, Dtw.Normalization normalization,
    int bandRadius, double bandFraction, Dtw.MapChoice map, int partitions,
    boolean retryFailed) implements Serializable {

  public static Options options() {
    return RetryOptions.addRetryFailed(new Options()
        .value("output", "URI", null,
            "dataset root (reads clips/, audio/, audio_clips/; writes pairs/)")
        .value("reference-emotion", "E", "neutral",
            "emotion every other one is warped onto (EVP used angry)")
        .value("reference-intensity", "I", "",
            "intensity of the reference clips (e.g. 3 for MEAD level_3); empty: any")
        .value("sentence-keys", "URI", "",
            "CSV of 'clip,sentence_key' (clip id or path suffix), overriding the layout's key;"
                + " needed for MEAD")
        .value("pair-features", "F", "hdtf",
            "audio table column compared per 25 fps frame: hdtf (60), evp (336) or wav2lip"
                + " (1280), flattened")
        .value("dtw-metric", "M", "l2", "frame distance: l1, l2 or cosine")
        .value("dtw-normalization", "N", "mean-variance",
            "per-clip normalization of each dimension: none, mean or mean-variance")
        .value("dtw-band", "B", "0.25",
            "Sakoe-Chiba band: full, a radius in frames (integer) or a fraction of the shorter"
                + " clip (e.g. 0.25, librosa's band_rad)")
        .value("dtw-map", "C", "median",
            "reference_map frame when a reference frame maps to several: first, median or last")
        .value("partitions", "N", "0", "tasks; 0 = four per core"));
  }

  public static PairsConfig from(Options.Parsed a) {
    String emotion = a.get("reference-emotion").trim().toLowerCase(Locale.ROOT);
    if (emotion.isEmpty()) {
      throw new UsageException("--reference-emotion must name an emotion (e.g. neutral, angry)");
    }
    String features = a.get("pair-features").trim().toLowerCase(Locale.ROOT);
    if (!features.equals("hdtf") && !features.equals("evp") && !features.equals("wav2lip")) {
      throw new UsageException("--pair-features must be hdtf, evp or wav2lip, got '" + features
          + "'");
    }
    String band = a.get("dtw-band").trim().toLowerCase(Locale.ROOT);
    int radius = -1;
    double fraction = Double.NaN;
    try {
      if (band.matches("\\d+")) {
        radius = Integer.parseInt(band);
      } else if (!band.equals("full")) {
        fraction = Double.parseDouble(band);
        if (!(fraction > 0 && fraction <= 1)) {
          throw new NumberFormatException();
        }
      }
    } catch (NumberFormatException e) {
      throw new UsageException("--dtw-band must be full, a radius in frames (integer >= 0) or"
          + " a fraction in (0, 1] of the shorter clip, got '" + band + "'");
    }
    return new PairsConfig(a.require("output"), emotion, a.get("reference-intensity").trim(),
        a.get("sentence-keys").trim(), features, a.choice("dtw-metric", Dtw.Metric.class),
        a.choice("dtw-normalization", Dtw.Normalization.class), radius, fraction,
        a.choice("dtw-map", Dtw.MapChoice.class), a.nonNegativeInt("partitions"),
        RetryOptions.from(a));
  }

  public Dtw.Band band() {
    if (bandRadius >= 0) {
      return Dtw.Band.frames(bandRadius);
    }
    return Double.isNaN(bandFraction) ? Dtw.Band.full() : Dtw.Band.fraction(bandFraction);
  }

  public Dtw.Params dtw() {
    return new Dtw.Params(metric, normalization, band(), map);
  }

  public Map<String, Object> describe() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("reference_emotion", referenceEmotion);
    d.put("reference_intensity", referenceIntensity.isEmpty() ? null : referenceIntensity);
    d.put("sentence_keys", sentenceKeys.isEmpty() ? null : sentenceKeys);
    d.put("features", features);
    d.putAll(dtw().describe());
    return d;
  }
}
