package io.talkset.core.curate;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The limits of the curation rules that are on; a rule without a limit is off. Immutable.
 * {@link #hd()} holds the defaults an HD talking-head trainer (512 px crops, lip sync) would pick;
 * {@link #none()} keeps every frame.
 */
public final class CurationRules implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The {@code hd} preset; see the README's "Curation" section for why each value. */
  private static final Map<Rule, Double> HD = Map.ofEntries(
      Map.entry(Rule.SYNC_OFFSET, 2.0),
      Map.entry(Rule.SYNC_CONFIDENCE, 0.1),
      Map.entry(Rule.SYNC_RETIME, 5.0),
      Map.entry(Rule.IDENTITY, 0.5),
      Map.entry(Rule.FACE_SIZE, 128.0),
      Map.entry(Rule.UPSCALE, 2.0),
      Map.entry(Rule.SHARPNESS, 50.0),
      Map.entry(Rule.YAW, 30.0),
      Map.entry(Rule.PITCH, 25.0),
      Map.entry(Rule.OUTSIDE, 0.05),
      Map.entry(Rule.FACES, 1.0),
      Map.entry(Rule.SEGMENT_LENGTH, 2.0));

  private final EnumMap<Rule, Double> limits;

  private CurationRules(EnumMap<Rule, Double> limits) {
    this.limits = limits;
  }

  /** Every rule at its HD default. */
  public static CurationRules hd() {
    return new CurationRules(new EnumMap<>(HD));
  }

  /** Every rule off: every frame is kept. */
  public static CurationRules none() {
    return new CurationRules(new EnumMap<>(Rule.class));
  }

  /** The HD default of a rule. */
  public static double defaultOf(Rule rule) {
    return HD.get(rule);
  }

  /**
   * A copy with {@code rule} at {@code limit}, or off when {@code limit} is null (or 0 for
   * {@link Rule#SYNC_RETIME}: re-timing by at most 0 frames re-times nothing).
   */
  public CurationRules with(Rule rule, Double limit) {
    EnumMap<Rule, Double> m = new EnumMap<>(Rule.class);
    m.putAll(limits);
    if (limit == null || (rule == Rule.SYNC_RETIME && limit == 0)) {
      m.remove(rule);
    } else {
      if (!Double.isFinite(limit) || limit < 0) {
        throw new IllegalArgumentException(rule.label() + ": limit must be a finite number >= 0,"
            + " got " + limit);
      }
      m.put(rule, limit);
    }
    return new CurationRules(m);
  }

  public boolean on(Rule rule) {
    return limits.containsKey(rule);
  }

  /** The rule's limit; only for a rule that is on. */
  public double limit(Rule rule) {
    Double v = limits.get(rule);
    if (v == null) {
      throw new IllegalStateException(rule.label() + " is off");
    }
    return v;
  }

  /** Whether any rule is on. */
  public boolean any() {
    return !limits.isEmpty();
  }

  /** Frames a run of kept frames needs at 25 fps to stay (at least 1). */
  public int minRunFrames() {
    return on(Rule.SEGMENT_LENGTH)
        ? Math.max(1, (int) Math.ceil(limit(Rule.SEGMENT_LENGTH) * 25 - 1e-9)) : 1;
  }

  /** Each rule in order: its option, limit (or "off"), level and meaning, for dataset.json. */
  public Map<String, Object> describe() {
    Map<String, Object> d = new LinkedHashMap<>();
    for (Rule r : Rule.values()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("option", "--" + r.option());
      one.put("limit", on(r) ? limits.get(r) : "off");
      one.put("level", r.level().label());
      one.put("meaning", r.description());
      d.put(r.label(), one);
    }
    return d;
  }

  /** A limit as people write it: 2 rather than 2.0, 0.05 rather than 5.0E-2. */
  public static String number(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CurationRules c && c.limits.equals(limits);
  }

  @Override
  public int hashCode() {
    return limits.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    limits.forEach((r, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(r.label())
        .append(' ').append(number(v)));
    return sb.length() == 0 ? "none" : sb.toString();
  }
}
