package io.talkset.core.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.pairs.PairPlanner;
import io.talkset.testing.Samples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Sentence keys from transcripts, on the Asterisk prompt list that comes with Allison's takes. */
class TranscriptsTest {

  @Test
  void takesOfOnePromptShareAKeyAndOtherPromptsDoNot() throws Exception {
    Map<String, String> prompts = Samples.allisonPrompts();
    Map<String, String> keyOf = new HashMap<>();
    Path allison = Samples.get("speech/allison/core-sounds-en.txt.gz").getParent();
    try (Stream<Path> wavs = Files.list(allison)) {
      for (Path w : wavs.filter(p -> p.toString().endsWith(".wav")).toList()) {
        String name = w.getFileName().toString().replace(".wav", "");
        String text = prompts.get(name);
        if (text != null) {
          keyOf.put(name, Transcripts.sentenceKey(text));
        }
      }
    }
    assertTrue(keyOf.size() >= 45, "Allison's prompts with a transcript: " + keyOf.size());
    // The three recordings of one prompt.
    String glorious = keyOf.get("confbridge-begin-glorious-a");
    assertEquals(glorious, keyOf.get("confbridge-begin-glorious-b"));
    assertEquals(glorious, keyOf.get("confbridge-begin-glorious-c"));
    assertTrue(glorious.matches("text:[0-9a-f]{16}"), glorious);
    // One word apart: another sentence.
    assertNotEquals(glorious, keyOf.get("confbridge-begin-leader"));
    // The list's "To leave the conference..." and "...to leave the conference." are the same
    // words (read as a sentence's start and end): the same key once case and dots are folded.
    assertEquals(keyOf.get("confbridge-leave-in"), keyOf.get("confbridge-leave-out"));
    // Keys are equal exactly when the folded texts are.
    for (String a : keyOf.keySet()) {
      for (String b : keyOf.keySet()) {
        boolean same = Transcripts.normalize(prompts.get(a))
            .equals(Transcripts.normalize(prompts.get(b)));
        assertEquals(same, keyOf.get(a).equals(keyOf.get(b)), a + " / " + b);
      }
    }
  }

  @Test
  void foldingIgnoresCasePunctuationApostrophesAndSpacing() {
    assertEquals("dont stop its fine", Transcripts.normalize("  Don't STOP — it’s   fine!\n"));
    assertEquals(Transcripts.sentenceKey("Kids are talking by the door."),
        Transcripts.sentenceKey("kids are talking by the door"));
    assertEquals("café 3d audio", Transcripts.normalize("CAFÉ, 3D audio"));
    assertNull(Transcripts.sentenceKey(" ...! "));
    assertNull(Transcripts.sentenceKey(null));
  }

  @Test
  void sidecarsAreStrictUtf8SmallFilesBesideTheMedia() {
    assertEquals(List.of("file:/d/M003/audio/angry/level_1/001.txt",
        "file:/d/M003/audio/angry/level_1/001.lab"),
        Transcripts.sidecars("file:/d/M003/audio/angry/level_1/001.m4a"));
    assertEquals(List.of("/d/v.2/clip.txt", "/d/v.2/clip.lab"),
        Transcripts.sidecars("/d/v.2/clip"));
    assertEquals("Hello there.", Transcripts.decode(
        "\uFEFFHello there.\r\n".getBytes(StandardCharsets.UTF_8)));
    assertNull(Transcripts.decode(new byte[] {'h', 'i', (byte) 0xff}), "not UTF-8");
    assertNull(Transcripts.decode(new byte[Transcripts.MAX_BYTES + 1]), "too large");
    assertNull(Transcripts.decode("  \n".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void plannerKeysByMappingThenLayoutThenTranscript() {
    // MEAD audio: emotion from the layout, no sentence key; the transcript supplies it.
    String text = "The conference will begin when our glorious leader arrives.";
    PairPlanner.Clip neutral = new PairPlanner.Clip("n", "/m/M003/audio/neutral/level_1/001.wav",
        "mead", "M003", "neutral", "1", null, null, "001", text);
    PairPlanner.Clip angry = new PairPlanner.Clip("a", "/m/M003/audio/angry/level_3/017.wav",
        "mead", "M003", "angry", "3", null, null, "017", text.toUpperCase());
    PairPlanner.Clip other = new PairPlanner.Clip("o", "/m/M003/audio/sad/level_2/020.wav",
        "mead", "M003", "sad", "2", null, null, "020", "The leader has left.");
    PairPlanner planner = new PairPlanner("neutral", null);
    PairPlanner.Plan plan = planner.plan(List.of(neutral, angry, other),
        PairPlanner.SentenceKeys.empty());
    assertEquals(1, plan.pairs().size());
    PairPlanner.Pair p = plan.pairs().get(0);
    assertEquals("transcript", p.keySource());
    assertEquals(Transcripts.sentenceKey(text), p.sentenceKey());
    assertEquals("a", p.other().clipId());

    // A mapping wins over the transcript, and names the pair's source.
    PairPlanner.Plan mapped = planner.plan(List.of(neutral, angry, other),
        PairPlanner.SentenceKeys.parse("keys.csv", List.of("n,s01", "a,s01", "o,s01")));
    assertEquals(2, mapped.pairs().size());
    mapped.pairs().forEach(x -> assertEquals("mapping", x.keySource()));
    // A layout key wins over the transcript.
    PairPlanner.Clip layoutKey = new PairPlanner.Clip("r", "/r/Actor_01/03-01-05-01-01-01-01.wav",
        "ravdess", "Actor_01", "angry", "1", "speech-01", null, "01", "Something else");
    PairPlanner.Clip layoutRef = new PairPlanner.Clip("q", "/r/Actor_01/03-01-01-01-01-01-01.wav",
        "ravdess", "Actor_01", "neutral", "1", "speech-01", null, "01", "Another text");
    PairPlanner.Pair l = planner.plan(List.of(layoutKey, layoutRef),
        PairPlanner.SentenceKeys.empty()).pairs().get(0);
    assertEquals("layout", l.keySource());
    assertEquals("speech-01", l.sentenceKey());
  }
}
