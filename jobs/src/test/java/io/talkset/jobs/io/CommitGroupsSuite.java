package io.talkset.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.media.FfmpegProber;
import io.talkset.jobs.ChildTalkset;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.audio.AudioConfig;
import io.talkset.jobs.audio.AudioJob;
import io.talkset.jobs.cli.CommitOptions;
import io.talkset.jobs.crawl.CrawlConfig;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.jobs.frames.FramesConfig;
import io.talkset.jobs.frames.FramesJob;
import io.talkset.jobs.runtime.ClipBatch;
import io.talkset.schemas.AudioSchemas;
import io.talkset.schemas.FramesSchemas;
import io.talkset.schemas.TableSchema;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-clip stages committing in bounded groups ({@link CommitGroups}): a run in groups of one
 * clip writes the same tables as a run in one group, row for row; and a driver killed in its
 * second group ({@link HaltingFileSystem}, in a child JVM through {@link ChildTalkset}) leaves
 * its first group committed and visible, nothing of the second, and a re-run that processes
 * only the clips not committed. For the audio and frames stages.
 */
class CommitGroupsSuite {
  private final SparkSession spark = SparkTestSession.get();

  private void crawl(String input, Path out) throws Exception {
    CrawlJob.crawl(spark, new CrawlConfig(List.of(input), out.toString(),
        MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
        FfmpegProber.FrameCount.ESTIMATE, 0, false));
  }

  /** Four short speech recordings of different lengths. */
  private static void speech(Path in) throws Exception {
    String[] names = {"confbridge-begin-glorious-a", "confbridge-begin-glorious-b",
        "confbridge-conf-end", "confbridge-has-left"};
    for (int i = 0; i < names.length; i++) {
      Files.copy(Samples.get("speech/allison/" + names[i] + ".wav"),
          in.resolve("take" + i + ".wav"));
    }
  }

