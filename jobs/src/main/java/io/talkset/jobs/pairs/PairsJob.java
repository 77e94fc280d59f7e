package io.talkset.jobs.pairs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.pairs.PairPlanner;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.io.Json;
import io.talkset.jobs.io.Sources;
import io.talkset.jobs.io.StageTables;
import io.talkset.jobs.io.TableCommitter;
import io.talkset.jobs.runtime.Job;
import io.talkset.schemas.AudioSchemas;
import io.talkset.schemas.ClipsSchema;
import io.talkset.schemas.PairsSchemas;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pairs stage: plans EVP's emotion pseudo-pairs from the manifest on the driver
 * ({@link PairPlanner}; clip metadata is small), then aligns each pair's audio features at the
 * 25 fps video grid by DTW on the executors, each clip's frames collected into one sorted list
 * and joined to its pairs. Writes one {@code pairs} row per pair in one atomic batch; pairs with
 * a row from an earlier run are skipped, unless that row (the latest) is failed and its cause
 * may be gone ({@code --retry-failed}, as the per-clip stages): a {@code no_audio} pair whose
 * clips' audio is now ok (the audio stage retried them), or an internal error. Readers see each
 * pair's latest row ({@link StageTables#current}). A pair whose clip the audio stage rejected or
 * failed gets a failed row (no_audio); a pair whose clip the audio stage has not reached yet
 * waits for a later run.
 */
