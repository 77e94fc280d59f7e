package io.talkset.jobs.frames;

import io.talkset.core.models.ModelFiles;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.io.ClipAttempts;
import io.talkset.jobs.io.CommitGroups;
import io.talkset.jobs.io.HadoopConf;
import io.talkset.jobs.io.Json;
import io.talkset.jobs.io.StageTables;
import io.talkset.jobs.io.TableCommitter;
import io.talkset.jobs.progress.StageProgress;
import io.talkset.jobs.runtime.ClipBatch;
import io.talkset.jobs.runtime.GpuStages;
import io.talkset.jobs.runtime.Job;
import io.talkset.jobs.runtime.ModelCheck;
import io.talkset.schemas.ClipsSchema;
import io.talkset.schemas.FramesSchemas;
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
 * The frames stage: for every ok clip with video not processed yet, finds the faces, tracks them,
 * picks the subject segments and writes their 512×512 crops on the 25 fps grid ({@code frames},
 * one row per frame, the same frame numbers as {@code audio}) and each clip's status and segments
 * ({@code frames_clips}). Frame rows stream from the decoder to Parquet (one crop in memory per
 * task); status rows travel back in an accumulator and are committed last, which marks the clips
 * done: a re-run skips them and a run that died leaves nothing visible but the commit groups it
 * finished ({@link CommitGroups}: {@code --commit-clips}, {@code --commit-frames}).
 */
public final class FramesJob implements Job {

  @Override
  public String name() {
    return "frames";
  }

  @Override
  public String summary() {
    return "face detection, tracking and 512x512 crops on the 25 fps grid"
        + " (OUTPUT/frames, frames_clips)";
  }

  @Override
  public Options options() {
    return FramesConfig.options();
  }

  @Override
  public void validate(Options.Parsed args) {
    FramesConfig.from(args);
  }

  @Override
  public String run(SparkSession spark, Options.Parsed args) throws Exception {
    ClipBatch r = process(spark, FramesConfig.from(args));
    StageProgress.finished(r);
    return r.summary("frames", "face frames", args.get("output"), "frames", "frames_clips");
  }

  public static ClipBatch process(SparkSession spark, FramesConfig cfg) throws Exception {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    StageTables tables = StageTables.open(spark, cfg.output(), FramesSchemas.FRAMES,
        FramesSchemas.CLIPS, cfg.retryFailed());
    TableCommitter framesTable = tables.rows;
    TableCommitter clipsTable = tables.status;
    int[] skippedCount = {0};
    List<FramesRows.Todo> todo = new ArrayList<>();
    for (Row r : tables.pending(spark, cfg.output(), skippedCount, "clip_id", "path", "size",
        "media_kind", "video_duration_s", "duration_s", "rotation_deg")) {
      // The audio stage's frame count, so both tables number the same frames.
      todo.add(new FramesRows.Todo(r.getString(0), r.getString(1), r.getLong(2),
          StageTables.gridFrames(r, "video_duration_s", "duration_s"),
          r.isNullAt(6) ? 0 : r.getInt(6), r.getString(3)));
    }
    int skipped = skippedCount[0];
    StageProgress progress = StageProgress.begin(spark, todo.size(), skipped);
    if (todo.isEmpty()) {
      return tables.nothingToDo(spark, skipped, FramesSchemas.VERSION,
          () -> StageTables.noOkClip(spark, cfg.output(), ClipsSchema.SCHEMA));
    }
    ModelCheck.beforeTasks("frames", cfg.models(), models(cfg));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(hconf));
    ClipAttempts attempts = ClipAttempts.open(spark, cfg.output(), "frames", cfg.maxAttempts(),
        conf);
    List<List<FramesRows.Todo>> groups = CommitGroups.plan(todo, FramesRows.Todo::clipId,
        t -> t.gridFrames() == null ? 0 : t.gridFrames(), attempts::suspect, cfg.commit());
    CommitGroups.Totals done = CommitGroups.commit("frames", tables, attempts, groups,
        (group, batch) -> {
          int slices = StageTables.slices(jsc, group.size(), cfg.partitions());
          CollectionAccumulator<Row> statuses = jsc.sc().collectionAccumulator("frames_clips");
          // Detection runs in these tasks: they alone ask for a GPU
          // (spark.talkset.gpu.taskAmount).
          JavaRDD<Row> rows = GpuStages.forModelTasks(attempts.parallelize(jsc, group,
              FramesRows.Todo::clipId, slices).mapPartitions(it -> progress.perFrame(
                  new FramesRows(it, cfg, conf.value(), statuses, attempts), statuses)),
              cfg.device());
          framesTable.appendBatch(spark.createDataFrame(rows, FramesSchemas.FRAMES.struct()),
              batch, description(tables, cfg, batch, group.size(), null));
          return tables.commitStatuses(spark, "frames", batch, group.size(), statuses.value(),
              byStatus -> description(tables, cfg, batch, group.size(), byStatus), "device");
        });
    return new ClipBatch(done.lastBatch(), done.clips(), skipped, done.rows(), done.byStatus(),
        null, done.other());
  }

  /** The detector files {@code --detector} loads ({@link Detectors}). */
  static List<String> models(FramesConfig cfg) {
    return switch (cfg.detector()) {
      case 128 -> List.of(ModelFiles.BLAZEFACE_128);
      case 256 -> List.of(ModelFiles.BLAZEFACE_256);
      default -> List.of(ModelFiles.BLAZEFACE_256, ModelFiles.BLAZEFACE_128);
    };
  }

  private static String description(StageTables tables, FramesConfig cfg, String batch,
      int clips, Map<String, Long> byStatus) {
    Map<String, Object> d = tables.description(FramesSchemas.VERSION, batch, clips);
    if (byStatus != null) {
      d.put("clips_by_status", byStatus);
    }
    d.put("settings", cfg.describe());
    return Json.write(d);
  }
}
