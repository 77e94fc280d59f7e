package io.talkset.jobs.report;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.talkset.core.curate.Rule;
import io.talkset.core.report.Chart;
import io.talkset.core.report.ContactSheet;
import io.talkset.core.report.Histogram;
import io.talkset.core.report.Report;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.io.Json;
import io.talkset.jobs.io.StageTables;
import io.talkset.jobs.io.TableCommitter;
import io.talkset.jobs.io.TableFiles;
import io.talkset.jobs.runtime.Job;
import io.talkset.jobs.runtime.Version;
import io.talkset.schemas.AudioSchemas;
import io.talkset.schemas.ClipsSchema;
import io.talkset.schemas.CurationSchemas;
import io.talkset.schemas.EvalSchemas;
import io.talkset.schemas.FramesSchemas;
import io.talkset.schemas.PairsSchemas;
import io.talkset.schemas.MorphableSchemas;
import io.talkset.schemas.ParamsSchemas;
import io.talkset.schemas.TableSchema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The report stage: a static HTML page with PNG charts per dataset ({@code clips.dataset}, null
 * read as {@value #GENERIC}), from whatever tables exist under the dataset root; a missing or
 * empty table is reported as such. Everything per frame is aggregated by Spark (histograms as
 * bin counts, samples through a window with a limit); only counts, a few crops and a few DTW
 * paths reach the driver, which draws the charts ({@link Chart}) and writes
 * {@code OUTPUT/report/} whole through {@link TableCommitter#writeFiles}: a re-run replaces it.
 * Stage tables are matched to datasets through the manifest, so a status row whose clip is no
 * longer in {@code clips} is left out.
 */
public final class ReportJob implements Job {
  /** The folder under the dataset root. */
  public static final String FOLDER = "report";
  /** The dataset name of clips whose layout set none. */
  public static final String GENERIC = "generic";
  /** The evaluation's default folder under the dataset root, linked from the page. */
  static final String EVALUATION = "evaluation";
  static final String[] POSE = {"yaw_deg", "pitch_deg", "roll_deg"};
  /** face_morphable's charted values: exp_coeffs[0] and fit_rms_px. */
  static final String[] MORPH = {"morph_exp_1", "morph_fit_rms_px"};
  /** Where the shards stage writes the curation table, under the root. */
  static final String CURATION = "dataset/curation";

  /**
   * What a run wrote.
   *
   * @param page the report's index.html
   * @param missing tables that were absent or empty
   */
  public record Result(String page, List<String> datasets, int images, List<String> missing) {}

  @Override
  public String name() {
    return "report";
  }

  @Override
  public String summary() {
    return "static HTML dataset report with PNG charts per dataset (OUTPUT/report/index.html)";
  }

  @Override
  public Options options() {
    return ReportConfig.options();
  }

  @Override
  public void validate(Options.Parsed args) {
    ReportConfig.from(args);
  }

  @Override
  public String run(SparkSession spark, Options.Parsed args) throws Exception {
    Result r = process(spark, ReportConfig.from(args));
    return String.format(Locale.ROOT, "report: %d dataset(s) %s, %d image(s)%s%n  page: %s%n",
        r.datasets().size(), r.datasets(), r.images(),
        r.missing().isEmpty() ? "" : "; tables missing or empty: " + r.missing(), r.page());
  }

  /** What the page shows about one dataset. */
  static final class Stats {
    final String name;
    long clips;
    long okClips;
    double seconds;
    long speakers;
    /** stage → status → clips (pairs for the pairs stage). */
    final Map<String, Map<String, Long>> byStatus = new LinkedHashMap<>();
    /** Rows stage, status, error_code, count. */
    final List<List<String>> statusRows = new ArrayList<>();
    /** emotion → intensity → ok clips. */
    final Map<String, Map<String, Long>> emotions = new TreeMap<>();
    long faceFrames;
    long paramFrames;
    final Map<String, Histogram> histograms = new LinkedHashMap<>();
    final List<ContactSheet.Tile> tiles = new ArrayList<>();
    final List<Chart.Series> paths = new ArrayList<>();
    /** Face frames per curation outcome: kept, then each rule in rule order; empty: no table. */
    final Map<String, Long> curation = new LinkedHashMap<>();

    Stats(String name) {
      this.name = name;
    }

    long ok(String stage) {
      return byStatus.getOrDefault(stage, Map.of()).getOrDefault("ok", 0L);
    }
  }

  public static Result process(SparkSession spark, ReportConfig cfg) throws Exception {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    Map<String, Dataset<Row>> tables = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    List<List<String>> tableRows = new ArrayList<>();
    List<TableSchema> schemas = List.of(ClipsSchema.SCHEMA, AudioSchemas.CLIPS,
        FramesSchemas.FRAMES, FramesSchemas.CLIPS, ParamsSchemas.PARAMS, ParamsSchemas.CLIPS,
        PairsSchemas.PAIRS, MorphableSchemas.FRAMES);
    List<Dataset<Row>> read = new ArrayList<>();
    Dataset<Row> countQuery = null;
    Map<String, Dataset<Row>> statusViews = new java.util.HashMap<>();
    for (int i = 0; i < schemas.size(); i++) {
      TableSchema s = schemas.get(i);
      Dataset<Row> t = collected(spark, hconf, cfg.output(), s,
          read(spark, hconf, cfg.output(), s), statusViews);
      read.add(t);
      // An empty table's files say so: no count for it.
      if (t != null && TableFiles.hasRows(hconf, TableCommitter.location(cfg.output(),
          s.table()))) {
        Dataset<Row> n = t.agg(count(lit(1)).as("n")).select(lit(i).as("i"), col("n"));
        countQuery = countQuery == null ? n : countQuery.unionAll(n);
      }
    }
    // Every table's count in one query: each query's planning and start cost more than
    // counting these tables.
    Map<Integer, Long> counted = new TreeMap<>();
    if (countQuery != null) {
      for (Row r : countQuery.collectAsList()) {
        counted.put(r.getInt(0), r.getLong(1));
      }
    }
    for (int i = 0; i < schemas.size(); i++) {
      TableSchema s = schemas.get(i);
      Dataset<Row> t = read.get(i);
      long rows = counted.getOrDefault(i, 0L);
      if (t == null || rows == 0) {
        missing.add(s.table());
        tableRows.add(List.of(s.table(), t == null ? "missing" : "empty", "0"));
      } else {
        tables.put(s.table(), t);
        tableRows.add(List.of(s.table(), "present", Long.toString(rows)));
      }
    }

    Map<String, Stats> stats = new TreeMap<>();
    Dataset<Row> clipMap = null;
    Dataset<Row> clips = tables.get(ClipsSchema.SCHEMA.table());
    List<StatusCounts> statusCounts = new ArrayList<>();
    if (clips != null) {
      clipMap = clips.select(col("clip_id"), coalesce(col("dataset"), lit(GENERIC)).as("dataset"),
          col("speaker"));
      summarizeClips(clips, stats);
      statusCounts.add(new StatusCounts("clips", clips.withColumn("dataset",
          coalesce(col("dataset"), lit(GENERIC))), null, null));
    }
    statusCounts.add(new StatusCounts("audio", tables.get(AudioSchemas.CLIPS.table()), clipMap,
        null));
    statusCounts.add(new StatusCounts("frames", tables.get(FramesSchemas.CLIPS.table()), clipMap,
        "frames_written"));
    statusCounts.add(new StatusCounts("params", tables.get(ParamsSchemas.CLIPS.table()), clipMap,
        "frames"));
    Dataset<Row> pairs = tables.get(PairsSchemas.PAIRS.table());
    if (pairs != null) {
      pairs = pairs.withColumn("dataset", coalesce(col("dataset"), lit(GENERIC)));
      statusCounts.add(new StatusCounts("pairs", pairs, null, null));
    }
    statuses(statusCounts, stats);

    // Every histogram's columns, from their tables, counted together below.
    List<SparkHistograms.Source> charted = new ArrayList<>();
    Dataset<Row> frames = tables.get(FramesSchemas.FRAMES.table());
    Dataset<Row> params = tables.get(ParamsSchemas.PARAMS.table());
    if (clipMap != null && frames != null) {
      Dataset<Row> withSet = frames.select("clip_id", "face_px")
          .join(broadcast(clipMap.select("clip_id", "dataset")), "clip_id");
      charted.add(new SparkHistograms.Source(withSet, List.of("face_px")));
      if (cfg.samples() > 0) {
        samples(spark, frames, params, clipMap, cfg.samples(), stats);
      }
    }
    if (clipMap != null && params != null) {
      Dataset<Row> withSet = params.select("clip_id", POSE)
          .join(broadcast(clipMap.select("clip_id", "dataset")), "clip_id");
      charted.add(new SparkHistograms.Source(withSet, List.of(POSE)));
    }
    // The learned morphable model: its first expression coefficient (the mouth opening on
    // talking faces) and how far the posed model lands from each frame's mesh.
    Dataset<Row> morph = tables.get(MorphableSchemas.FRAMES.table());
    if (clipMap != null && morph != null) {
      Dataset<Row> withSet = morph.select(col("clip_id"),
              org.apache.spark.sql.functions.try_element_at(col("exp_coeffs"), lit(1)).as(MORPH[0]),
              col("fit_rms_px").as(MORPH[1]))
          .join(broadcast(clipMap.select("clip_id", "dataset")), "clip_id");
      charted.add(new SparkHistograms.Source(withSet, List.of(MORPH)));
    }
    if (pairs != null) {
      Dataset<Row> ok = pairs.filter(col("status").equalTo("ok"));
      charted.add(new SparkHistograms.Source(ok, List.of("normalized_cost")));
      if (cfg.paths() > 0) {
        warpingPaths(ok, cfg.paths(), stats);
      }
    }
    // Each column into each dataset's stats in the order above (the page's order).
    SparkHistograms.of(charted, "dataset", cfg.bins()).forEach((column, byDataset) ->
        byDataset.forEach((dataset, h) -> of(stats, dataset).histograms.put(column, h)));

    boolean curated = curation(spark, hconf, cfg.output(), clipMap, stats);

    // The evaluate job's summary, when one was written under the root's default place.
    List<List<String>> evaluation = null;
    Dataset<Row> summary = read(spark, hconf, evaluationRoot(cfg.output()),
        EvalSchemas.SUMMARY);
    if (summary != null) {
      evaluation = new ArrayList<>();
      for (Row r : summary.collectAsList()) {
        evaluation.add(EvaluationSummary.cells(r));
      }
    }

    String when = Instant.now().toString();
    Report page = ReportPage.render(cfg, when, tableRows, missing, stats.values(), evaluation,
        curated);
    Map<String, byte[]> files = page.files();
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("tables", List.of(FOLDER));
    d.put("written_at", when);
    d.put("talkset_version", Version.get());
    d.put("datasets", List.copyOf(stats.keySet()));
    d.put("files", List.copyOf(files.keySet()));
    d.put("missing_tables", missing);
    d.put("settings", cfg.describe());
    TableCommitter folder = new TableCommitter(hconf, cfg.output(), FOLDER);
    folder.writeFiles(files, Json.write(d));
    return new Result(new Path(folder.table(), Report.INDEX).toString(),
        List.copyOf(stats.keySet()), files.size() - 1, missing);
  }

  /**
   * Face frames per curation outcome and dataset, from the shards stage's curation table (kept
   * first, then the rules in their order, those that removed nothing left out).
   *
   * @return whether the table exists
   */
  static boolean curation(SparkSession spark, Configuration hconf, String output,
      Dataset<Row> clipMap, Map<String, Stats> stats) throws java.io.IOException {
    Path p = new Path(output.replaceAll("/+$", "") + "/" + CURATION);
    if (!p.getFileSystem(hconf).exists(p)) {
      return false;
    }
    Dataset<Row> t = StageTables.read(spark, CurationSchemas.CURATION.struct(), p.toString());
    Dataset<Row> withSet = clipMap == null ? t.withColumn("dataset", lit(GENERIC))
        : t.join(broadcast(clipMap.select("clip_id", "dataset")), "clip_id");
    Map<String, Map<String, Long>> by = new TreeMap<>();
    for (Row r : withSet.groupBy("dataset", "outcome").agg(sum("frames")).collectAsList()) {
      by.computeIfAbsent(r.getString(0), k -> new TreeMap<>()).put(r.getString(1),
          r.getLong(2));
    }
    by.forEach((dataset, counts) -> {
      Stats s = of(stats, dataset);
      s.curation.put("kept", counts.getOrDefault("kept", 0L));
      for (Rule rule : Rule.values()) {
        Long n = counts.get(rule.label());
        if (n != null && n > 0) {
          s.curation.put(rule.label(), n);
        }
      }
    });
    return true;
  }

  /** Where {@code evaluate} writes by default (its --eval-output), under the dataset root. */
  static String evaluationRoot(String output) {
    return output.replaceAll("/+$", "") + "/" + EVALUATION;
  }

  /** A table under the root with its explicit schema, or null when it has no visible data. */
  static Dataset<Row> read(SparkSession spark, Configuration hconf, String output,
      TableSchema schema) throws java.io.IOException {
    Path p = TableCommitter.location(output, schema.table());
    FileSystem fs = p.getFileSystem(hconf);
    if (!fs.exists(p)) {
      return null;
    }
    boolean data = false;
    for (FileStatus s : fs.listStatus(p)) {
      String n = s.getPath().getName();
      // Staging folders and _talkset.json / _SUCCESS are not data; Spark skips them too.
      data |= !n.startsWith(".") && !n.startsWith("_");
    }
    // Each clip once: its latest status, and the rows of that attempt (a retried clip has more).
    return data ? StageTables.current(spark, output, schema) : null;
  }

  /** The per-clip stages' status tables the report reads. */
  private static final List<String> STATUS_TABLES = List.of(AudioSchemas.CLIPS.table(),
      FramesSchemas.CLIPS.table(), ParamsSchemas.CLIPS.table());

  /**
   * A table as {@link #read} gives it, with each status table's latest view (one row per clip)
   * collected once and used as a local relation, by itself and in its rows table's filter:
   * read through {@link StageTables#current}, every query over a status table or its rows
   * planned that view again (a window, its shuffle and a broadcast). The rows are the same.
   */
  static Dataset<Row> collected(SparkSession spark, Configuration hconf, String output,
      TableSchema s, Dataset<Row> t, Map<String, Dataset<Row>> views)
      throws java.io.IOException {
    if (t == null || StageTables.knownEmpty(t)) {
      return t;
    }
    if (STATUS_TABLES.contains(s.table())) {
      Dataset<Row> v = views.get(s.table());
      if (v == null) {
        v = spark.createDataFrame(t.collectAsList(), t.schema());
        views.put(s.table(), v);
      }
      return v;
    }
    TableSchema statusSchema = StageTables.statusOf(s);
    if (statusSchema == null || !STATUS_TABLES.contains(statusSchema.table())) {
      return t;
    }
    Dataset<Row> status = collected(spark, hconf, output, statusSchema,
        read(spark, hconf, output, statusSchema), views);
    if (status == null || StageTables.knownEmpty(status)) {
      return t;
    }
    Dataset<Row> rows = spark.read().schema(s.struct())
        .parquet(TableCommitter.location(output, s.table()).toString());
    Dataset<Row> keys = status.select(col("clip_id").as("_clip"), col("batch").as("_batch"));
    return rows.join(broadcast(keys), rows.col("clip_id").equalTo(keys.col("_clip"))
        .and(rows.col("batch").equalTo(keys.col("_batch"))), "left_semi");
  }

  private static Stats of(Map<String, Stats> stats, String dataset) {
    return stats.computeIfAbsent(dataset, Stats::new);
  }

  private static void summarizeClips(Dataset<Row> clips, Map<String, Stats> stats) {
    Column ok = col("status").equalTo("ok");
    Dataset<Row> c = clips.withColumn("dataset", coalesce(col("dataset"), lit(GENERIC)));
    for (Row r : c.groupBy("dataset").agg(count(lit(1)), sum(when(ok, 1).otherwise(0)),
        sum(when(ok, col("duration_s"))), countDistinct(when(ok, col("speaker"))))
        .collectAsList()) {
      Stats s = of(stats, r.getString(0));
      s.clips = r.getLong(1);
      s.okClips = r.getLong(2);
      s.seconds = r.isNullAt(3) ? 0 : r.getDouble(3);
      s.speakers = r.getLong(4);
    }
    for (Row r : c.filter(ok).groupBy("dataset", "emotion", "intensity").count()
        .collectAsList()) {
      of(stats, r.getString(0)).emotions
          .computeIfAbsent(r.isNullAt(1) ? "(none)" : r.getString(1), k -> new TreeMap<>())
          .merge(r.isNullAt(2) ? "(none)" : r.getString(2), r.getLong(3), Long::sum);
    }
  }

  /**
   * One stage's status table for {@link #statuses}: matched to datasets through the manifest
   * ({@code clipMap}) when it has no dataset column; {@code frames} a frame-count column to sum.
   */
  record StatusCounts(String stage, Dataset<Row> table, Dataset<Row> clipMap, String frames) {}

  /**
   * Status and error-code counts of each stage's status table, per dataset, and the sum of its
   * frame-count column; every stage in one query (each stage's own query cost more to plan
   * and start than its count on a few thousand clips), read back in stage order.
   */
  private static void statuses(List<StatusCounts> stages, Map<String, Stats> stats) {
    Dataset<Row> all = null;
    List<String> names = new ArrayList<>();
    for (StatusCounts sc : stages) {
      Dataset<Row> t = sc.table();
      if (t == null) {
        continue;
      }
      if (sc.clipMap() != null) {
        t = t.select("clip_id", sc.frames() == null ? new String[] {"status", "error_code"}
            : new String[] {"status", "error_code", sc.frames()})
            .join(broadcast(sc.clipMap().select("clip_id", "dataset")), "clip_id");
      } else if (!List.of(t.columns()).contains("dataset")) {
        continue;
      }
      Column framesSum = sc.frames() == null ? lit(0L) : sum(col(sc.frames()));
      Dataset<Row> one = t.groupBy("dataset", "status", "error_code")
          .agg(count(lit(1)).as("n"), framesSum.cast("long").as("f"))
          .select(lit(names.size()).as("stage"), col("dataset"), col("status"),
              col("error_code"), col("n"), col("f"));
      names.add(sc.stage());
      all = all == null ? one : all.unionAll(one);
    }
    if (all == null) {
      return;
    }
    for (Row r : all.orderBy("stage", "dataset", "status", "error_code").collectAsList()) {
      String stage = names.get(r.getInt(0));
      Stats s = of(stats, r.getString(1));
      long n = r.getLong(4);
      s.byStatus.computeIfAbsent(stage, k -> new TreeMap<>()).merge(r.getString(2), n,
          Long::sum);
      s.statusRows.add(List.of(stage, r.getString(2), r.isNullAt(3) ? "" : r.getString(3),
          Long.toString(n)));
      long f = r.isNullAt(5) ? 0 : r.getLong(5);
      if ("frames".equals(stage)) {
        s.faceFrames += f;
      } else if ("params".equals(stage)) {
        s.paramFrames += f;
      }
    }
  }

  /** {@link #histograms(Dataset, List, int, Map)} of one column. */
  static void histograms(Dataset<Row> withDataset, String column, int bins,
      Map<String, Stats> stats) {
    histograms(withDataset, List.of(column), bins, stats);
  }

  /** {@link SparkHistograms#of} by dataset, into each dataset's stats. */
  static void histograms(Dataset<Row> withDataset, List<String> columns, int bins,
      Map<String, Stats> stats) {
    SparkHistograms.of(withDataset, "dataset", columns, bins).forEach((column, byDataset) ->
        byDataset.forEach((dataset, h) -> of(stats, dataset).histograms.put(column, h)));
  }

  /**
   * A few crops per dataset with their landmarks: keys picked by a window (round-robin over
   * clips, a hash order within a clip, so a re-run picks the same frames), then only those
   * frames' JPEGs read and brought to the driver.
   */
  private static void samples(SparkSession spark, Dataset<Row> frames, Dataset<Row> params,
      Dataset<Row> clipMap, int limit, Map<String, Stats> stats) {
    Column hash = xxhash64(col("clip_id"), col("frame_index"));
    List<Row> picked = frames.select("clip_id", "frame_index")
        .join(broadcast(clipMap), "clip_id")
        .withColumn("h", hash)
        .withColumn("in_clip", row_number().over(Window.partitionBy("dataset", "clip_id")
            .orderBy("h")))
        // No dataset needs more than `limit` frames of one clip: the per-dataset window (one
        // task per dataset) then sorts at most limit × clips small rows, not every frame.
        .filter(col("in_clip").leq(limit))
        .withColumn("rank", row_number().over(Window.partitionBy("dataset")
            .orderBy(col("in_clip"), col("h"))))
        .filter(col("rank").leq(limit))
        .select("dataset", "speaker", "clip_id", "frame_index", "rank")
        .collectAsList();
    if (picked.isEmpty()) {
      return;
    }
    StructType keySchema = new StructType()
        .add("dataset", DataTypes.StringType).add("speaker", DataTypes.StringType)
        .add("clip_id", DataTypes.StringType).add("frame_index", DataTypes.IntegerType)
        .add("rank", DataTypes.IntegerType);
    List<Row> keyRows = new ArrayList<>();
    TreeSet<String> ids = new TreeSet<>();
    for (Row r : picked) {
      keyRows.add(RowFactory.create(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)));
      ids.add(r.getString(2));
    }
    Dataset<Row> keys = spark.createDataFrame(keyRows, keySchema);
    // The clip filter lets Parquet skip row groups before the join.
    Dataset<Row> f = frames.filter(col("clip_id").isin(ids.toArray()))
        .select(col("clip_id").as("f_clip"), col("frame_index").as("f_frame"), col("jpeg"));
    Dataset<Row> crops = f.join(broadcast(keys), f.col("f_clip").equalTo(keys.col("clip_id"))
        .and(f.col("f_frame").equalTo(keys.col("frame_index"))));
    Column landmarks = lit(null).cast(DataTypes.createArrayType(DataTypes.FloatType));
    if (params != null) {
      Dataset<Row> p = params.filter(col("clip_id").isin(ids.toArray()))
          .select(col("clip_id").as("p_clip"), col("frame_index").as("p_frame"),
              col("landmarks_crop"));
      crops = crops.join(p, crops.col("clip_id").equalTo(p.col("p_clip"))
          .and(crops.col("frame_index").equalTo(p.col("p_frame"))), "left");
      landmarks = col("landmarks_crop");
    }
    for (Row r : crops.select(col("dataset"), col("speaker"), col("frame_index"), col("jpeg"),
        landmarks, col("rank")).orderBy("dataset", "rank").collectAsList()) {
      String caption = (r.isNullAt(1) ? "" : r.getString(1) + " ") + "f" + r.getInt(2);
      of(stats, r.getString(0)).tiles.add(new ContactSheet.Tile((byte[]) r.get(3),
          r.isNullAt(4) ? null : floats(r.getList(4)), caption));
    }
  }

  private static void warpingPaths(Dataset<Row> okPairs, int limit, Map<String, Stats> stats) {
    // The window sorts narrow keys; only the chosen pairs' paths are read afterwards.
    Dataset<Row> picked = okPairs.filter(col("path_reference").isNotNull())
        .select("dataset", "pair_id")
        .withColumn("rank", row_number().over(Window.partitionBy("dataset").orderBy("pair_id")))
        .filter(col("rank").leq(limit))
        .select("pair_id", "rank");
    List<Row> rows = okPairs.join(broadcast(picked), "pair_id")
        .select("dataset", "reference_emotion", "reference_intensity", "other_emotion",
            "other_intensity", "normalized_cost", "path_reference", "path_other", "rank")
        .orderBy("dataset", "rank").collectAsList();
    for (Row r : rows) {
      String name = String.format(Locale.ROOT, "%s%s onto %s%s (cost %.3f)", r.getString(3),
          r.isNullAt(4) ? "" : " " + r.getString(4), r.getString(1),
          r.isNullAt(2) ? "" : " " + r.getString(2), r.isNullAt(5) ? Double.NaN : r.getDouble(5));
      of(stats, r.getString(0)).paths.add(new Chart.Series(name, ints(r.getList(6)),
          ints(r.getList(7))));
    }
  }

  static int[] ints(List<Object> l) {
    return l.stream().mapToInt(o -> ((Number) o).intValue()).toArray();
  }

  static float[] floats(List<Object> l) {
    float[] f = new float[l.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = ((Number) l.get(i)).floatValue();
    }
    return f;
  }
}
