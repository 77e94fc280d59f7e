package io.talkset.jobs.audio;

import io.talkset.core.audio.AudioFeatures;
import io.talkset.core.audio.Pyin;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.io.ClipAttempts;
import io.talkset.jobs.io.CommitGroups;
import io.talkset.jobs.io.HadoopConf;
import io.talkset.jobs.io.Json;
import io.talkset.jobs.io.StageTables;
import io.talkset.jobs.io.TableCommitter;
import io.talkset.jobs.progress.StageProgress;
import io.talkset.jobs.runtime.ClipBatch;
import io.talkset.jobs.runtime.Job;
import io.talkset.schemas.AudioSchemas;
import io.talkset.schemas.ClipsSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;

/**
 * The audio stage: for every ok clip of the manifest not processed yet, decodes its audio to
 * 16 kHz mono with sample 0 at the video's t = 0 and writes its per-frame features ({@code audio},
 * one row per 25 fps frame) and its status ({@code audio_clips}). Frame rows stream to Parquet a
 * minute of features at a time ({@link AudioRows}); status rows travel back in an accumulator.
 * Each commit group of a run ({@link CommitGroups}: {@code --commit-clips},
 * {@code --commit-frames}) adds one batch to both tables; the clips batch is committed last and
 * marks the group's clips as done, so a re-run skips them and a run that died leaves nothing
 * visible but the groups it finished.
 */
public final class AudioJob implements Job {

  @Override
  public String name() {
    return "audio";
  }

  @Override
  public String summary() {
    return "16 kHz audio and per-frame MFCC/log-mel/pitch features (OUTPUT/audio, audio_clips)";
  }

  @Override
  public Options options() {
    return AudioConfig.options();
  }

  @Override
  public void validate(Options.Parsed args) {
    AudioConfig.from(args);
  }

  @Override
  public String run(SparkSession spark, Options.Parsed args) throws Exception {
    ClipBatch r = process(spark, AudioConfig.from(args));
    StageProgress.finished(r);
    return r.summary("audio", "frames", args.get("output"), "audio", "audio_clips");
  }

  public static ClipBatch process(SparkSession spark, AudioConfig cfg) throws Exception {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    StageTables tables = StageTables.open(spark, cfg.output(), AudioSchemas.FRAMES,
        AudioSchemas.CLIPS, cfg.retryFailed());
    TableCommitter framesTable = tables.rows;
    TableCommitter clipsTable = tables.status;
    int[] skippedCount = {0};
    List<AudioRows.Todo> todo = new ArrayList<>();
    // Rows are per 25 fps frame for audio-only clips too: their duration bounds the groups.
    Map<String, Integer> expected = new java.util.HashMap<>();
    for (Row r : tables.pending(spark, cfg.output(), skippedCount, "clip_id", "path", "size",
        "media_kind", "video_duration_s", "duration_s")) {
      String kind = r.getString(3);
      Integer videoFrames = "av".equals(kind) || "video".equals(kind)
          ? StageTables.gridFrames(r, "video_duration_s", "duration_s") : null;
      todo.add(new AudioRows.Todo(r.getString(0), r.getString(1), r.getLong(2), videoFrames,
          kind));
      expected.put(r.getString(0), StageTables.gridFrames(r, "video_duration_s", "duration_s"));
    }
    int skipped = skippedCount[0];
    StageProgress progress = StageProgress.begin(spark, todo.size(), skipped);
    if (todo.isEmpty()) {
      return tables.nothingToDo(spark, skipped, AudioSchemas.VERSION,
          () -> StageTables.noOkClip(spark, cfg.output(), ClipsSchema.SCHEMA));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(hconf));
    ClipAttempts attempts = ClipAttempts.open(spark, cfg.output(), "audio", cfg.maxAttempts(),
        conf);
    List<List<AudioRows.Todo>> groups = CommitGroups.plan(todo, AudioRows.Todo::clipId,
        t -> expected.get(t.clipId()) == null ? 0 : expected.get(t.clipId()),
        attempts::suspect, cfg.commit());
    CommitGroups.Totals done = CommitGroups.commit("audio", tables, attempts, groups,
        (group, batch) -> {
          int slices = StageTables.slices(jsc, group.size(), cfg.partitions());
          CollectionAccumulator<Row> statuses = jsc.sc().collectionAccumulator("audio_clips");
          JavaRDD<Row> rows = attempts.parallelize(jsc, group, AudioRows.Todo::clipId, slices)
              .mapPartitions(it -> progress.perFrame(new AudioRows(it, cfg, conf.value(),
                  statuses, scratch(), attempts), statuses));
          framesTable.appendBatch(spark.createDataFrame(rows, AudioSchemas.FRAMES.struct()),
              batch, description(tables, cfg, batch, group.size(), null), PARQUET);
          return tables.commitStatuses(spark, "audio", batch, group.size(), statuses.value(),
              byStatus -> description(tables, cfg, batch, group.size(), byStatus), null);
        });
    return new ClipBatch(done.lastBatch(), done.clips(), skipped, done.rows(), done.byStatus());
  }

  /**
   * Columns of {@code audio} written without a Parquet dictionary: their features rarely
   * repeat, so in the bench-run output hdtf's dictionary failed its first-page check and
   * wav2lip's filled up in every file, both falling back to plain pages after hashing and
   * re-encoding what they had buffered (the dictionary's hash map was about a fifth of the
   * stage's task time in a JFR recording). evp (few distinct values) keeps it, as do the
   * per-clip columns; samples (only with --samples) was not measured and is left as it was.
   */
  static final List<String> PLAIN_COLUMNS = List.of("wav2lip.list.element",
      "hdtf.list.element");

  static final Map<String, String> PARQUET = TableCommitter.withoutDictionary(PLAIN_COLUMNS);

  /**
   * A task's scratch folder for audio spools: under Spark's local directories (spark.local.dir,
   * the cluster's scratch disks, removed with the application), else the JVM's temp folder.
   */
  private static java.nio.file.Path scratch() {
    try {
      return java.nio.file.Path.of(org.apache.spark.SparkFiles.getRootDirectory(), "audio");
    } catch (RuntimeException e) {
      return java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "talkset-audio");
    }
  }

  private static String description(StageTables tables, AudioConfig cfg, String batch,
      int clips, Map<String, Long> byStatus) {
    Map<String, Object> d = tables.description(AudioSchemas.VERSION, batch, clips);
    if (byStatus != null) {
      d.put("clips_by_status", byStatus);
    }
    d.put("samples_kept", cfg.keepSamples());
    d.put("conventions", new AudioFeatures(Pyin.Params.speech16k()).describe());
    return Json.write(d);
  }
}
