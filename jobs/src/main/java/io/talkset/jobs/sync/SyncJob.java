package io.talkset.jobs.sync;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;

import io.talkset.core.sync.AvSync;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.io.ClipAttempts;
import io.talkset.jobs.io.CommitGroups;
import io.talkset.jobs.io.HadoopConf;
import io.talkset.jobs.io.Json;
import io.talkset.jobs.io.StageTables;
import io.talkset.jobs.io.TableCommitter;
import io.talkset.jobs.runtime.ClipBatch;
import io.talkset.jobs.runtime.Job;
import io.talkset.schemas.ClipsSchema;
import io.talkset.schemas.ParamsSchemas;
import io.talkset.schemas.SyncSchemas;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * The sync stage: for every clip whose face parameters are done (face_params_clips ok) and that
 * has no sync rows yet, estimates per face segment how many frames the audio is shifted against
 * the picture ({@link AvSync}: mouth opening from the landmarks against the audio loudness,
 * lags ±{@code --sync-max-lag}), so users can drop or re-align out-of-sync clips. The landmarks
 * are the params stage's smoothed ones: the inner-lip gap of a small face is noisy, and its
 * default One-Euro filter is causal, so it may delay the mouth by about a frame (Savitzky-Golay
 * is zero-phase).
 * Mouth openings are computed where the landmarks are and gathered per clip (a few bytes a
 * frame); each clip's audio is decoded once on an executor. Both tables are small (a row per
 * segment and per clip) and written one batch per commit group ({@link CommitGroups}), the
 * status table last.
 */
public final class SyncJob implements Job {
  /** What a run did. */
  public record Result(String batch, int processed, int skipped, int segments,
      Map<String, Long> byStatus, Map<String, Long> segmentsByStatus, String nothingToDo) {
    Result(String batch, int processed, int skipped, int segments, Map<String, Long> byStatus,
        Map<String, Long> segmentsByStatus) {
      this(batch, processed, skipped, segments, byStatus, segmentsByStatus, null);
    }
  }

  static final StructType MOUTH = new StructType()
      .add("clip_id", DataTypes.StringType, false)
      .add("segment", DataTypes.IntegerType, false)
      .add("frame_index", DataTypes.IntegerType, false)
      .add("mouth", DataTypes.DoubleType, false);

  @Override
  public String name() {
    return "sync";
  }

  @Override
  public String summary() {
    return "audio-visual offset and confidence per face segment, from mouth opening against"
        + " audio loudness (OUTPUT/sync, sync_clips)";
  }

  @Override
  public Options options() {
    return SyncConfig.options();
  }

  @Override
  public void validate(Options.Parsed args) {
    SyncConfig.from(args);
  }

  @Override
  public String run(SparkSession spark, Options.Parsed args) throws Exception {
    Result r = process(spark, SyncConfig.from(args));
    return String.format(Locale.ROOT, "sync: %d clips processed (%d done before), %d segments;"
        + " clips by status %s, segments by status %s%n%s  tables: %s/sync, %s/sync_clips%n",
        r.processed(), r.skipped(), r.segments(), r.byStatus(), r.segmentsByStatus(),
        r.nothingToDo() == null ? "" : "  nothing to do: " + r.nothingToDo() + "\n",
        args.get("output"), args.get("output"));
  }