  /** Three cuts of a face video (2, 2.6 and 3.2 s) and a second of test pattern (no face). */
  private static void faces(Path in) throws Exception {
    String movie = Samples.get("video/kphotoalbum/movie.avi").toString();
    String[] lengths = {"2", "2.6", "3.2"};
    for (int i = 0; i < lengths.length; i++) {
      Tools.ffmpeg("-i", movie, "-t", lengths[i], "-pix_fmt", "yuv420p",
          in.resolve("take" + i + ".mp4").toString());
    }
    Tools.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "1", "-pix_fmt",
        "yuv420p", in.resolve("take3.mp4").toString());
  }

  private static FramesConfig frames(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("--output", out.toString(), "--models",
        Samples.models().toString()));
    args.addAll(Arrays.asList(extra));
    return FramesConfig.from(FramesConfig.options().parse(args.toArray(String[]::new)));
  }

  @Test
  void audioInGroupsOfOneClipWritesABatchPerClipAndTheSameTablesAsOneGroup(@TempDir Path in,
      @TempDir Path one, @TempDir Path grouped) throws Exception {
    speech(in);
    crawl(in.toString(), one);
    crawl(in.toString(), grouped);
    AudioConfig cfg = new AudioConfig(one.toString(), false, 120_000, 0);
    ClipBatch whole = AudioJob.process(spark, cfg);
    ClipBatch groups = AudioJob.process(spark, new AudioConfig(grouped.toString(), false,
        120_000, 0).withCommit(new CommitOptions.Limits(1, 200_000)));
    assertEquals(4, whole.processed());
    assertEquals(4, groups.processed());
    assertEquals(Map.of("ok", 4L), groups.byStatus());
    assertEquals(whole.frames(), groups.frames(), "frames summed over the groups");
    assertEquals(1, batches(one, "audio_clips").size());
    assertEquals(4, batches(grouped, "audio_clips").size());
    assertEquals(batches(grouped, "audio_clips"), batches(grouped, "audio"));
    assertEquals(groups.batch(), batches(grouped, "audio_clips").get(3), "the last batch");
    assertSameRows(one, grouped, AudioSchemas.FRAMES, "clip_id", "frame_index");
    assertSameRows(one, grouped, AudioSchemas.CLIPS, "clip_id");
  }

  @Test
  void framesInGroupsBoundedByOneFrameWritesABatchPerClipAndTheSameTablesAsOneGroup(
      @TempDir Path in, @TempDir Path one, @TempDir Path grouped) throws Exception {
    faces(in);
    crawl(in.toString(), one);
    crawl(in.toString(), grouped);
    ClipBatch whole = FramesJob.process(spark, frames(one));
    // Every clip expects more than one frame, so each makes a group of its own.
    ClipBatch groups = FramesJob.process(spark, frames(grouped, "--commit-frames", "1"));
    assertEquals(4, groups.processed());
    assertEquals(Map.of("ok", 3L, "rejected", 1L), groups.byStatus());
    assertEquals(whole.byStatus(), groups.byStatus());
    assertEquals(whole.frames(), groups.frames());
    assertEquals(Map.of("cpu", 4L), groups.devices(), "devices summed over the groups");
    assertEquals(1, batches(one, "frames_clips").size());
    assertEquals(4, batches(grouped, "frames_clips").size());
    assertEquals(batches(grouped, "frames_clips"), batches(grouped, "frames"));
    assertSameRows(one, grouped, FramesSchemas.FRAMES, "clip_id", "segment", "frame_index");
    assertSameRows(one, grouped, FramesSchemas.CLIPS, "clip_id");
  }

  /**
   * The params and sync stages in groups of one clip: the same face parameters, frame for
   * frame, the same identity groups (each group's segments join the groups the earlier ones
   * committed) and the same offsets.
   */
  @Test
  void paramsAndSyncInGroupsOfOneClipWriteTheSameTablesAsOneGroup(@TempDir Path in, @TempDir Path one,
      @TempDir Path grouped) throws Exception {
    faces(in);
    for (Path out : List.of(one, grouped)) {
      crawl(in.toString(), out);
      FramesJob.process(spark, frames(out));
    }
    List<String> models = List.of("--models", Samples.models().toString());
    ClipBatch whole = io.talkset.jobs.params.ParamsJob.process(spark, params(one, models));
    List<String> small = new ArrayList<>(models);
    small.addAll(List.of("--commit-clips", "1"));
    ClipBatch groups = io.talkset.jobs.params.ParamsJob.process(spark, params(grouped, small));
    assertEquals(3, groups.processed());
    assertEquals(Map.of("ok", 3L), groups.byStatus());
    assertEquals(whole.frames(), groups.frames());
    assertEquals(3, batches(grouped, "face_params_clips").size());
    assertSameRows(one, grouped, io.talkset.schemas.ParamsSchemas.PARAMS, "clip_id", "segment",
        "frame_index");
    assertSameRows(one, grouped, io.talkset.schemas.ParamsSchemas.CLIPS, "clip_id");

    // The cuts are 2 to 3.2 s long: estimates need fewer frames than the default 100.
    io.talkset.jobs.sync.SyncJob.Result syncWhole = io.talkset.jobs.sync.SyncJob.process(spark,
        sync(one, "--sync-min-frames", "25"));
    io.talkset.jobs.sync.SyncJob.Result syncGroups = io.talkset.jobs.sync.SyncJob.process(spark,
        sync(grouped, "--sync-min-frames", "25", "--commit-clips", "1"));
    assertEquals(3, syncGroups.processed());
    assertEquals(syncWhole.byStatus(), syncGroups.byStatus());
    assertEquals(syncWhole.segments(), syncGroups.segments());
    assertEquals(syncWhole.segmentsByStatus(), syncGroups.segmentsByStatus(),
        "segments by status summed over the groups");
    assertEquals(3, batches(grouped, "sync_clips").size());
    assertEquals(batches(grouped, "sync_clips"), batches(grouped, "sync"));
    assertSameRows(one, grouped, io.talkset.schemas.SyncSchemas.SEGMENTS, "clip_id", "segment");
    assertSameRows(one, grouped, io.talkset.schemas.SyncSchemas.CLIPS, "clip_id");
  }

  private static io.talkset.jobs.sync.SyncConfig sync(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("--output", out.toString()));
    args.addAll(Arrays.asList(extra));
    return io.talkset.jobs.sync.SyncConfig.from(io.talkset.jobs.sync.SyncConfig.options()
        .parse(args.toArray(String[]::new)));
  }

  private static io.talkset.jobs.params.ParamsConfig params(Path out, List<String> extra) {
    List<String> args = new ArrayList<>(List.of("--output", out.toString()));
    args.addAll(extra);
    return io.talkset.jobs.params.ParamsConfig.from(io.talkset.jobs.params.ParamsConfig
        .options().parse(args.toArray(String[]::new)));
  }

  /**
   * A group whose job fails (here: its status count does not match, after its rows batch was
   * written) loses only itself: the groups before and after it commit, its rows batch is
   * removed, and the stage then fails naming it; two failures in a row stop the stage.
   */
  @Test
  void aFailedGroupLosesOnlyItselfAndTwoInARowStopTheStage(@TempDir Path out,
      @TempDir Path out2) throws Exception {
    List<List<String>> groups = List.of(List.of("a"), List.of("b"), List.of("c"),
        List.of("d"));
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalStateException.class, () -> fakeStage(out, groups, java.util.Set.of("b")));
    List<String> committed = batches(out, "audio_clips");
    assertEquals(3, committed.size());
    assertEquals(committed, batches(out, "audio"), "the failed group's rows batch is gone");
    assertTrue(e.getMessage().startsWith("audio: 1 of 4 commit groups failed (group 2 of 4"
        + " (1 clips, batch "), e.getMessage());
    assertTrue(e.getMessage().endsWith("): java.lang.IllegalStateException: b: 1 clips sent,"
        + " 0 statuses back); 3 groups committed 3 clips (by status {ok=3}), which stay done:"
        + " a re-run processes only the others"), e.getMessage());
    assertEquals("b: 1 clips sent, 0 statuses back", e.getCause().getMessage());
    try (Stream<Path> hidden = Stream.concat(Files.list(out.resolve("audio")),
        Files.list(out.resolve("audio_clips")))) {
      assertEquals(List.of(), hidden.filter(p -> p.getFileName().toString().startsWith(".b"))
          .toList(), "no staging folder left");
    }

    IllegalStateException stopped = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalStateException.class, () -> fakeStage(out2, groups, java.util.Set.of("b", "c")));
    assertTrue(stopped.getMessage().contains("; stopped after 2 failed groups in a row, 1 not"
        + " started; 1 groups committed 1 clips (by status {ok=1})"), stopped.getMessage());
    assertEquals(1, batches(out2, "audio_clips").size());
    assertEquals(batches(out2, "audio_clips"), batches(out2, "audio"));
  }

  /**
   * The audio tables committed by {@link CommitGroups#commit} with a body that writes an empty
   * rows batch and, unless its clip is in {@code failing}, an empty status batch.
   */
  private CommitGroups.Totals fakeStage(Path out, List<List<String>> groups,
      java.util.Set<String> failing) throws Exception {
    StageTables tables = StageTables.open(spark, out.toString(), AudioSchemas.FRAMES,
        AudioSchemas.CLIPS);
    ClipAttempts attempts = ClipAttempts.open(spark, out.toString(), "audio", 2,
        org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
            .broadcast(new HadoopConf(spark.sparkContext().hadoopConfiguration())));
    return CommitGroups.commit("audio", tables, attempts, groups, (group, batch) -> {
      tables.rows.appendBatch(spark.createDataFrame(List.of(), AudioSchemas.FRAMES.struct()),
          batch, "{}");
      if (failing.contains(group.get(0))) {
        throw new IllegalStateException(group.get(0) + ": 1 clips sent, 0 statuses back");
      }
      tables.status.appendBatch(spark.createDataFrame(List.of(), AudioSchemas.CLIPS.struct()),
          batch, "{}");
      return new CommitGroups.Committed(group, 0, Map.of("ok", 1L), Map.of());
    });
  }

  @Test
  void anAudioRunKilledInItsSecondGroupKeepsTheFirstAndTheRerunDoesTheRest(@TempDir Path in,
      @TempDir Path out, @TempDir Path logs) throws Exception {
    speech(in);
    killedInTheSecondGroupThenRerun(in, out, logs, "audio", AudioSchemas.FRAMES,
        AudioSchemas.CLIPS, new String[0],
        () -> AudioJob.process(spark, new AudioConfig(out.toString(), false, 120_000, 0)
            .withCommit(new CommitOptions.Limits(2, 200_000))));
  }

  @Test
  void aFramesRunKilledInItsSecondGroupKeepsTheFirstAndTheRerunDoesTheRest(@TempDir Path in,
      @TempDir Path out, @TempDir Path logs) throws Exception {
    faces(in);
    killedInTheSecondGroupThenRerun(in, out, logs, "frames", FramesSchemas.FRAMES,
        FramesSchemas.CLIPS, new String[] {"--models", Samples.models().toString()},
        () -> FramesJob.process(spark, frames(out, "--commit-clips", "2")));
  }

  private interface Rerun {
    ClipBatch run() throws Exception;
  }

  /**
   * Four clips in groups of two ({@code --commit-clips 2}, groups in clip id order): the
   * child JVM dies opening the last clip, in the second group, after the first committed.
   */
  private void killedInTheSecondGroupThenRerun(Path in, Path out, Path logs, String stage,
      TableSchema rows, TableSchema status, String[] extra, Rerun rerun) throws Exception {
    org.apache.hadoop.conf.Configuration h = spark.sparkContext().hadoopConfiguration();
    h.set("fs.halt.impl", HaltingFileSystem.class.getName());
    h.setBoolean("fs.halt.impl.disable.cache", true);
    // Crawled in this JVM, without talkset.test.halt-on: every file reads normally here.
    crawl("halt://" + in, out);
    List<Row> clips = spark.read().parquet(out.resolve("clips").toString())
        .select("clip_id", "path").orderBy("clip_id").collectAsList();
    assertEquals(4, clips.size());
    List<String> firstGroup = List.of(clips.get(0).getString(0), clips.get(1).getString(0));
    String last = clips.get(3).getString(1);
    String haltOn = last.substring(last.lastIndexOf('/') + 1);

    List<String> args = new ArrayList<>(List.of(stage, "--output", out.toString(),
        "--commit-clips", "2"));
    args.addAll(Arrays.asList(extra));
    ChildTalkset.Run killed = ChildTalkset.run(logs.resolve(stage + ".log"), List.of(
        "-Dspark.master=local[2]",
        "-Dspark.hadoop.fs.halt.impl=" + HaltingFileSystem.class.getName(),
        "-Dspark.hadoop.fs.halt.impl.disable.cache=true",
        "-Dspark.hadoop." + HaltingFileSystem.HALT_ON + "=" + haltOn), 300,
        args.toArray(String[]::new));
    assertEquals(HaltingFileSystem.EXIT, killed.code(), killed.log());
    assertTrue(killed.log().contains("HaltingFileSystem: halting the JVM on halt:" + in + "/"
        + haltOn), killed.log());

    // The first group is committed: one batch in each table, the same id, and its two clips'
    // statuses visible; no rows batch of the second group (its staging folder is hidden).
    List<String> committed = batches(out, status.table());
    assertEquals(1, committed.size(), killed.log());
    assertEquals(committed, batches(out, rows.table()), "no rows batch without its statuses");
    List<Row> statuses = StageTables.current(spark, out.toString(), status).collectAsList();
    assertEquals(firstGroup, statuses.stream().map(r -> r.getString(r.fieldIndex("clip_id")))
        .sorted().toList());
    // A raw read of the rows folder (no status join) sees exactly what readers see: the first
    // group's rows, no orphans.
    Dataset<Row> raw = spark.read().parquet(out.resolve(rows.table()).toString());
    long visible = StageTables.current(spark, out.toString(), rows).count();
    assertEquals(visible, raw.count());
    assertEquals(visible, raw.filter(functions.col("clip_id").isin(firstGroup.toArray()))
        .count());
    if ("audio".equals(stage)) {
      assertTrue(visible > 0, "the first group's speech has frames");
    }

    // The re-run (this JVM reads every file) finds the first group done and processes the
    // other two, the one it died in included (an attempt marker made it a suspect).
    ClipBatch again = rerun.run();
    assertEquals(2, again.processed());
    assertEquals(2, again.skipped());
    // One group of two, or two of one when only the clip it died in left a marker (the other
    // finished first): suspects go first, in groups of their own.
    List<String> after = batches(out, status.table());
    assertTrue(after.size() == 2 || after.size() == 3, after.toString());
    assertEquals(committed.get(0), after.get(0));
    assertEquals(after.get(after.size() - 1), again.batch());
    assertEquals(after, batches(out, rows.table()));
    assertEquals(4, StageTables.current(spark, out.toString(), status).count());
    assertEquals(List.of(), attemptsLeft(out, stage), "every committed clip's markers cleared");
  }

  /** The committed batch ids of a table, in order. */
  private static List<String> batches(Path out, String table) throws Exception {
    try (Stream<Path> s = Files.list(out.resolve(table))) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("batch="))
          .map(n -> n.substring("batch=".length())).sorted().toList();
    }
  }

  private static List<Path> attemptsLeft(Path out, String stage) throws Exception {
    Path d = out.resolve(ClipAttempts.FOLDER + "/" + stage);
    if (!Files.exists(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.toList();
    }
  }

  /**
   * The current rows of {@code table} under both roots are equal, sorted by {@code key}, every
   * column compared exactly (floats bit for bit, JPEG bytes byte for byte) except the batch id
   * and the per-run timings.
   */
  private void assertSameRows(Path a, Path b, TableSchema table, String... key) {
    List<Row> x = rows(a, table, key);
    List<Row> y = rows(b, table, key);
    assertEquals(x.size(), y.size(), table.table());
    assertTrue(x.size() > 0, table.table());
    for (int i = 0; i < x.size(); i++) {
      assertEquals(x.get(i), y.get(i), table.table() + " row " + i);
    }
  }

  private List<Row> rows(Path out, TableSchema table, String... key) {
    Dataset<Row> t = StageTables.current(spark, out.toString(), table);
    List<String> cols = new ArrayList<>();
    for (String c : t.columns()) {
      if (!c.equals("batch") && !c.equals("elapsed_ms") && !c.equals("processed_at")) {
        cols.add(c);
      }
    }
    return t.select(cols.stream().map(functions::col).toArray(org.apache.spark.sql.Column[]::new))
        .orderBy(Arrays.stream(key).map(functions::col).toArray(org.apache.spark.sql.Column[]::new))
        .collectAsList();
  }
}
