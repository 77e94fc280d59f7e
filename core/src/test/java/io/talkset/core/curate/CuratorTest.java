package io.talkset.core.curate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.curate.Curator.Frame;
import io.talkset.core.curate.Curator.SegmentFacts;
import io.talkset.core.curate.Curator.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CuratorTest {
  private static final SegmentFacts IN_SYNC =
      new SegmentFacts("ok", null, "ok", null, 1, 0.3, 0.2);

  /** A clean HD frame: every default rule passes. */
  static Frame good(int i) {
    return new Frame(i, 300, 1.4, 80.0, 5.0, -3.0, 0.0, 1);
  }

  static List<Frame> goods(int from, int n) {
    List<Frame> l = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      l.add(good(i));
    }
    return l;
  }

  static String rules(List<Verdict> v) {
    StringBuilder sb = new StringBuilder();
    for (Verdict x : v) {
      sb.append(x.kept() ? "." : x.rule().label().substring(0, 2));
    }
    return sb.toString();
  }

  @Test
  void noneKeepsEverythingEvenUnmeasuredFrames() {
    List<Frame> f = List.of(new Frame(0, 10, 9, null, null, null, 0.9, 4));
    List<Verdict> v = Curator.segment(CurationRules.none(),
        new SegmentFacts(null, null, null, null, null, null, null), f);
    assertTrue(v.get(0).kept());
  }

  @Test
  void eachFrameRuleRemovesTheFrameBreakingItAtItsLimitKept() {
    CurationRules hd = CurationRules.hd().with(Rule.SEGMENT_LENGTH, null);
    // At the limit is kept, just past it is removed: >= for minimums, <= for maximums.
    Frame[] kept = {new Frame(0, 128, 2.0, 50.0, -30.0, 25.0, 0.05, 1)};
    assertTrue(Curator.segment(hd, IN_SYNC, List.of(kept)).get(0).kept());
    Object[][] broken = {
        {new Frame(1, 127.9, 1, 80.0, 0.0, 0.0, 0, 1), Rule.FACE_SIZE, "face_px < 128"},
        {new Frame(1, 300, 2.01, 80.0, 0.0, 0.0, 0, 1), Rule.UPSCALE, "upscale > 2"},
        {new Frame(1, 300, 1, 49.9, 0.0, 0.0, 0, 1), Rule.SHARPNESS, "sharpness < 50"},
        {new Frame(1, 300, 1, null, 0.0, 0.0, 0, 1), Rule.SHARPNESS, "no sharpness measured"},
        {new Frame(1, 300, 1, 80.0, -30.5, 0.0, 0, 1), Rule.YAW, "|yaw| > 30°"},
        {new Frame(1, 300, 1, 80.0, null, null, 0, 1), Rule.YAW, "no head pose"},
        {new Frame(1, 300, 1, 80.0, 0.0, 25.1, 0, 1), Rule.PITCH, "|pitch| > 25°"},
        {new Frame(1, 300, 1, 80.0, 0.0, 0.0, 0.051, 1), Rule.OUTSIDE, "outside_fraction > 0.05"},
        {new Frame(1, 300, 1, 80.0, 0.0, 0.0, 0, 2), Rule.FACES, "faces_in_picture > 1"},
        // Several broken: the first in rule order is named.
        {new Frame(1, 50, 8, 1.0, 80.0, 0.0, 0.5, 3), Rule.FACE_SIZE, "face_px < 128"}};
    for (Object[] b : broken) {
      Verdict v = Curator.segment(hd, IN_SYNC, List.of((Frame) b[0])).get(0);
      assertEquals(b[1], v.rule(), (String) b[2]);
      assertEquals(Rule.Level.FRAME, v.level());
      assertEquals(b[2], v.reason());
      // The same frame with that rule off passes it (or breaks a later one).
      Verdict off = Curator.segment(hd.with((Rule) b[1], null), IN_SYNC, List.of((Frame) b[0]))
          .get(0);
      assertTrue(off.kept() || off.rule().ordinal() > ((Rule) b[1]).ordinal(), b[2] + ": "
          + off);
    }
  }

  @Test
  void syncAndIdentityRemoveWholeSegmentsAndSayWhy() {
    CurationRules hd = CurationRules.hd();
    List<Frame> f = goods(10, 60);
    Object[][] cases = {
        {new SegmentFacts(null, null, null, null, null, null, 0.2), Rule.SYNC_OFFSET,
            Rule.Level.CLIP, "no sync estimate: the sync stage has not processed the clip"},
        {new SegmentFacts("rejected", "no_audio", null, null, null, null, 0.2), Rule.SYNC_OFFSET,
            Rule.Level.CLIP, "no sync estimate: clip rejected (no_audio)"},
        {new SegmentFacts("ok", null, "rejected", "too_short", null, null, 0.2),
            Rule.SYNC_OFFSET, Rule.Level.SEGMENT, "no sync estimate: segment rejected"
            + " (too_short)"},
        {new SegmentFacts("ok", null, null, null, null, null, 0.2), Rule.SYNC_OFFSET,
            Rule.Level.SEGMENT, "no sync estimate: segment without a sync row"},
        {new SegmentFacts("ok", null, "ok", null, 9, 0.3, 0.2), Rule.SYNC_OFFSET,
            Rule.Level.SEGMENT, "audio offset +9 frames, beyond ±2"},
        {new SegmentFacts("ok", null, "ok", null, -3, 0.3, 0.2), Rule.SYNC_OFFSET,
            Rule.Level.SEGMENT, "audio offset -3 frames, beyond ±2"},
        {new SegmentFacts("ok", null, "ok", null, -2, 0.05, 0.2), Rule.SYNC_CONFIDENCE,
            Rule.Level.SEGMENT, "sync confidence 0.050 under 0.1"},
        {new SegmentFacts("ok", null, "ok", null, 0, 0.3, 0.61), Rule.IDENTITY,
            Rule.Level.SEGMENT, "identity spread 0.610 over 0.5"},
        {new SegmentFacts("ok", null, "ok", null, 0, 0.3, null), Rule.IDENTITY,
            Rule.Level.SEGMENT, "no identity descriptor for the segment"}};
    for (Object[] c : cases) {
      List<Verdict> v = Curator.segment(hd, (SegmentFacts) c[0], f);
      assertEquals(60, v.size());
      for (Verdict x : v) {
        assertEquals(c[1], x.rule(), (String) c[3]);
        assertEquals(c[2], x.level());
        assertEquals(c[3], x.reason());
      }
    }
    // Without the offset rule a missing estimate is the confidence rule's.
    assertEquals(Rule.SYNC_CONFIDENCE, Curator.segment(hd.with(Rule.SYNC_OFFSET, null),
        new SegmentFacts("ok", null, null, null, null, null, 0.2), f).get(0).rule());
    // Both sync rules off: the sync stage is not needed.
    assertTrue(Curator.segment(hd.with(Rule.SYNC_OFFSET, null).with(Rule.SYNC_CONFIDENCE, null),
        new SegmentFacts(null, null, null, null, null, null, 0.2), f).get(0).kept());
  }

  @Test
  void shortRunsLeftBetweenRemovedFramesAreCut() {
    // 2 s at 25 fps: runs need 50 frames. Frames 0..119, with frames 40 and 100 too blurry.
    CurationRules hd = CurationRules.hd();
    List<Frame> f = goods(0, 120);
    f.set(40, new Frame(40, 300, 1.4, 1.0, 0.0, 0.0, 0, 1));
    f.set(100, new Frame(100, 300, 1.4, 1.0, 0.0, 0.0, 0, 1));
    List<Verdict> v = Curator.segment(hd, IN_SYNC, f);
    // 0..39: 40 frames, cut; 41..99: 59 kept; 101..119: 19, cut.
    for (int i = 0; i < 120; i++) {
      Verdict x = v.get(i);
      Rule want = i == 40 || i == 100 ? Rule.SHARPNESS
          : i < 40 || i > 100 ? Rule.SEGMENT_LENGTH : null;
      assertEquals(want, x.rule(), "frame " + i);
      if (want == Rule.SEGMENT_LENGTH) {
        assertEquals("kept run shorter than 2 s (50 frames)", x.reason());
        assertEquals(Rule.Level.SEGMENT, x.level());
      }
    }
    // Frames given out of order come back in order; a gap in frame numbers ends a run.
    List<Frame> gap = new ArrayList<>(goods(100, 30));
    gap.addAll(goods(0, 30));
    List<Verdict> g = Curator.segment(hd, IN_SYNC, gap);
    assertEquals(0, g.get(0).frameIndex());
    assertEquals(60, g.stream().filter(x -> x.rule() == Rule.SEGMENT_LENGTH).count());
    assertEquals(60, Curator.segment(hd.with(Rule.SEGMENT_LENGTH, 1.2), IN_SYNC, gap).stream()
        .filter(Verdict::kept).count(), "30-frame runs pass 1.2 s");
    assertNull(Curator.segment(hd.with(Rule.SEGMENT_LENGTH, 1.2), IN_SYNC, gap).get(0).rule());
    assertEquals(Rule.SEGMENT_LENGTH, Curator.segment(hd.with(Rule.SEGMENT_LENGTH, 1.21),
        IN_SYNC, gap).get(0).rule(), "1.21 s needs 31 frames");
  }

  @Test
  void aConfidentClipBeyondTheOffsetLimitIsShiftedByItsLongestSegmentsOffset() {
    CurationRules hd = CurationRules.hd(); // offset ±2, confidence 0.1, re-time within 5
    Curator.Estimate longLate = new Curator.Estimate(1, 200, "ok", 4, 0.3);
    Curator.Estimate shortEarly = new Curator.Estimate(0, 120, "ok", -1, 0.3);
    Curator.Estimate unmeasured = new Curator.Estimate(2, 400, "rejected", null, null);
    List<Curator.Estimate> clip = List.of(shortEarly, longLate, unmeasured);
    // The longest measured segment decides: audio 4 frames late, shifted 4 frames earlier.
    assertEquals(-4, Curator.clipShift(hd, "ok", clip));
    assertEquals(0, Curator.clipShift(hd, "failed", clip));
    assertEquals(0, Curator.clipShift(hd.with(Rule.SYNC_RETIME, 0.0), "ok", clip), "0 is off");
    assertEquals(0, Curator.clipShift(hd.with(Rule.SYNC_RETIME, 3.0), "ok", clip), "4 > 3");
    assertEquals(0, Curator.clipShift(hd.with(Rule.SYNC_OFFSET, 4.0), "ok", clip),
        "within the offset limit: kept as is");
    assertEquals(0, Curator.clipShift(hd.with(Rule.SYNC_OFFSET, null), "ok", clip),
        "re-timing replaces the offset rule's removal; without it nothing is re-timed");
    assertEquals(0, Curator.clipShift(hd.with(Rule.SYNC_CONFIDENCE, 0.31), "ok", clip),
        "not confident enough");
    assertEquals(-4, Curator.clipShift(hd.with(Rule.SYNC_CONFIDENCE, null), "ok", clip));
    // A tie on length goes to the lower segment.
    assertEquals(3, Curator.clipShift(hd, "ok", List.of(new Curator.Estimate(5, 200, "ok", 4,
        0.3), new Curator.Estimate(3, 200, "ok", -3, 0.3))));
    assertEquals(0, Curator.clipShift(hd, "ok", List.of(unmeasured)));
  }

  @Test
  void aReTimedSegmentIsJudgedOnTheOffsetLeftAndLosesTheFramesItsAudioLeaves() {
    CurationRules hd = CurationRules.hd().with(Rule.SEGMENT_LENGTH, 1.0);
    // Audio 4 frames late, shifted by -4: frame t hears frame t + 4, so of a 100-frame grid
    // frames 96..99 have no audio left.
    List<Verdict> v = Curator.segment(hd, new SegmentFacts("ok", null, "ok", null, 4, 0.3, 0.2,
        -4, 100), goods(40, 60));
    for (Verdict x : v) {
      boolean edge = x.frameIndex() >= 96;
      assertEquals(edge ? Rule.SYNC_RETIME : null, x.rule(), "frame " + x.frameIndex());
      if (edge) {
        assertEquals(Rule.Level.FRAME, x.level());
        assertEquals("no audio after re-timing the clip by -4 frames", x.reason());
      }
    }
    // Audio 3 frames early, shifted by +3: frames 0..2 hear nothing.
    List<Verdict> early = Curator.segment(hd, new SegmentFacts("ok", null, "ok", null, -3, 0.3,
        0.2, 3, 100), goods(0, 40));
    assertEquals("sysysy" + ".".repeat(37), rules(early));
    // Another segment of the clip, whose own estimate disagrees by more than the limit.
    Verdict off = Curator.segment(hd, new SegmentFacts("ok", null, "ok", null, 0, 0.3, 0.2, -4,
        100), goods(0, 40)).get(0);
    assertEquals(Rule.SYNC_OFFSET, off.rule());
    assertEquals("audio offset +0 frames, -4 after re-timing the clip by -4, beyond ±2",
        off.reason());
  }

  @Test
  void limitsAreValidatedAndDescribedWithTheirOptions() {
    assertThrows(IllegalArgumentException.class, () -> CurationRules.hd().with(Rule.YAW, -1.0));
    assertThrows(IllegalArgumentException.class,
        () -> CurationRules.hd().with(Rule.YAW, Double.NaN));
    assertEquals("none", CurationRules.none().toString());
    assertEquals("yaw 30, outside 0.05", CurationRules.none().with(Rule.YAW, 30.0)
        .with(Rule.OUTSIDE, 0.05).toString());
    var d = CurationRules.none().with(Rule.FACE_SIZE, 96.0).describe();
    assertEquals(Rule.values().length, d.size());
    assertEquals("{option=--curate-min-face-px, limit=96.0, level=frame, meaning="
        + Rule.FACE_SIZE.description() + "}", d.get("face_size").toString());
    assertEquals("off", ((java.util.Map<?, ?>) d.get("yaw")).get("limit"));
    assertEquals(Rule.SYNC_CONFIDENCE, Rule.of("sync_confidence"));
  }
}
