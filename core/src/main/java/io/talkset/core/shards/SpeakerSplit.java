package io.talkset.core.shards;

import io.talkset.core.hashing.Sha256;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Assigns speakers to the train, val and test splits. A speaker's split depends only on its own
 * key (dataset, speaker) and the salt: SHA-256 of {@code salt \n dataset \n speaker} read as a
 * number in [0, 1), then cut by the cumulative ratios. So the assignment is deterministic, a
 * speaker never moves when other speakers are added or removed, and every clip of a speaker (and
 * every pair, pairs being within one speaker) lands in the same split. The ratios hold for the
 * share of speakers in expectation, not exactly: with a handful of speakers a split can be empty.
 *
 * <p>Clips without a speaker have an unknown identity that cannot be kept out of two splits, so
 * they all go to train: val and test stay identity-clean.
 */
public final class SpeakerSplit implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  public static final List<String> NAMES = List.of("train", "val", "test");

  private final double[] ratios;
  private final String salt;

  /**
   * @param ratios train, val and test shares, each at least 0, summing to 1
   * @param salt mixed into the hash; another salt gives another (equally valid) split
   */
  public SpeakerSplit(double[] ratios, String salt) {
    if (ratios.length != NAMES.size()) {
      throw new IllegalArgumentException("expected 3 split ratios (train, val, test), got "
          + ratios.length);
    }
    double sum = 0;
    for (double r : ratios) {
      if (!(r >= 0 && r <= 1)) {
        throw new IllegalArgumentException("split ratios must lie in [0, 1], got " + r);
      }
      sum += r;
    }
    if (Math.abs(sum - 1) > 1e-6) {
      throw new IllegalArgumentException("split ratios must sum to 1, got " + sum);
    }
    this.ratios = ratios.clone();
    this.salt = salt;
  }

  /** Parses {@code "0.8,0.1,0.1"}; errors name the text and what was expected. */
  public static double[] parseRatios(String text) {
    String[] parts = text.split(",");
    if (parts.length != 3) {
      throw new IllegalArgumentException("expected three ratios train,val,test such as"
          + " 0.8,0.1,0.1, got '" + text + "'");
    }
    double[] r = new double[3];
    for (int i = 0; i < 3; i++) {
      try {
        r[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + parts[i].trim() + "' in '" + text
            + "' is not a number");
      }
    }
    new SpeakerSplit(r, "");
    return r;
  }

  public double[] ratios() {
    return ratios.clone();
  }

  public String salt() {
    return salt;
  }

  /** The speaker's position in [0, 1): uniform over speakers, fixed for a salt. */
  public double position(String dataset, String speaker) {
    byte[] d = Sha256.of(salt + "\n" + (dataset == null ? "" : dataset) + "\n" + speaker);
    long bits = 0;
    for (int i = 0; i < 8; i++) {
      bits = (bits << 8) | (d[i] & 0xff);
    }
    return (bits >>> 11) * 0x1.0p-53;
  }

  /** train, val or test; train for a clip without a speaker. */
  public String splitOf(String dataset, String speaker) {
    if (speaker == null || speaker.isBlank()) {
      return NAMES.get(0);
    }
    double p = position(dataset, speaker);
    double edge = 0;
    for (int i = 0; i < ratios.length; i++) {
      edge += ratios[i];
      if (p < edge && ratios[i] > 0) {
        return NAMES.get(i);
      }
    }
    // Rounding at the top edge: the last split with a share.
    for (int i = ratios.length - 1; i >= 0; i--) {
      if (ratios[i] > 0) {
        return NAMES.get(i);
      }
    }
    throw new IllegalStateException("no split has a share");
  }

  /** A speaker of a dataset, as the split sees it. */
  public record Speaker(String dataset, String speaker) implements java.io.Serializable {
    @Override
    public String toString() {
      return (dataset == null ? "" : dataset) + "/" + speaker;
    }
  }

  /**
   * Every speaker's split, and what a user must know about it.
   *
   * @param splits each speaker's split
   * @param warnings plain sentences: a speaker moved to train, splits left empty and why
   */
  public record Assignment(Map<Speaker, String> splits, List<String> warnings) {}

  /**
   * The splits of a whole set of speakers: each speaker by its hash ({@link #splitOf}), except
   * that train is never left empty while a speaker exists: when no speaker hashes into it (one
   * speaker, as a flat generic folder gives, lands in val or test with probability 0.2 under the
   * default ratios), the speaker with the lowest position moves to train. Only that case
   * depends on the other speakers; every speaker still sits in exactly one split, so the splits
   * stay identity-clean. Splits with a share but no speaker are named in the warnings.
   */
  public Assignment assign(java.util.Collection<Speaker> speakers) {
    Map<Speaker, String> out = new java.util.TreeMap<>(java.util.Comparator
        .comparing((Speaker k) -> k.dataset() == null ? "" : k.dataset())
        .thenComparing(Speaker::speaker));
    for (Speaker k : speakers) {
      out.put(k, splitOf(k.dataset(), k.speaker()));
    }
    List<String> warnings = new ArrayList<>();
    String train = NAMES.get(0);
    if (ratios[0] > 0 && !out.isEmpty() && !out.containsValue(train)) {
      Speaker lowest = null;
      for (Speaker k : out.keySet()) {
        if (lowest == null || position(k.dataset(), k.speaker())
            < position(lowest.dataset(), lowest.speaker())) {
          lowest = k;
        }
      }
      warnings.add(String.format(Locale.ROOT, "no speaker hashed into train: %s (the lowest"
          + " hash position) moved from %s to train, so train is not empty", lowest,
          out.get(lowest)));
      out.put(lowest, train);
    }
    List<String> empty = new ArrayList<>();
    int withShare = 0;
    for (int i = 0; i < NAMES.size(); i++) {
      if (ratios[i] > 0) {
        withShare++;
        if (!out.containsValue(NAMES.get(i))) {
          empty.add(NAMES.get(i));
        }
      }
    }
    if (!out.isEmpty() && !empty.isEmpty()) {
      warnings.add(String.format(Locale.ROOT, "%s %s no speaker: %d speaker(s) for %d splits"
          + " with a share (%s); the ratios are shares of many speakers, so with few a split"
          + " stays empty. Splits are by speaker so that no identity is in two of them: give a"
          + " generic collection one folder per speaker, or map clips to speakers with crawl"
          + " --speakers", String.join(" and ", empty), empty.size() == 1 ? "has" : "have",
          out.size(), withShare, describe()));
    }
    return new Assignment(out, warnings);
  }

  public String describe() {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < ratios.length; i++) {
      parts.add(String.format(Locale.ROOT, "%s=%s", NAMES.get(i), ratios[i]));
    }
    return String.join(",", parts);
  }
}
