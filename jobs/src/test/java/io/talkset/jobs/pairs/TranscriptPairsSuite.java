package io.talkset.jobs.pairs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.datasets.Transcripts;
import io.talkset.core.media.FfmpegProber;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.audio.AudioConfig;
import io.talkset.jobs.audio.AudioJob;
import io.talkset.jobs.crawl.CrawlConfig;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.testing.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transcripts as sentence keys through crawl and pairs: MEAD's audio tree (emotion from the
 * layout, no sentence key) holding Allison's takes, with sidecar transcripts written from the
 * prompt list that ships with them.
 */
class TranscriptPairsSuite {
  private final SparkSession spark = SparkTestSession.get();

  @Test
  void takesWithTheSameTranscriptArePairedUnderItsKey(@TempDir Path in, @TempDir Path out)
      throws Exception {
    Map<String, String> prompts = Samples.allisonPrompts();
    // take, prompt, MEAD folder and number, sidecar extension (null: no transcript)
    String[][] takes = {
        {"confbridge-begin-glorious-a", "neutral/level_1/001", "txt"},
        {"confbridge-begin-glorious-b", "angry/level_3/017", "lab"},
        {"confbridge-begin-glorious-c", "happy/level_2/005", "txt"},
        {"confbridge-begin-leader", "sad/level_2/009", "txt"},
        {"conf-onlyone", "surprised/level_1/011", null}};
    for (String[] t : takes) {
      Path wav = in.resolve("M003/audio/" + t[1] + ".wav");
      Files.createDirectories(wav.getParent());
      Files.copy(Samples.get("speech/allison/" + t[0] + ".wav"), wav);
      if (t[2] != null) {
        // The happy take's sidecar in capitals and without its period: the same sentence.
        String text = t[1].startsWith("happy") ? prompts.get(t[0]).toUpperCase() + "\n"
            : prompts.get(t[0]);
        Files.writeString(in.resolve("M003/audio/" + t[1] + "." + t[2]), text);
      }
    }
    CrawlJob.crawl(spark, new CrawlConfig(List.of(in.toString()), out.toString(),
        MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
        FfmpegProber.FrameCount.ESTIMATE, 0, false));
    Map<String, Row> clips = new HashMap<>();
    for (Row r : spark.read().parquet(out.resolve("clips").toString())
        .select("path", "clip_id", "transcript", "sentence_key").collectAsList()) {
      String p = r.getString(0);
      clips.put(p.substring(p.indexOf("/audio/") + 7, p.lastIndexOf('.')), r);
    }
    assertEquals(5, clips.size(), "sidecar files are not clips");
    assertEquals(prompts.get("confbridge-begin-glorious-b"),
        clips.get("angry/level_3/017").getString(2), "read from the .lab sidecar");
    assertNull(clips.get("surprised/level_1/011").get(2));
    for (Row r : clips.values()) {
      assertNull(r.get(3), "MEAD's layout has no sentence key");
    }

    AudioJob.process(spark, new AudioConfig(out.toString(), false, 120_000, 0));
    PairsJob.Result r = PairsJob.process(spark, PairsJobSuite.config(out));
    // Neutral 001 with angry 017 and happy 005; the sad take says another sentence and the
    // surprised one has no transcript.
    assertEquals(2, r.planned());
    assertEquals(Map.of("ok", 2L), r.byStatus());
    assertEquals(1, r.unpairable(), "only the clip without transcript is unpairable");
    String key = Transcripts.sentenceKey(prompts.get("confbridge-begin-glorious-a"));
    for (Row p : spark.read().parquet(out.resolve("pairs").toString()).collectAsList()) {
      assertEquals(key, p.getString(p.fieldIndex("sentence_key")));
      assertEquals("transcript", p.getString(p.fieldIndex("sentence_key_source")));
      assertEquals(clips.get("neutral/level_1/001").getString(1),
          p.getString(p.fieldIndex("reference_clip_id")));
    }
  }
}
