package io.talkset.jobs.shards;

import io.talkset.core.curate.CurationRules;
import io.talkset.core.curate.Rule;
import io.talkset.core.shards.SpeakerSplit;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.cli.UsageException;
import io.talkset.schemas.ShardsSchemas;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of the shards stage.
 *
 * @param output dataset root: reads every stage's tables, writes OUTPUT/dataset
 * @param ratios train, val and test shares of the speakers
 * @param salt mixed into the speaker hash
 * @param audio audio table columns copied into the frame rows, in the audio table's order
 * @param shardRows rows per frames file, 0 for no limit
 * @param shardMaxBytes estimated bytes per frames file, 0 for no limit
 * @param rowGroupBytes Parquet row-group size (parquet.block.size) of every file
 * @param curation the curation rules applied to the face frames ({@code --curate} and the
 *     {@code --curate-*} limits)
 * @param windowSeconds training window length in seconds, 0 for no windows
 * @param windowHop seconds between window starts (the window length when not given)
 */
public record ShardsConfig(String output, double[] ratios, String salt, List<String> audio,
    long shardRows, long shardMaxBytes, long rowGroupBytes, CurationRules curation,
    double windowSeconds, double windowHop) implements Serializable {

  /** Rows per file of the small tables (pairs, pair_frames, clips); ~200 bytes a pair frame. */
  public static final long SMALL_TABLE_ROWS = 2_000_000;

  public static Options options() {
    Options o = new Options()
        .repeated("input", "URI", "accepted for 'talkset run'; the shards stage reads OUTPUT/")
        .value("output", "URI", null,
            "dataset root (reads every stage's tables; writes dataset/ with train/, val/, test/)")
        .value("split-ratios", "R", "0.8,0.1,0.1",
            "train,val,test shares of the speakers (by a hash of dataset and speaker)")
        .value("split-salt", "S", "talkset", "mixed into the speaker hash: another salt, another"
            + " split")
        .value("shard-audio", "COLS", "hdtf,evp",
            "audio columns copied into the frame rows: any of evp, wav2lip, hdtf, samples, or"
                + " none (wav2lip is 1280 floats a frame)")
        .value("shard-rows", "N", "0", "rows per frames file at most; 0 = no limit")
        .value("shard-max-bytes", "B", "512m",
            "estimated bytes per frames file at most (k, m, g suffixes); 0 = no limit; files"
                + " hold whole clips")
        // 32 MiB: with ~40 KB frame rows about 800 frames, one read for a PyTorch or pyarrow
        // worker; eight workers prefetching two groups each hold ~0.5 GiB. petastorm's 256 MB
        // groups proved too coarse for shuffling and worker memory (SPEC §5).
        .value("row-group-mb", "MB", "32", "Parquet row-group size in MiB (fractions allowed)");
    o.value("curate", "PRESET", "hd", "curation rules: hd (the limits below, for HD talking-head"
        + " training) or none (keep every face frame); a --curate-* option given sets its rule"
        + " on top of either");
    for (Rule r : Rule.values()) {
      o.value(r.option(), r == Rule.SEGMENT_LENGTH ? "S" : r == Rule.SYNC_RETIME ? "N" : "X",
          null, r.description()
          + ", or off (hd: " + CurationRules.number(CurationRules.defaultOf(r)) + ")");
    }
    o.value("window-seconds", "S", "0", "cut the kept frames of each segment into training"
        + " windows of S seconds (dataset/SPLIT/windows); 0 = no windows");
    o.value("window-hop", "S", null, "seconds between window starts (default: the window"
        + " length, no overlap)");
    return o;
  }

  /** Frames per training window (0: no windows). */
  public int windowFrames() {
    return windowSeconds == 0 ? 0 : io.talkset.core.curate.Windows.frames(windowSeconds);
  }

  /** Frames between window starts. */
  public int hopFrames() {
    return windowSeconds == 0 ? 0 : io.talkset.core.curate.Windows.frames(windowHop);
  }

  public static ShardsConfig from(Options.Parsed a) {
    double[] ratios;
    try {
      ratios = SpeakerSplit.parseRatios(a.get("split-ratios"));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--split-ratios: " + e.getMessage());
    }
    List<String> audio = new ArrayList<>();
    String cols = a.get("shard-audio").trim().toLowerCase(Locale.ROOT);
    if (!cols.equals("none") && !cols.isEmpty()) {
      for (String c : cols.split(",")) {
        String name = c.trim();
        if (!ShardsSchemas.AUDIO_COLUMNS.contains(name)) {
          throw new UsageException("--shard-audio: '" + name + "' is not an audio column (evp,"
              + " wav2lip, hdtf, samples) nor none");
        }
        if (!audio.contains(name)) {
          audio.add(name);
        }
      }
    }
    // The audio table's order, so the same set in any order gives the same description.
    List<String> tableOrder = List.of("evp", "wav2lip", "hdtf", "samples");
    audio.sort(java.util.Comparator.comparing(tableOrder::indexOf));
    double mb = a.doubleIn("row-group-mb", 1.0 / 16, 2048);
    double window = a.doubleIn("window-seconds", 0, 3600);
    if (window > 0 && window < 0.04) {
      throw new UsageException("--window-seconds must be 0 (no windows) or at least one frame"
          + " (0.04), got '" + a.get("window-seconds") + "'");
    }
    double hop = a.get("window-hop") == null ? window : a.doubleIn("window-hop", 0.04, 3600);
    if (window == 0 && a.get("window-hop") != null) {
      throw new UsageException("--window-hop needs --window-seconds");
    }
    return new ShardsConfig(a.require("output"), ratios, a.get("split-salt"), List.copyOf(audio),
        a.nonNegativeInt("shard-rows"), bytes("shard-max-bytes", a.get("shard-max-bytes")),
        Math.round(mb * 1024 * 1024), curation(a), window, hop);
  }

  /** The preset, then each --curate-* option given: a limit, or off. */
  static CurationRules curation(Options.Parsed a) {
    String preset = a.get("curate").trim().toLowerCase(Locale.ROOT);
    CurationRules rules = switch (preset) {
      case "hd" -> CurationRules.hd();
      case "none" -> CurationRules.none();
      default -> throw new UsageException("--curate must be hd or none, got '" + preset + "'");
    };
    for (Rule r : Rule.values()) {
      String v = a.get(r.option());
      if (v == null) {
        continue;
      }
      if (v.trim().equalsIgnoreCase("off")) {
        rules = rules.with(r, null);
        continue;
      }
      try {
        double d = Double.parseDouble(v.trim());
        if (!Double.isFinite(d) || d < 0) {
          throw new NumberFormatException();
        }
        rules = rules.with(r, d);
      } catch (NumberFormatException e) {
        throw new UsageException("--" + r.option() + " must be a number >= 0 or off, got '" + v
            + "'");
      }
    }
    return rules;
  }

  static long bytes(String option, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
      unit = switch (t.charAt(t.length() - 1)) {
        case 'k' -> 1L << 10;
        case 'm' -> 1L << 20;
        default -> 1L << 30;
      };
      t = t.substring(0, t.length() - 1);
    }
    try {
      long v = Long.parseLong(t);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return Math.multiplyExact(v, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new UsageException("--" + option + " must be 0 or a size in bytes with an optional"
          + " k, m or g suffix (e.g. 512m), got '" + text + "'");
    }
  }

  public SpeakerSplit split() {
    return new SpeakerSplit(ratios, salt);
  }

  /** Every setting, for dataset.json and the re-run digest. */
  public Map<String, Object> describe() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("split_ratios", List.of(ratios[0], ratios[1], ratios[2]));
    d.put("split_salt", salt);
    d.put("split_unit", "speaker: sha256(salt, dataset, speaker); clips without a speaker go to"
        + " train");
    d.put("audio_columns", audio);
    d.put("shard_rows", shardRows);
    d.put("shard_max_bytes", shardMaxBytes);
    d.put("row_group_bytes", rowGroupBytes);
    d.put("small_table_rows_per_file", SMALL_TABLE_ROWS);
    d.put("curation", curation.describe());
    d.put("window_seconds", windowSeconds);
    d.put("window_hop_seconds", windowHop);
    return d;
  }
}
