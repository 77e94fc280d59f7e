package io.talkset.core.shards;

import io.talkset.core.hashing.Sha256;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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

  public String describe() {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < ratios.length; i++) {
      parts.add(String.format(Locale.ROOT, "%s=%s", NAMES.get(i), ratios[i]));
    }
    return String.join(",", parts);
  }
}