public final class PairsJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(PairsJob.class);

  /** The planned columns: the first columns of the pairs table, filled on the driver. */
  static final int KEY_COLUMNS = 12;

  /**
   * What a run did.
   *
   * @param planned pairs in the plan
   * @param skipped planned pairs already in the table
   * @param waiting pairs left for a later run: a clip not yet through the audio stage
   * @param unpairable ok clips with no sentence key or no emotion
   */
  public record Result(String batch, int planned, int processed, int skipped, int waiting,
      int unpairable, Map<String, Long> byStatus) {}

  @Override
  public String name() {
    return "pairs";
  }

  @Override
  public String summary() {
    return "same-sentence, different-emotion pairs aligned by DTW on audio features"
        + " (OUTPUT/pairs)";
  }

  @Override
  public Options options() {
    return PairsConfig.options();
  }

  @Override
  public void validate(Options.Parsed args) {
    PairsConfig.from(args);
  }

  @Override
  public String run(SparkSession spark, Options.Parsed args) throws Exception {
    Result r = process(spark, PairsConfig.from(args));
    return String.format(Locale.ROOT, "pairs: %d planned, %d aligned (%d done before, %d"
        + " waiting for audio, %d clips without sentence key or emotion); by status %s%n"
        + "  table: %s/pairs%n", r.planned(), r.processed(), r.skipped(), r.waiting(),
        r.unpairable(), r.byStatus(), args.get("output"));
  }

  public static Result process(SparkSession spark, PairsConfig cfg) throws Exception {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    TableCommitter audioClips = new TableCommitter(hconf, cfg.output(),
        AudioSchemas.CLIPS.table());
    if (audioClips.batches().isEmpty()) {
      throw new IllegalStateException("pairs: no audio_clips table under " + cfg.output()
          + ": run the audio stage first");
    }
    PairPlanner.Plan plan = new PairPlanner(cfg.referenceEmotion(),
        cfg.referenceIntensity()).plan(clips(spark, cfg.output()), sentenceKeys(hconf, cfg));

    TableCommitter table = new TableCommitter(hconf, cfg.output(), PairsSchemas.PAIRS.table());
    table.recoverBatches();
    Map<String, Row> audio = new HashMap<>();
    for (Row r : StageTables.current(spark, cfg.output(), AudioSchemas.CLIPS)
        .select("clip_id", "status", "error_code", "error_message").collectAsList()) {
      audio.put(r.getString(0), r);
    }
    Set<String> done = new HashSet<>();
    int retrying = 0;
    if (!table.batches().isEmpty()) {
      for (Row r : StageTables.current(spark, cfg.output(), PairsSchemas.PAIRS)
          .select("pair_id", "status", "error_code", "reference_clip_id", "other_clip_id")
          .collectAsList()) {
        if (cfg.retryFailed() && "failed".equals(r.getString(1))
            && causeMayBeGone(r.isNullAt(2) ? null : r.getString(2), audio.get(r.getString(3)),
                audio.get(r.getString(4)))) {
          retrying++;
        } else {
          done.add(r.getString(0));
        }
      }
    }
    if (retrying > 0) {
      LOG.info("pairs: {} pair(s) whose latest row is failed are aligned again"
          + " (--retry-failed false keeps them)", retrying);
    }

    String settings = Json.write(cfg.describe());
    List<Row> toAlign = new ArrayList<>();
    List<Row> failed = new ArrayList<>();
    Set<String> needed = new HashSet<>();
    int skipped = 0;
    int waiting = 0;
    for (PairPlanner.Pair p : plan.pairs()) {
      if (done.contains(p.pairId())) {
        skipped++;
        continue;
      }
      Row planned = planned(p);
      String[] ids = {p.reference().clipId(), p.other().clipId()};
      if (!audio.containsKey(ids[0]) || !audio.containsKey(ids[1])) {
        waiting++;
        continue;
      }
      String why = noAudio("reference", audio.get(ids[0]));
      why = why != null ? why : noAudio("other", audio.get(ids[1]));
      if (why != null) {
        Object[] v = PairRows.head(planned, cfg, settings);
        PairRows.failed(v, ErrorCodes.NO_AUDIO, why);
        failed.add(RowFactory.create(v));
        continue;
      }
      toAlign.add(planned);
      needed.addAll(Arrays.asList(ids));
    }
    int processed = toAlign.size() + failed.size();
    if (processed == 0) {
      if (table.batches().isEmpty()) {
        // No pair yet: an empty batch, so the table exists with its schema for shards and
        // readers, whatever the collection held.
        String batch = StageTables.newBatchId();
        table.appendBatch(spark.createDataFrame(List.of(), PairsSchemas.PAIRS.struct()), batch,
            description(cfg, batch, 0, plan));
      }
      return new Result(null, plan.pairs().size(), 0, skipped, waiting, plan.unpairable().size(),
          Map.of());
    }

    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    StructType plannedSchema = plannedSchema();
    Dataset<Row> rows = spark.createDataFrame(failed, PairsSchemas.PAIRS.struct());
    if (!toAlign.isEmpty()) {
      Dataset<Row> ids = spark.createDataset(new ArrayList<>(needed), Encoders.STRING())
          .toDF("clip_id");
      // One sorted list per clip: a clip's features are small (≈ 60–1300 floats a frame).
      Dataset<Row> seqs = StageTables.current(spark, cfg.output(), AudioSchemas.FRAMES)
          .join(functions.broadcast(ids), "clip_id")
          .groupBy("clip_id")
          .agg(sort_array(collect_list(struct(col("frame_index"), col(cfg.features()))))
              .as("seq"));
      Dataset<Row> ref = seqs.select(col("clip_id").as("ref_id"), col("seq").as("ref_seq"));
      Dataset<Row> oth = seqs.select(col("clip_id").as("oth_id"), col("seq").as("oth_seq"));
      Dataset<Row> pairs = spark.createDataFrame(toAlign, plannedSchema);
      Dataset<Row> joined = pairs
          .join(ref, pairs.col("reference_clip_id").equalTo(ref.col("ref_id")), "left")
          .join(oth, pairs.col("other_clip_id").equalTo(oth.col("oth_id")), "left");
      List<org.apache.spark.sql.Column> select = new ArrayList<>();
      for (StructField f : plannedSchema.fields()) {
        select.add(pairs.col(f.name()));
      }
      select.add(col("ref_seq"));
      select.add(col("oth_seq"));
      int slices = StageTables.slices(jsc, toAlign.size(), cfg.partitions());
      JavaRDD<Row> aligned = joined.select(select.toArray(new org.apache.spark.sql.Column[0]))
          .repartition(slices).javaRDD().mapPartitions(it -> new PairRows(it, cfg));
      rows = rows.union(spark.createDataFrame(aligned, PairsSchemas.PAIRS.struct()));
    }
    String batch = StageTables.newBatchId();
    table.appendBatch(rows, batch, description(cfg, batch, processed, plan));
    Map<String, Long> byStatus = new TreeMap<>();
    for (Row r : StageTables.read(spark, PairsSchemas.PAIRS.struct(),
        table.table() + "/batch=" + batch).groupBy("status").count().collectAsList()) {
      byStatus.put(r.getString(0), r.getLong(1));
    }
    return new Result(batch, plan.pairs().size(), processed, skipped, waiting,
        plan.unpairable().size(), byStatus);
  }

  /** The manifest's ok clips, as the planner reads them. */
  static List<PairPlanner.Clip> clips(SparkSession spark, String output) throws Exception {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    List<PairPlanner.Clip> out = new ArrayList<>();
    for (Row r : StageTables.read(spark, ClipsSchema.SCHEMA.struct(),
            TableCommitter.location(output, ClipsSchema.SCHEMA.table()).toString())
        .filter(col("status").equalTo("ok"))
        .select("clip_id", "path", "dataset", "speaker", "emotion", "intensity", "sentence_key",
            "view", "take", "transcript")
        .collectAsList()) {
      out.add(new PairPlanner.Clip(r.getString(0), r.getString(1), r.getString(2),
          r.getString(3), r.getString(4), r.getString(5), r.getString(6), r.getString(7),
          r.getString(8), r.getString(9)));
    }
    return out;
  }

  private static PairPlanner.SentenceKeys sentenceKeys(Configuration hconf, PairsConfig cfg) {
    if (cfg.sentenceKeys().isEmpty()) {
      return PairPlanner.SentenceKeys.empty();
    }
    return PairPlanner.SentenceKeys.parse(cfg.sentenceKeys(),
        Sources.readLines(cfg.sentenceKeys(), hconf, "--sentence-keys"));
  }


  /**
   * Whether a pair that failed with {@code errorCode} may succeed now: a {@code no_audio}
   * failure once both clips' latest audio status is ok (else the same row would be written
   * again every run), any other failure when {@link StageTables#retryable}.
   */
  static boolean causeMayBeGone(String errorCode, Row referenceAudio, Row otherAudio) {
    if (ErrorCodes.NO_AUDIO.equals(errorCode)) {
      return referenceAudio != null && otherAudio != null
          && "ok".equals(referenceAudio.getString(1)) && "ok".equals(otherAudio.getString(1));
    }
    return StageTables.retryable(errorCode);
  }

  /** Why a clip has no usable audio, from its audio_clips row; null when ok. */
  private static String noAudio(String role, Row status) {
    if ("ok".equals(status.getString(1))) {
      return null;
    }
    return role + " clip " + status.getString(0) + " has no usable audio: audio_clips status "
        + status.getString(1) + (status.isNullAt(2) ? "" : " (" + status.getString(2) + ")")
        + (status.isNullAt(3) ? "" : ": " + status.getString(3));
  }

  private static StructType plannedSchema() {
    return new StructType(Arrays.copyOf(PairsSchemas.PAIRS.struct().fields(), KEY_COLUMNS));
  }

  private static Row planned(PairPlanner.Pair p) {
    return RowFactory.create(p.pairId(), p.dataset(), p.speaker(), p.sentenceKey(),
        p.keySource(), p.view(), p.reference().clipId(), p.reference().emotion(),
        p.reference().intensity(), p.other().clipId(), p.other().emotion(),
        p.other().intensity());
  }

  private static String description(PairsConfig cfg, String batch, int pairs,
      PairPlanner.Plan plan) {
    Map<String, Object> d = new java.util.LinkedHashMap<>();
    d.put("tables", List.of(PairsSchemas.PAIRS.table()));
    d.put("schema_version", PairsSchemas.VERSION);
    d.put("batch", batch);
    d.put("written_at", java.time.Instant.now().toString());
    d.put("talkset_version", io.talkset.jobs.runtime.Version.get());
    d.put("pairs", pairs);
    d.put("planned_pairs", plan.pairs().size());
    d.put("groups", plan.groups());
    d.put("groups_without_reference", plan.groupsWithoutReference());
    d.put("unpairable_clips", plan.unpairable().size());
    d.put("settings", cfg.describe());
    return Json.write(d);
  }
}
