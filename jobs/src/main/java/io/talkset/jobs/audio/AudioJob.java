package io.talkset.jobs.audio;

import io.talkset.core.audio.AudioFeatures;
import io.talkset.core.audio.Pyin;
import io.talkset.jobs.cli.Options;
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
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The audio stage: for every ok clip of the manifest not processed yet, decodes its audio to
 * 16 kHz mono with sample 0 at the video's t = 0 and writes its per-frame features ({@code audio},
 * one row per 25 fps frame) and its status ({@code audio_clips}). Each run adds one batch to both
 * tables; the clips batch is committed last and marks the clips as done, so a re-run skips them
 * and a run that died leaves nothing visible.
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
    for (Row r : tables.pending(spark, cfg.output(), skippedCount, "clip_id", "path", "size",
        "media_kind", "video_duration_s", "duration_s")) {
      String kind = r.getString(3);
      Integer videoFrames = "av".equals(kind) || "video".equals(kind)
          ? StageTables.gridFrames(r, "video_duration_s", "duration_s") : null;
      todo.add(new AudioRows.Todo(r.getString(0), r.getString(1), r.getLong(2), videoFrames,
          kind));
    }
    int skipped = skippedCount[0];
    StageProgress progress = StageProgress.begin(spark, todo.size(), skipped);
    if (todo.isEmpty()) {
      return tables.nothingToDo(spark, skipped, AudioSchemas.VERSION,
          () -> StageTables.noOkClip(spark, cfg.output(), ClipsSchema.SCHEMA));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int slices = StageTables.slices(jsc, todo.size(), cfg.partitions());
    Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(hconf));
    JavaRDD<Tuple2<Row, List<Row>>> results = jsc.parallelize(todo, slices)
        .mapPartitions(it -> progress.perClip(AudioRows.process(it, cfg, conf.value()),
            t -> t._2().size()))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> statusRows = spark.createDataFrame(results.map(Tuple2::_1),
          AudioSchemas.CLIPS.struct());
      Dataset<Row> frameRows = spark.createDataFrame(
          results.flatMap(t -> t._2().iterator()), AudioSchemas.FRAMES.struct());
      Map<String, Long> byStatus = new TreeMap<>();
      for (Row r : statusRows.groupBy("status").count().collectAsList()) {
        byStatus.put(r.getString(0), r.getLong(1));
      }
      String batch = tables.newBatch();
      String description = description(tables, cfg, batch, todo.size(), byStatus);
      framesTable.appendBatch(frameRows, batch, description);
      long frames = spark.read().parquet(framesTable.table() + "/batch=" + batch).count();
      // Committed last: from here on the clips count as done.
      clipsTable.appendBatch(statusRows, batch, description);
      return new ClipBatch(batch, todo.size(), skipped, frames, byStatus);
    } finally {
      results.unpersist(false);
    }
  }

  private static String description(StageTables tables, AudioConfig cfg, String batch,
      int clips, Map<String, Long> byStatus) {
    Map<String, Object> d = tables.description(AudioSchemas.VERSION, batch, clips);
    d.put("clips_by_status", byStatus);
    d.put("samples_kept", cfg.keepSamples());
    d.put("conventions", new AudioFeatures(Pyin.Params.speech16k()).describe());
    return Json.write(d);
  }
}
