package io.talkset.core.pairs;

import io.talkset.core.datasets.ClipMapping;
import io.talkset.core.datasets.Transcripts;
import io.talkset.core.hashing.Sha256;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Plans EVP's emotion pseudo-pairs from clip metadata: clips are grouped by (dataset, speaker,
 * sentence key, camera view); in each group every reference clip (the reference emotion, and the
 * reference intensity when one is set) is paired with every other clip that has an emotion. With
 * no reference intensity, clips of the reference emotion at other intensities are references too
 * (not pairs); with one, they are paired like any other emotion.
 *
 * <p>The sentence key comes from a {@link SentenceKeys} mapping when it names the clip (MEAD's
 * file numbers differ across emotions, SPEC §4), else from the layout (RAVDESS vocal channel and
 * statement, CREMA-D sentence code), else from the clip's transcript ({@link
 * Transcripts#sentenceKey}): an explicit mapping overrides everything, a dataset's own
 * sentence codes are exact, free text is the fallback. Clips with no key or no emotion cannot
 * be paired and are returned apart. The order of pairs depends only on the metadata: groups by
 * key, references by (intensity, take, clip id), others by (emotion, intensity, take, clip id).
 */
public final class PairPlanner {

  /**
   * What the planner needs of a clip ({@code clips} manifest columns).
   *
   * @param path the clip's canonical path, matched against the mapping file
   * @param transcript the clip's transcript (clips.transcript), or null
   */
  public record Clip(String clipId, String path, String dataset, String speaker, String emotion,
      String intensity, String sentenceKey, String view, String take, String transcript) {
    public Clip {
      Objects.requireNonNull(clipId, "clipId");
    }

    /** A clip without a transcript. */
    public Clip(String clipId, String path, String dataset, String speaker, String emotion,
        String intensity, String sentenceKey, String view, String take) {
      this(clipId, path, dataset, speaker, emotion, intensity, sentenceKey, view, take, null);
    }
  }

  /**
   * One planned pair.
   *
   * @param pairId {@link #pairId} of the two clips
   * @param keySource where the sentence key came from: {@code layout}, {@code mapping} or
   *     {@code transcript}
   */
  public record Pair(String pairId, String dataset, String speaker, String sentenceKey,
      String keySource, String view, Clip reference, Clip other) {}

  /**
   * The plan.
   *
   * @param pairs every pair, in the planner's order
   * @param unpairable clips left out: no sentence key or no emotion
   * @param groups groups (dataset, speaker, sentence key, view) seen
   * @param groupsWithoutReference groups that have no reference clip, hence no pairs
   */
  public record Plan(List<Pair> pairs, List<Clip> unpairable, int groups,
      int groupsWithoutReference) {}

  private final String referenceEmotion;
  private final String referenceIntensity;

  /**
   * @param referenceEmotion the emotion every other one is warped onto (neutral by default; EVP
   *     used angry), in the manifest's vocabulary
   * @param referenceIntensity the reference clips' intensity, or null for any
   */
  public PairPlanner(String referenceEmotion, String referenceIntensity) {
    if (referenceEmotion == null || referenceEmotion.isBlank()) {
      throw new IllegalArgumentException("reference emotion must be set, got '"
          + referenceEmotion + "'");
    }
    this.referenceEmotion = norm(referenceEmotion);
    this.referenceIntensity = referenceIntensity == null || referenceIntensity.isBlank() ? null
        : referenceIntensity.trim();
  }

  public String referenceEmotion() {
    return referenceEmotion;
  }

  public String referenceIntensity() {
    return referenceIntensity;
  }

