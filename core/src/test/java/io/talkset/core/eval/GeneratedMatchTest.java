package io.talkset.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Matching generated files to clips by id in the name, then by unique base name. */
class GeneratedMatchTest {
  static final String A = "0123456789abcdef0123456789abcdef";
  static final String B = "fedcba9876543210fedcba9876543210";
  static final String C = "00000000000000000000000000000abc";
  final GeneratedMatch m = new GeneratedMatch(Map.of(
      A, "file:/data/MEAD/M003/video/front/angry/level_1/001.mp4",
      B, "file:/data/MEAD/M003/video/front/happy/level_1/001.mp4",
      C, "hdfs://nn/raw/WRA_Obama_000.mp4"));

  @Test
  void anIdInTheNameWinsInAnyCaseAndPosition() {
    assertEquals(new GeneratedMatch.Match(A, "clip_id", null, null),
        m.match("file:/gen/model-x/" + A.toUpperCase() + "_pred.mp4"));
    assertEquals(B, m.match("s3a://b/gen/pred-" + B + ".avi").clipId());
    // Not an id: 33 hex digits in a row.
    assertEquals(GeneratedMatch.UNMATCHED, m.match("/gen/" + A + "f.mp4").status());
  }

  @Test
  void aUniqueBaseNameMatchesAndASharedOneIsAmbiguous() {
    assertEquals(new GeneratedMatch.Match(C, "file_name", null, null),
        m.match("/gen/WRA_Obama_000.avi"));
    GeneratedMatch.Match shared = m.match("/gen/001.mp4");
    assertEquals(GeneratedMatch.AMBIGUOUS, shared.status());
    assertNull(shared.clipId());
    assertTrue(shared.message().contains("2 dataset clips are named '001'"), shared.message());
  }

  @Test
  void anUnknownIdOrNameIsUnmatchedWithTheReason() {
    GeneratedMatch.Match u = m.match("/gen/" + "1".repeat(32) + ".mp4");
    assertEquals(GeneratedMatch.UNMATCHED, u.status());
    assertTrue(u.message().contains("1".repeat(32)), u.message());
    assertTrue(m.match("/gen/other.mp4").message().contains("'other.mp4'"));
  }
}
