package io.talkset.core.pairs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.datasets.ClipMetadata;
import io.talkset.core.datasets.DatasetLayouts;
import io.talkset.core.pairs.PairPlanner.Clip;
import io.talkset.core.pairs.PairPlanner.Pair;
import io.talkset.core.pairs.PairPlanner.Plan;
import io.talkset.core.pairs.PairPlanner.SentenceKeys;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class PairPlannerTest {

  /** A clip as the crawl records it: metadata from the real layout parser. */
  static Clip clip(String path) {
    ClipMetadata m = DatasetLayouts.parse(path);
    String id = "id-" + path.substring(path.lastIndexOf('/') + 1) + "-" + path.hashCode();
    return new Clip(id, path, m.dataset(), m.speaker(), m.emotion(), m.intensity(),
        m.sentenceKey(), m.view(), m.take());
  }

  static List<String> names(Plan p) {
    List<String> out = new ArrayList<>();
    for (Pair x : p.pairs()) {
      out.add(tail(x.reference().path()) + " > " + tail(x.other().path()));
    }
    return out;
  }

  static String tail(String p) {
    String[] s = p.split("/");
    // MEAD numbers repeat across folders: keep emotion/level/number there.
    return !p.startsWith("/mead/") ? s[s.length - 1]
        : String.join("/", List.of(s).subList(s.length - 3, s.length));
  }

  @Test
  void ravdessPairsNeutralWithEveryOtherEmotionAndIntensityOfTheSameStatement() {
    List<Clip> clips = List.of(
        clip("/d/Actor_01/03-01-01-01-01-01-01.wav"), // neutral, statement 1, rep 1
        clip("/d/Actor_01/03-01-01-01-01-02-01.wav"), // neutral, statement 1, rep 2
        clip("/d/Actor_01/03-01-05-01-01-01-01.wav"), // angry normal, statement 1
        clip("/d/Actor_01/03-01-05-02-01-01-01.wav"), // angry strong, statement 1
        clip("/d/Actor_01/03-01-03-01-02-01-01.wav"), // happy, statement 2: no neutral there
        clip("/d/Actor_02/03-01-05-01-01-01-02.wav")); // another actor
    Plan p = new PairPlanner("neutral", null).plan(clips, SentenceKeys.empty());
    assertEquals(List.of(
        "03-01-01-01-01-01-01.wav > 03-01-05-01-01-01-01.wav",
        "03-01-01-01-01-01-01.wav > 03-01-05-02-01-01-01.wav",
        "03-01-01-01-01-02-01.wav > 03-01-05-01-01-01-01.wav",
        "03-01-01-01-01-02-01.wav > 03-01-05-02-01-01-01.wav"), names(p));
    Pair first = p.pairs().get(0);
    assertEquals("ravdess", first.dataset());
    assertEquals("Actor_01", first.speaker());
    assertEquals("speech-01", first.sentenceKey());
    assertEquals("layout", first.keySource());
    assertEquals("strong", p.pairs().get(1).other().intensity());
    assertEquals(3, p.groups());
    assertEquals(2, p.groupsWithoutReference());
  }

  @Test
  void cremaDGroupsBySentenceCodeWithAngryAsReference() {
    List<Clip> clips = new ArrayList<>(List.of(
        clip("/c/1001_IEO_NEU_XX.flv"), clip("/c/1001_IEO_ANG_HI.flv"),
        clip("/c/1001_IEO_ANG_LO.flv"), clip("/c/1001_IEO_SAD_MD.flv"),
        clip("/c/1001_DFA_ANG_XX.flv"), clip("/c/1002_IEO_HAP_HI.flv")));
    Plan p = new PairPlanner("angry", null).plan(clips, SentenceKeys.empty());
    // Angry HI and LO are both references; neither is paired with the other.
    assertEquals(List.of(
        "1001_IEO_ANG_HI.flv > 1001_IEO_NEU_XX.flv", "1001_IEO_ANG_HI.flv > 1001_IEO_SAD_MD.flv",
        "1001_IEO_ANG_LO.flv > 1001_IEO_NEU_XX.flv", "1001_IEO_ANG_LO.flv > 1001_IEO_SAD_MD.flv"),
        names(p));
    // A reference intensity makes the other angry clips pairs of their own.
    Plan hi = new PairPlanner("ANGRY", "high").plan(clips, SentenceKeys.empty());
    assertEquals(List.of(
        "1001_IEO_ANG_HI.flv > 1001_IEO_ANG_LO.flv", "1001_IEO_ANG_HI.flv > 1001_IEO_NEU_XX.flv",
        "1001_IEO_ANG_HI.flv > 1001_IEO_SAD_MD.flv"), names(hi));
    // The order does not depend on the input order.
    Collections.reverse(clips);
    assertEquals(names(hi), names(new PairPlanner("angry", "high").plan(clips, null)));
  }

  @Test
  void meadNeedsAMappingAndPairsOnlyWithinACameraView() {
    String root = "/mead/M003/video/";
    List<Clip> clips = List.of(
        clip(root + "front/neutral/level_1/001.mp4"),
        clip(root + "front/angry/level_3/017.mp4"), // same sentence as neutral 001
        clip(root + "front/angry/level_1/012.mp4"), // same sentence as neutral 001
        clip(root + "front/happy/level_2/001.mp4"), // a different sentence, same number
        clip(root + "left_30/neutral/level_1/001.mp4"),
        clip(root + "left_30/angry/level_3/017.mp4"),
        clip("/mead/M003/audio/angry/level_3/017.m4a"),
        clip("/mead/M003/audio/neutral/level_1/001.m4a"));
    Plan none = new PairPlanner("neutral", null).plan(clips, SentenceKeys.empty());
    assertTrue(none.pairs().isEmpty(), "MEAD's layout gives no sentence key");
    assertEquals(clips.size(), none.unpairable().size());

    SentenceKeys keys = SentenceKeys.parse("mead.csv", List.of(
        "clip,sentence_key",
        "# M003, sentence s01",
        "M003/video/front/neutral/level_1/001.mp4,s01",
        "front/angry/level_3/017.mp4,s01",
        "\"M003/video/front/angry/level_1/012.mp4\",s01",
        "M003/video/front/happy/level_2/001.mp4,s07",
        "left_30/neutral/level_1/001.mp4,s01",
        "M003/video/left_30/angry/level_3/017.mp4,s01",
        "audio/angry/level_3/017.m4a,s01",
        clips.get(7).clipId() + ",s01", // by clip id
        "",
        "W009/video/front/neutral/level_1/001.mp4,s01")); // no such clip: ignored
    Plan p = new PairPlanner("neutral", null).plan(clips, keys);
    assertEquals(List.of(
        "neutral/level_1/001.m4a > angry/level_3/017.m4a",
        "neutral/level_1/001.mp4 > angry/level_1/012.mp4",
        "neutral/level_1/001.mp4 > angry/level_3/017.mp4",
        "neutral/level_1/001.mp4 > angry/level_3/017.mp4"), names(p));
    // Groups: audio (no view), front s01, front s07, left_30 s01; sorted with the null view
    // first.
    assertEquals(null, p.pairs().get(0).view());
    assertEquals("front", p.pairs().get(1).view());
    assertEquals("front", p.pairs().get(2).view());
    assertEquals("left_30", p.pairs().get(3).view());
    assertEquals("mapping", p.pairs().get(1).keySource());
    assertEquals("s01", p.pairs().get(3).sentenceKey());
    assertEquals(4, p.groups());
    assertEquals(1, p.groupsWithoutReference());
    assertEquals(0, p.unpairable().size());
  }

  @Test
  void aMappingOverridesTheLayoutKeyAndLongerPathsWin() {
    Clip neutral = clip("/d/Actor_01/03-01-01-01-01-01-01.wav");
    Clip sad = clip("/d/Actor_01/03-01-04-01-02-01-01.wav"); // statement 2 by the layout
    SentenceKeys keys = SentenceKeys.parse("k.csv", List.of(
        "03-01-04-01-02-01-01.wav,speech-01",
        "Actor_01/03-01-04-01-02-01-01.wav,speech-02"));
    assertEquals("speech-02", keys.lookup("x", sad.path()));
    assertEquals(null, keys.lookup("x", "/d/Actor_01/other.wav"));
    assertTrue(new PairPlanner("neutral", null).plan(List.of(neutral, sad), keys).pairs()
        .isEmpty());
    SentenceKeys same = SentenceKeys.parse("k.csv",
        List.of("Actor_01/03-01-04-01-02-01-01.wav,speech-01"));
    assertEquals(1, new PairPlanner("neutral", null).plan(List.of(neutral, sad), same).pairs()
        .size());
  }

  @Test
  void malformedMappingsNameTheLine() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SentenceKeys.parse("keys.csv", List.of("a.mp4,s1", "b.mp4")));
    assertTrue(e.getMessage().contains("keys.csv line 2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> SentenceKeys.parse("keys.csv", List.of("a.mp4,s1", "a.mp4,s2")));
    assertTrue(e.getMessage().contains("both 's1' and 's2'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new PairPlanner(" ", null));
  }

  @Test
  void pairIdsAreStableAndDirectional() {
    assertEquals(PairPlanner.pairId("a", "b"), PairPlanner.pairId("a", "b"));
    assertNotEquals(PairPlanner.pairId("a", "b"), PairPlanner.pairId("b", "a"));
    assertEquals(32, PairPlanner.pairId("a", "b").length());
  }
}