  /** Plans the pairs of {@code clips}, sentence keys from {@code keys} first, then the layout. */
  public Plan plan(List<Clip> clips, SentenceKeys keys) {
    Map<List<String>, List<Clip>> groups = new TreeMap<>(PairPlanner::compareKeys);
    Map<String, String> sourceOf = new HashMap<>();
    List<Clip> unpairable = new ArrayList<>();
    List<Clip> sorted = new ArrayList<>(clips);
    sorted.sort(Comparator.comparing(Clip::clipId));
    for (Clip c : sorted) {
      String mapped = keys == null ? null : keys.lookup(c.clipId(), c.path());
      String source = mapped != null ? "mapping" : "layout";
      String key = mapped != null ? mapped : c.sentenceKey();
      if (key == null || key.isBlank()) {
        key = Transcripts.sentenceKey(c.transcript());
        source = "transcript";
      }
      if (key == null || key.isBlank() || c.emotion() == null || c.emotion().isBlank()) {
        unpairable.add(c);
        continue;
      }
      List<String> g = java.util.Arrays.asList(c.dataset(), c.speaker(), key, c.view());
      groups.computeIfAbsent(g, k -> new ArrayList<>()).add(c);
      sourceOf.put(c.clipId(), source);
    }
    List<Pair> pairs = new ArrayList<>();
    int without = 0;
    Comparator<Clip> refOrder = Comparator.comparing(Clip::intensity, PairPlanner::compareNull)
        .thenComparing(Clip::take, PairPlanner::compareNull).thenComparing(Clip::clipId);
    Comparator<Clip> otherOrder = Comparator.comparing((Clip c) -> norm(c.emotion()))
        .thenComparing(refOrder);
    for (Map.Entry<List<String>, List<Clip>> e : groups.entrySet()) {
      List<Clip> refs = new ArrayList<>();
      List<Clip> others = new ArrayList<>();
      for (Clip c : e.getValue()) {
        boolean refEmotion = norm(c.emotion()).equals(referenceEmotion);
        if (refEmotion && (referenceIntensity == null
            || referenceIntensity.equals(c.intensity()))) {
          refs.add(c);
        } else if (!refEmotion || referenceIntensity != null) {
          others.add(c);
        }
      }
      if (refs.isEmpty()) {
        without++;
        continue;
      }
      refs.sort(refOrder);
      others.sort(otherOrder);
      List<String> k = e.getKey();
      for (Clip r : refs) {
        for (Clip o : others) {
          // A mapping on either side makes the pair's key a mapping key, else a transcript on
          // either side a transcript key.
          String source = pairSource(sourceOf.get(r.clipId()), sourceOf.get(o.clipId()));
          pairs.add(new Pair(pairId(r.clipId(), o.clipId()), k.get(0), k.get(1), k.get(2),
              source, k.get(3), r, o));
        }
      }
    }
    return new Plan(pairs, unpairable, groups.size(), without);
  }

  /**
   * A pair's id: the first 32 hex digits of SHA-256 of {@code "reference_id/other_id"}, so the
   * same two clips in the same roles give the same id in every run.
   */
  public static String pairId(String referenceClipId, String otherClipId) {
    return Sha256.hex(referenceClipId + "/" + otherClipId).substring(0, 32);
  }

  private static String pairSource(String a, String b) {
    for (String s : List.of("mapping", "transcript")) {
      if (s.equals(a) || s.equals(b)) {
        return s;
      }
    }
    return "layout";
  }

  private static String norm(String s) {
    return s.trim().toLowerCase(Locale.ROOT);
  }

  private static int compareNull(String a, String b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    return a.compareTo(b);
  }

  private static int compareKeys(List<String> a, List<String> b) {
    for (int i = 0; i < a.size(); i++) {
      int c = compareNull(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /**
   * A user's sentence keys: CSV lines {@code clip,sentence_key} ({@link ClipMapping}), where
   * {@code clip} is a clip id or a path; the longest matching path wins.
   */
  public static final class SentenceKeys {
    private final ClipMapping mapping;

    private SentenceKeys(ClipMapping mapping) {
      this.mapping = mapping;
    }

    public static SentenceKeys empty() {
      return new SentenceKeys(ClipMapping.empty());
    }

    public int size() {
      return mapping.size();
    }

    /** Parses the mapping; errors name the source, the line and what was expected. */
    public static SentenceKeys parse(String source, List<String> lines) {
      return new SentenceKeys(ClipMapping.parse(source, "sentence_key", lines));
    }

    /** The key for a clip, by id, then by its path's longest matching suffix; else null. */
    public String lookup(String clipId, String path) {
      return mapping.lookup(clipId, path);
    }
  }
}
