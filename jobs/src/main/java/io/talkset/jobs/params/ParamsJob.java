package io.talkset.jobs.params;

import io.talkset.core.faceparams.IdentityGroups;
import io.talkset.core.models.FaceApiModels;
import io.talkset.core.models.HumanModels;
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
import io.talkset.schemas.ParamsSchemas;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.util.CollectionAccumulator;

/**
 * The face-parameters stage: for every clip whose frames are done (frames_clips ok) and that has
 * no parameters yet, runs landmarks, expression, identity and the optional 3DMM regressor on its
 * crops and solves head pose ({@code face_params}, one row per frames row), and writes the clip's
 * status with per-segment identity and expression summaries ({@code face_params_clips}, committed
 * last). Each new segment joins the nearest identity group of every run so far, or founds one
 * ({@link IdentityGroups}: centroid distance under {@code --identity-threshold}; ids stable).
 */
public final class ParamsJob implements Job {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ParamsJob.class);

  @Override
  public String name() {
    return "params";
  }

  @Override
  public String summary() {
    return "68 landmarks, face mesh, head pose, expression, identity and optional 3DMM per face frame"
        + " (OUTPUT/face_params, face_params_clips)";
  }

  @Override
  public Options options() {
    return ParamsConfig.options();
  }

  @Override
  public void validate(Options.Parsed args) {
    ParamsConfig.from(args);
  }

  @Override
  public String run(SparkSession spark, Options.Parsed args) throws Exception {
    ClipBatch r = process(spark, ParamsConfig.from(args));
    StageProgress.finished(r);
    return r.summary("params", "face frames", args.get("output"), "face_params",
        "face_params_clips");
  }

  /**
   * Every pinned file the networks load ({@code FaceApiModels}: manifest and weights; FaceMesh:
   * the tfjs model file and its weights when the mesh is on).
   */
  static List<String> modelFiles(ParamsConfig cfg) {
    List<String> files = new ArrayList<>();
    for (String base : new String[] {FaceApiModels.LANDMARKS, FaceApiModels.EXPRESSION,
        FaceApiModels.RECOGNITION}) {
      if (cfg.expression() || !base.equals(FaceApiModels.EXPRESSION)) {
        files.add(base + "-weights_manifest.json");
        files.add(base + ".bin");
      }
    }
    if (cfg.mesh().equals("facemesh")) {
      files.add(HumanModels.FACEMESH);
      files.add(HumanModels.FACEMESH.replace(".json", ".bin"));
    }
    return files;
  }

  /** The pinned files this stage reads with these settings, for the status rows. */
  static Map<String, String> modelPins(ParamsConfig cfg) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String base : new String[] {FaceApiModels.LANDMARKS, FaceApiModels.EXPRESSION,
        FaceApiModels.RECOGNITION}) {
      m.put(base + ".bin", ModelFiles.pin(base + ".bin"));
    }
    if (cfg.mesh().equals("facemesh")) {
      String json = HumanModels.FACEMESH;
      m.put(json, ModelFiles.pin(json));
      String bin = json.replace(".json", ".bin");
      m.put(bin, ModelFiles.pin(bin));
    }
    return m;
  }

  /**
   * Whether a pseudo label names the dataset's emotion (vocabularies differ slightly); null when
   * the dataset's label has no face-api class (contempt, calm, …).
   */
  static Boolean sameEmotion(String pseudo, String dataset) {
    String d = dataset.trim().toLowerCase(Locale.ROOT);
    String as = switch (d) {
      case "happiness", "happy", "joy" -> "happy";
      case "sadness", "sad" -> "sad";
      case "anger", "angry" -> "angry";
      case "fear", "fearful", "afraid" -> "fearful";
      case "disgust", "disgusted" -> "disgusted";
      case "surprise", "surprised" -> "surprised";
      case "neutral" -> "neutral";
      default -> null;
    };
    return as == null ? null : as.equals(pseudo);
  }

  public static ClipBatch process(SparkSession spark, ParamsConfig requested) throws Exception {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    // The 3DMM file is hashed here, pinned or not, so every clip records which file it used.
    ParamsConfig cfg = FaceNets.threeDmmOnDriver(requested, hconf);
    StageTables tables = StageTables.open(spark, cfg.output(), ParamsSchemas.PARAMS,
        ParamsSchemas.CLIPS, cfg.retryFailed());
    TableCommitter framesClips = new TableCommitter(hconf, cfg.output(),
        FramesSchemas.CLIPS.table());
    if (framesClips.batches().isEmpty()) {
      throw new IllegalStateException("params: no frames_clips table under " + cfg.output()
          + ": run the frames stage first");
    }
    Dataset<Row> ok = StageTables.current(spark, cfg.output(), FramesSchemas.CLIPS)
        .filter(functions.col("status").equalTo("ok"))
        .select("clip_id", "width", "height", "frames_written");
    Dataset<Row> manifest = StageTables.read(spark, ClipsSchema.SCHEMA.struct(),
        TableCommitter.location(cfg.output(), ClipsSchema.SCHEMA.table()).toString())
        .select("clip_id", "emotion");
    Map<String, ParamsRows.ClipInfo> info = new HashMap<>();
    // Its frames rows, one face_params row each: what bounds the commit groups.
    Map<String, Integer> expected = new HashMap<>();
    int skipped = 0;
    for (Row r : ok.join(manifest, ok.col("clip_id").equalTo(manifest.col("clip_id")), "left")
        .select(ok.col("clip_id"), ok.col("width"), ok.col("height"), manifest.col("emotion"),
            ok.col("frames_written"))
        .collectAsList()) {
      if (tables.done(r.getString(0))) {
        skipped++;
      } else {
        info.put(r.getString(0), new ParamsRows.ClipInfo(r.getInt(1), r.getInt(2),
            r.isNullAt(3) ? null : r.getString(3)));
        expected.put(r.getString(0), r.isNullAt(4) ? 0 : r.getInt(4));
      }
    }
    StageProgress progress = StageProgress.begin(spark, info.size(), skipped);
    if (info.isEmpty()) {
      return tables.nothingToDo(spark, skipped, ParamsSchemas.VERSION,
          () -> StageTables.noOkClip(spark, cfg.output(), FramesSchemas.CLIPS));
    }
    ModelCheck.beforeTasks("params", cfg.models(), modelFiles(cfg));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(hconf));
    ClipAttempts attempts = ClipAttempts.open(spark, cfg.output(), "params", cfg.maxAttempts(),
        conf);
    List<List<String>> groups = CommitGroups.plan(new ArrayList<>(info.keySet()), id -> id,
        expected::get, attempts::suspect, cfg.commit());
    CommitGroups.Totals done = CommitGroups.commit("params", tables, attempts, groups,
        (group, batch) -> {
          Map<String, ParamsRows.ClipInfo> groupInfo = new HashMap<>();
          for (String id : group) {
            groupInfo.put(id, info.get(id));
          }
          int slices = StageTables.slices(jsc, group.size(), cfg.partitions());
          Broadcast<Map<String, ParamsRows.ClipInfo>> clips = jsc.broadcast(groupInfo);
          CollectionAccumulator<Row> statuses =
              jsc.sc().collectionAccumulator("face_params_clips");
          // Only the rows of each clip's ok attempt: a retried clip's failed attempt left rows
          // too.
          Dataset<Row> frames = StageTables.currentOf(spark, cfg.output(), FramesSchemas.FRAMES,
                  group)
              .select("clip_id", "segment", "frame_index", "jpeg", "size", "window_x",
                  "window_y", "window_side", "face_box")
              .repartition(slices, attempts.partitionKey(functions.col("clip_id")))
              .sortWithinPartitions("clip_id", "segment", "frame_index");
          // The networks run after the shuffle, in these tasks: they alone ask for a GPU.
          JavaRDD<Row> rows = GpuStages.forModelTasks(frames.javaRDD().mapPartitions(
              it -> progress.perFrame(new ParamsRows(it, cfg, conf.value(), clips.value(),
                  statuses, attempts), statuses)), cfg.device());
          tables.rows.appendBatch(spark.createDataFrame(rows, ParamsSchemas.PARAMS.struct()),
              batch, description(tables, cfg, batch, group.size(), null, null), PARQUET);
          Map<String, Row> byClip = StageTables.oneStatusPerClip(statuses.value());
          // A clip whose frames vanished from the frames table never reached a task.
          for (String id : group) {
            byClip.computeIfAbsent(id, k -> missing(k, cfg));
          }
          // The rows batch is written: whatever grouping does, the statuses commit, so a
          // failure here (it should not: memory is one centroid per group) leaves segments
          // ungrouped, not the rows dropped by the next run. The groups committed so far,
          // earlier commit groups of this run included, are the ones new segments join.
          List<Row> committed;
          String grouping;
          try {
            committed = groupIdentities(new ArrayList<>(byClip.values()),
                existingGroups(spark, tables, cfg.output(), cfg.identityThreshold()));
            grouping = GROUPING_CENTROID;
          } catch (RuntimeException | java.io.IOException | OutOfMemoryError e) {
            LOG.warn("params: identity grouping failed, segments of batch {} stay ungrouped",
                batch, e);
            committed = new ArrayList<>(byClip.values());
            grouping = "failed: " + e;
          }
          Map<String, Long> byStatus = StageTables.countByStatus(committed,
              ParamsSchemas.CLIPS);
          long count = spark.read().schema(ParamsSchemas.PARAMS.struct())
              .parquet(tables.rows.table() + "/batch=" + batch).count();
          tables.status.appendBatch(spark.createDataFrame(committed,
              ParamsSchemas.CLIPS.struct()), batch, description(tables, cfg, batch,
              group.size(), byStatus, grouping));
          return new CommitGroups.Committed(byClip.keySet(), count, byStatus,
              StageTables.countBy(committed, ParamsSchemas.CLIPS, "device"));
        });
    return new ClipBatch(done.lastBatch(), done.clips(), skipped, done.rows(), done.byStatus(),
        null, done.other());
  }

  /**
   * Columns of {@code face_params} written without a Parquet dictionary: every value differs
   * (points, mesh, probabilities, pose), so the dictionary filled up or failed its first-page
   * check in every file of the bench-run output and fell back to plain encoding after
   * re-encoding what it had buffered: the same plain pages, paid for twice (hashing 1,700
   * floats a row was about a tenth of the stage's CPU in a JFR recording). The per-clip and
   * repeating columns (clip_id, segment, mesh_confidence) keep it.
   */
  static final List<String> PLAIN_COLUMNS = List.of("landmarks.list.element",
      "landmarks_raw.list.element", "landmarks_crop.list.element", "yaw_deg", "pitch_deg",
      "roll_deg", "tx_mm", "ty_mm", "tz_mm", "pose_error_px", "expression.list.element",
      "mesh.list.element");

  static final Map<String, String> PARQUET = TableCommitter.withoutDictionary(PLAIN_COLUMNS);

  private static Row missing(String clipId, ParamsConfig cfg) {
    Object[] s = new Object[ParamsSchemas.CLIPS.struct().size()];
    org.apache.spark.sql.types.StructType t = ParamsSchemas.CLIPS.struct();
    s[t.fieldIndex("clip_id")] = clipId;
    s[t.fieldIndex("status")] = "failed";
    s[t.fieldIndex("error_code")] = io.talkset.core.errors.ErrorCodes.INTERNAL;
    s[t.fieldIndex("error_message")] = "frames_clips says ok but the frames table has no rows"
        + " for this clip";
    s[t.fieldIndex("frames")] = 0;
    s[t.fieldIndex("settings")] = Json.write(cfg.describe());
    s[t.fieldIndex("processed_at")] = new java.sql.Timestamp(System.currentTimeMillis());
    return RowFactory.create(s);
  }

  /** What the batch descriptions say about identity groups written by {@link IdentityGroups}. */
  static final String GROUPING_KEY = "identity_grouping";
  static final String GROUPING_CENTROID = "centroid-v1";

  /**
   * The identity groups of every committed clip, for this run's new segments to join: per group,
   * the sum and number of its members' descriptors (summed on the executors, so the driver holds
   * one centroid per group whatever the number of segments). Only each clip's latest status
   * counts, and only batches whose description says their groups came from
   * {@link IdentityGroups} ({@value #GROUPING_KEY}); batches written before numbered their
   * groups per batch, so their numbers mean nothing across batches and are left out.
   */
  static IdentityGroups existingGroups(SparkSession spark, StageTables tables, String output,
      double threshold) throws java.io.IOException {
    IdentityGroups groups = new IdentityGroups(128, threshold);
    List<String> stable = new ArrayList<>();
    org.apache.hadoop.fs.FileSystem fs = tables.status.table().getFileSystem(
        spark.sparkContext().hadoopConfiguration());
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    for (String b : tables.status.batches()) {
      org.apache.hadoop.fs.Path d = new org.apache.hadoop.fs.Path(tables.status.table(),
          "batch=" + b + "/" + TableCommitter.DESCRIPTION_FILE);
      if (!fs.exists(d)) {
        continue;
      }
      try (java.io.InputStream in = fs.open(d)) {
        if (GROUPING_CENTROID.equals(json.readTree(in).path(GROUPING_KEY).asText(null))) {
          stable.add(b);
        }
      }
    }
    if (stable.isEmpty()) {
      return groups;
    }
    Dataset<Row> members = StageTables.current(spark, output, ParamsSchemas.CLIPS)
        .filter(functions.col("batch").isin(stable.toArray()))
        .select(functions.explode(functions.col("segments")).as("s"))
        .select(functions.col("s.identity_group"), functions.col("s.descriptor"))
        .filter(functions.col("identity_group").isNotNull()
            .and(functions.col("descriptor").isNotNull()));
    // Per group: the 128 sums, then the count, as one array.
    List<scala.Tuple2<Integer, double[]>> sums = members.javaRDD()
        .mapToPair(r -> {
          List<Float> d = r.getList(1);
          double[] v = new double[d.size() + 1];
          for (int k = 0; k < d.size(); k++) {
            v[k] = d.get(k);
          }
          v[d.size()] = 1;
          return new scala.Tuple2<>(r.getInt(0), v);
        })
        .reduceByKey((x, y) -> {
          double[] z = x.clone();
          for (int k = 0; k < z.length; k++) {
            z[k] += y[k];
          }
          return z;
        })
        .collect();
    for (scala.Tuple2<Integer, double[]> g : sums) {
      double[] v = g._2();
      groups.seed(g._1(), java.util.Arrays.copyOf(v, v.length - 1), (long) v[v.length - 1]);
    }
    return groups;
  }

  /**
   * Gives this batch's segments their identity groups: each joins the nearest committed or new
   * group under the threshold ({@link IdentityGroups}), in the order clip id, then segment, so
   * the same input gives the same groups.
   */
  static List<Row> groupIdentities(List<Row> statuses, IdentityGroups groups) {
    org.apache.spark.sql.types.StructType t = ParamsSchemas.CLIPS.struct();
    int segCol = t.fieldIndex("segments");
    int groupCol = ParamsSchemas.SEGMENT.fieldIndex("identity_group");
    int descCol = ParamsSchemas.SEGMENT.fieldIndex("descriptor");
    statuses.sort(java.util.Comparator.comparing(r -> r.getString(0)));
    List<Row> out = new ArrayList<>();
    for (Row r : statuses) {
      if (r.isNullAt(segCol)) {
        out.add(r);
        continue;
      }
      List<Row> segs = new ArrayList<>(rows(r.get(segCol)));
      segs.sort(java.util.Comparator.comparingInt(x -> x.getInt(0)));
      for (int i = 0; i < segs.size(); i++) {
        Row s = segs.get(i);
        if (s.isNullAt(descCol)) {
          continue;
        }
        Object d = s.get(descCol);
        float[] f;
        if (d instanceof float[] a) {
          f = a;
        } else {
          List<?> l = d instanceof List<?> x ? x
              : scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<?>) d);
          f = new float[l.size()];
          for (int k = 0; k < f.length; k++) {
            f[k] = ((Number) l.get(k)).floatValue();
          }
        }
        Object[] v = new Object[s.length()];
        for (int k = 0; k < v.length; k++) {
          v[k] = s.get(k);
        }
        v[groupCol] = groups.assign(f);
        segs.set(i, RowFactory.create(v));
      }
      Object[] v = new Object[r.length()];
      for (int k = 0; k < v.length; k++) {
        v[k] = r.get(k);
      }
      v[segCol] = segs;
      out.add(RowFactory.create(v));
    }
    return out;
  }

  /** Status rows built on executors hold Java lists (Spark converts them when writing). */
  @SuppressWarnings("unchecked")
  private static List<Row> rows(Object v) {
    return v instanceof List<?> l ? (List<Row>) l
        : scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<Row>) v);
  }

  private static String description(StageTables tables, ParamsConfig cfg, String batch,
      int clips, Map<String, Long> byStatus, String grouping) {
    Map<String, Object> d = tables.description(ParamsSchemas.VERSION, batch, clips);
    if (byStatus != null) {
      d.put("clips_by_status", byStatus);
    }
    if (grouping != null) {
      d.put(GROUPING_KEY, grouping);
    }
    d.put("settings", cfg.describe());
    d.put("models", modelPins(cfg));
    d.put("threedmm", FaceNets.describe3dmm(cfg));
    return Json.write(d);
  }
}
