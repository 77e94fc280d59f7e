package io.talkset.core.shards;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpeakerSplitTest {
  private static final double[] DEFAULT = {0.8, 0.1, 0.1};

  @Test
  void sharesOfManySpeakersFollowTheRatios() {
    SpeakerSplit s = new SpeakerSplit(DEFAULT, "talkset");
    Map<String, Integer> n = new HashMap<>();
    int speakers = 20_000;
    for (int i = 0; i < speakers; i++) {
      n.merge(s.splitOf("voxceleb2", String.format("id%05d", i)), 1, Integer::sum);
    }
    // Binomial standard deviation at 20 000 draws: 0.28% for 0.8, 0.21% for 0.1; allow 4 sigma.
    assertEquals(0.8, n.get("train") / (double) speakers, 0.012);
    assertEquals(0.1, n.get("val") / (double) speakers, 0.009);
    assertEquals(0.1, n.get("test") / (double) speakers, 0.009);
  }

  @Test
  void aSpeakersSplitDependsOnlyOnItsKeyAndTheSalt() {
    SpeakerSplit a = new SpeakerSplit(DEFAULT, "talkset");
    SpeakerSplit b = new SpeakerSplit(DEFAULT.clone(), "talkset");
    int moved = 0;
    for (int i = 0; i < 2000; i++) {
      String sp = "Actor_" + i;
      // The same key in another instance (another run, more speakers around): same split.
      assertEquals(a.splitOf("ravdess", sp), b.splitOf("ravdess", sp));
      if (!a.splitOf("ravdess", sp).equals(new SpeakerSplit(DEFAULT, "other")
          .splitOf("ravdess", sp))) {
        moved++;
      }
    }
    // Another salt reshuffles: two independent draws differ with probability 1 - (.64+.01+.01).
    assertEquals(0.34, moved / 2000.0, 0.05);
    // The dataset is part of the key: the same speaker name in two datasets is two people.
    assertTrue(a.position("ravdess", "Actor_01") != a.position("crema-d", "Actor_01"));
  }

  @Test
  void positionIsTheLeading53BitsOfSha256() throws Exception {
    SpeakerSplit s = new SpeakerSplit(DEFAULT, "talkset");
    byte[] d = java.security.MessageDigest.getInstance("SHA-256")
        .digest("talkset\nmead\nM003".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    java.math.BigInteger top = new java.math.BigInteger(1, java.util.Arrays.copyOf(d, 8))
        .shiftRight(11);
    assertEquals(top.doubleValue() / Math.pow(2, 53), s.position("mead", "M003"), 0.0);
  }

  @Test
  void clipsWithoutASpeakerGoToTrainAndEmptySharesAreNeverChosen() {
    SpeakerSplit s = new SpeakerSplit(new double[] {0, 0, 1}, "x");
    assertEquals("train", s.splitOf("generic", null));
    assertEquals("train", s.splitOf("generic", " "));
    for (int i = 0; i < 500; i++) {
      assertEquals("test", s.splitOf("generic", "s" + i));
    }
  }

  @Test
  void ratiosAreParsedAndCheckedWithMessagesThatNameTheProblem() {
    assertArrayEquals(new double[] {0.7, 0.2, 0.1}, SpeakerSplit.parseRatios("0.7, 0.2,0.1"));
    for (String bad : List.of("0.8,0.2", "0.8,0.1,0.2", "a,0.5,0.5", "-0.1,0.6,0.5")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> SpeakerSplit.parseRatios(bad));
      assertTrue(e.getMessage().contains("ratio") || e.getMessage().contains("number"),
          e.getMessage());
    }
  }
}
