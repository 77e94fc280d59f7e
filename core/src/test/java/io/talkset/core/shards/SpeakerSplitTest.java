package io.talkset.core.shards;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
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

  @Test
  void aSetOfSpeakersKeepsTheirHashSplitsWhenTrainHasOne() {
    SpeakerSplit s = new SpeakerSplit(DEFAULT, "talkset");
    List<SpeakerSplit.Speaker> many = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      many.add(new SpeakerSplit.Speaker("mead", "M" + i));
    }
    SpeakerSplit.Assignment a = s.assign(many);
    for (SpeakerSplit.Speaker k : many) {
      assertEquals(s.splitOf(k.dataset(), k.speaker()), a.splits().get(k), k.toString());
    }
    assertEquals(List.of(), a.warnings());
  }

  @Test
  void trainIsNeverEmptyWhileASpeakerExists() {
    SpeakerSplit s = new SpeakerSplit(DEFAULT, "talkset");
    // Speakers the hash alone puts outside train, as a flat one-speaker folder can be.
    List<SpeakerSplit.Speaker> outside = new ArrayList<>();
    for (int i = 0; outside.size() < 2; i++) {
      if (!s.splitOf("generic", "folder" + i).equals("train")) {
        outside.add(new SpeakerSplit.Speaker("generic", "folder" + i));
      }
    }
    SpeakerSplit.Speaker one = outside.get(0);
    SpeakerSplit.Assignment a = s.assign(List.of(one));
    assertEquals(Map.of(one, "train"), a.splits());
    assertEquals(2, a.warnings().size(), a.warnings().toString());
    assertTrue(a.warnings().get(0).startsWith("no speaker hashed into train: generic/"
        + one.speaker() + " (the lowest hash position) moved from "
        + s.splitOf("generic", one.speaker()) + " to train"), a.warnings().get(0));
    assertTrue(a.warnings().get(1).startsWith("val and test have no speaker: 1 speaker(s) for 3"
        + " splits with a share"), a.warnings().get(1));

    // Of two such speakers the one with the lower position moves; the other keeps its split.
    SpeakerSplit.Assignment b = s.assign(outside);
    SpeakerSplit.Speaker low = s.position("generic", outside.get(0).speaker())
        < s.position("generic", outside.get(1).speaker()) ? outside.get(0) : outside.get(1);
    SpeakerSplit.Speaker high = low == outside.get(0) ? outside.get(1) : outside.get(0);
    assertEquals("train", b.splits().get(low));
    assertEquals(s.splitOf("generic", high.speaker()), b.splits().get(high));

    // No speaker at all: nothing to move, nothing to say (speakerless clips go to train).
    assertEquals(List.of(), s.assign(List.of()).warnings());
  }
}