  public static Result process(SparkSession spark, SyncConfig cfg) throws Exception {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    TableCommitter paramsClips = new TableCommitter(hconf, cfg.output(),
        ParamsSchemas.CLIPS.table());
    if (paramsClips.batches().isEmpty()) {
      throw new IllegalStateException("sync: no face_params_clips table under " + cfg.output()
          + ": run the params stage first");
    }
    StageTables tables = StageTables.open(spark, cfg.output(), SyncSchemas.SEGMENTS,
        SyncSchemas.CLIPS, cfg.retryFailed());
    Set<String> todo = new HashSet<>();
    // Frames with parameters: what bounds the commit groups.
    Map<String, Integer> expected = new java.util.HashMap<>();
    int skipped = 0;
    for (Row r : StageTables.current(spark, cfg.output(), ParamsSchemas.CLIPS)
        .filter(col("status").equalTo("ok"))
        .select("clip_id", "frames").collectAsList()) {
      if (tables.done(r.getString(0))) {
        skipped++;
      } else {
        todo.add(r.getString(0));
        expected.put(r.getString(0), r.isNullAt(1) ? 0 : r.getInt(1));
      }
    }
    if (todo.isEmpty()) {
      ClipBatch none = tables.nothingToDo(spark, skipped, SyncSchemas.VERSION,
          () -> StageTables.noOkClip(spark, cfg.output(), ParamsSchemas.CLIPS));
      return new Result(null, 0, skipped, 0, Map.of(), Map.of(), none.nothingToDo());
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(hconf));
    ClipAttempts attempts = ClipAttempts.open(spark, cfg.output(), "sync", cfg.maxAttempts(),
        conf);
    List<List<String>> groups = CommitGroups.plan(new ArrayList<>(todo), id -> id,
        expected::get, attempts::suspect, cfg.commit());
    CommitGroups.Totals done = CommitGroups.commit("sync", tables, attempts, groups,
        (group, batch) -> {
          Dataset<Row> ids = spark.createDataset(group, Encoders.STRING()).toDF("clip_id");
          // Mouth openings where the landmarks are: 8 bytes a frame travel, not 136 floats.
          JavaRDD<Row> mouth = StageTables.currentOf(spark, cfg.output(), ParamsSchemas.PARAMS,
                  group)
              .select("clip_id", "segment", "frame_index", "landmarks")
              .javaRDD()
              .map(r -> RowFactory.create(r.getString(0), r.getInt(1), r.getInt(2),
                  AvSync.mouthOpening(floats(r.getList(3)))));
          Dataset<Row> series = spark.createDataFrame(mouth, MOUTH)
              .groupBy("clip_id")
              .agg(sort_array(collect_list(struct(col("segment"), col("frame_index"),
                  col("mouth")))).as("frames"));
          Dataset<Row> manifest = spark.read().schema(ClipsSchema.SCHEMA.struct())
              .parquet(TableCommitter.location(cfg.output(), ClipsSchema.SCHEMA.table())
                  .toString())
              .join(functions.broadcast(ids), "clip_id")
              .select("clip_id", "path", "size");
          int slices = StageTables.slices(jsc, group.size(), cfg.partitions());
          // Per clip the output is a few rows: they come back to the driver, which writes both
          // tables.
          List<Tuple2<Row, List<Row>>> results = manifest.join(series, "clip_id", "left")
              .select("clip_id", "path", "size", "frames")
              .repartition(slices, attempts.partitionKey(col("clip_id")))
              .javaRDD()
              .mapPartitions(it -> SyncRows.process(it, cfg, conf.value(), attempts))
              .collect();
          List<Row> statuses = new ArrayList<>();
          List<Row> segments = new ArrayList<>();
          for (Tuple2<Row, List<Row>> t : results) {
            statuses.add(t._1());
            segments.addAll(t._2());
          }
          Map<String, Row> byClip = StageTables.oneStatusPerClip(statuses);
          Map<String, Long> byStatus = StageTables.countByStatus(byClip.values(),
              SyncSchemas.CLIPS);
          String description = description(tables, cfg, batch, byClip.size(), byStatus);
          tables.rows.appendBatch(spark.createDataFrame(segments,
              SyncSchemas.SEGMENTS.struct()), batch, description);
          // Committed last: from here on the group's clips count as done.
          tables.status.appendBatch(spark.createDataFrame(new ArrayList<>(byClip.values()),
              SyncSchemas.CLIPS.struct()), batch, description);
          return new CommitGroups.Committed(byClip.keySet(), segments.size(), byStatus,
              StageTables.countByStatus(segments, SyncSchemas.SEGMENTS));
        });
    return new Result(done.lastBatch(), done.clips(), skipped, (int) done.rows(),
        done.byStatus(), done.other());
  }

  static float[] floats(List<Object> l) {
    float[] f = new float[l.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = ((Number) l.get(i)).floatValue();
    }
    return f;
  }

  private static String description(StageTables tables, SyncConfig cfg, String batch,
      int clips, Map<String, Long> byStatus) {
    Map<String, Object> d = tables.description(SyncSchemas.VERSION, batch, clips);
    d.put("clips_by_status", byStatus);
    d.put("settings", cfg.describe());
    return Json.write(d);
  }
}
