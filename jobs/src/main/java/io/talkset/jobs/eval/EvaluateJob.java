package io.talkset.jobs.eval;

import static org.apache.spark.sql.functions.col;

import io.talkset.core.eval.GeneratedMatch;
import io.talkset.core.metrics.Frechet;
import io.talkset.core.models.FaceApiModels;
import io.talkset.core.report.Chart;
import io.talkset.core.report.Histogram;
import io.talkset.core.report.Report;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.io.HadoopConf;
import io.talkset.jobs.io.Json;
import io.talkset.jobs.io.StageTables;
import io.talkset.jobs.io.TableCommitter;
import io.talkset.jobs.report.EvaluationSummary;
import io.talkset.jobs.report.SparkHistograms;
import io.talkset.jobs.runtime.Job;
import io.talkset.jobs.runtime.ModelCheck;
import io.talkset.schemas.ClipsSchema;
import io.talkset.schemas.EvalSchemas;
import io.talkset.schemas.FramesSchemas;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluation job: scores a folder of generated videos against the dataset they were
 * generated from, the way talking-head papers do (SSIM, PSNR, CPBD, LMD, LVD, identity cosine,
 * lip-sync offset, a Fréchet distance of identity descriptors), and writes per-frame, per-video
 * and summary tables plus a plain HTML page under the evaluation root. Each video is matched to
 * a clip by name ({@link GeneratedMatch}); its frames are compared with the clip's crops in the
 * frames table on the same 25 fps frame numbers. Unmatched and unreadable files become rows
 * with a status, never a failed job. Every run replaces the evaluation root as a whole (its three
 * tables and the page, in one swap).
 */
public final class EvaluateJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);

  /** Metrics summarised over frames, then over ok videos' means. */
  static final List<String> FRAME_METRICS = List.of("ssim", "psnr", "cpbd", "cpbd_real",
      "lmd_mouth", "lmd_face", "lvd_mouth", "lvd_face", "identity_cosine", "identity_distance");

  /** What a run did; {@code skipped} says why nothing ran, or null. */
  public record Result(String skipped, int files, Map<String, Long> byStatus, long frames,
      Double frechet, String evalOutput) {}

  @Override
  public String name() {
    return "evaluate";
  }

  @Override
  public String summary() {
    return "score generated videos against the dataset: SSIM, PSNR, CPBD, LMD, LVD, identity,"
        + " sync (EVAL/eval_frames, eval_clips, eval_summary, index.html)";
  }

  @Override
  public Options options() {
    return EvalConfig.options();
  }

  @Override
  public void validate(Options.Parsed args) {
    EvalConfig.from(args);
  }

  @Override
  public String run(SparkSession spark, Options.Parsed args) throws Exception {
    Result r = process(spark, EvalConfig.from(args));
    if (r.skipped() != null) {
      return "evaluate: skipped (" + r.skipped() + ")\n";
    }
    return String.format(Locale.ROOT, "evaluate: %d generated files, %d frames compared; by"
        + " status %s; descriptor Frechet distance %s%n  tables: %s/eval_frames, eval_clips,"
        + " eval_summary; page %s/index.html%n", r.files(), r.frames(), r.byStatus(),
        r.frechet() == null ? "n/a" : String.format(Locale.ROOT, "%.4f", r.frechet()),
        r.evalOutput(), r.evalOutput());
  }

  public static Result process(SparkSession spark, EvalConfig cfg) throws Exception {
    if (cfg.generated().isEmpty()) {
      LOG.info("evaluate: no --generated given, nothing to evaluate");
      return new Result("no --generated given", 0, Map.of(), 0, null, cfg.evalOutput());
    }
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    TableCommitter framesTable = new TableCommitter(hconf, cfg.output(),
        FramesSchemas.FRAMES.table());
    if (framesTable.batches().isEmpty()) {
      throw new IllegalStateException("evaluate: no frames table under " + cfg.output()
          + ": run the frames stage first");
    }
    Map<String, String> clipPaths = new HashMap<>();
    Map<String, Long> clipSizes = new HashMap<>();
    for (Row r : spark.read().schema(ClipsSchema.SCHEMA.struct())
        .parquet(TableCommitter.location(cfg.output(), ClipsSchema.SCHEMA.table())
            .toString())
        .filter(col("status").equalTo("ok")).select("clip_id", "path", "size")
        .collectAsList()) {
      clipPaths.put(r.getString(0), r.getString(1));
      clipSizes.put(r.getString(0), r.getLong(2));
    }
    GeneratedMatch matcher = new GeneratedMatch(clipPaths);
    // The evaluation root may sit inside the generated folder: its own tables are no videos.
    Path evalRoot = new Path(cfg.evalOutput());
    String evalPrefix = evalRoot.getFileSystem(hconf).makeQualified(evalRoot) + "/";
    List<FileStatus> files = new ArrayList<>();
    for (FileStatus f : list(hconf, cfg.generated())) {
      if (!f.getPath().toString().startsWith(evalPrefix)) {
        files.add(f);
      }
    }
    List<Row> statuses = new ArrayList<>();
    List<Row> matched = new ArrayList<>();
    for (FileStatus f : files) {
      String path = f.getPath().toString();
      String name = f.getPath().getName();
      GeneratedMatch.Match m = matcher.match(path);
      if (m.clipId() == null) {
        Object[] s = EvalRows.head(path, name, null, null);
        EvalRows.set(s, "status", m.status());
        EvalRows.set(s, "error_code", m.status());
        EvalRows.set(s, "error_message", m.message());
        statuses.add(RowFactory.create(s));
      } else {
        matched.add(RowFactory.create(path, f.getLen(), name, m.clipId(), m.matchedBy(),
            clipPaths.get(m.clipId()), clipSizes.get(m.clipId())));
      }
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Row> frameRows = new ArrayList<>();
    Frechet.Accumulator genSet = new Frechet.Accumulator();
    Frechet.Accumulator realSet = new Frechet.Accumulator();
    Dataset<Row> framesOut = spark.createDataFrame(frameRows, EvalSchemas.FRAMES.struct());
    JavaRDD<EvalRows.Out> results = null;
    if (!matched.isEmpty()) {
      // EvalRows loads the landmark and descriptor networks in every task: check them first.
      ModelCheck.beforeTasks("evaluate", cfg.models(), List.of(
          FaceApiModels.LANDMARKS + "-weights_manifest.json", FaceApiModels.LANDMARKS + ".bin",
          FaceApiModels.RECOGNITION + "-weights_manifest.json",
          FaceApiModels.RECOGNITION + ".bin"));
      StructType m = new StructType()
          .add("generated", DataTypes.StringType).add("generated_size", DataTypes.LongType)
          .add("name", DataTypes.StringType).add("clip_id", DataTypes.StringType)
          .add("matched_by", DataTypes.StringType).add("clip_path", DataTypes.StringType)
          .add("clip_size", DataTypes.LongType);
      Dataset<Row> todo = spark.createDataFrame(matched, m);
      Dataset<Row> real = StageTables.current(spark, cfg.output(), FramesSchemas.FRAMES)
          .select("clip_id", "segment", "frame_index", "jpeg", "size", "window_x", "window_y",
              "window_side", "face_box");
      int slices = StageTables.slices(jsc, matched.size(), cfg.partitions());
      Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(hconf));
      results = todo.join(real, "clip_id")
          .select(EvalRows.COLUMNS[0], java.util.Arrays.copyOfRange(EvalRows.COLUMNS, 1,
              EvalRows.COLUMNS.length))
          .repartition(slices, col("generated"))
          .sortWithinPartitions("generated", "frame_index")
          .javaRDD()
          .mapPartitions(it -> EvalRows.process(it, cfg, conf.value()))
          .persist(StorageLevel.MEMORY_AND_DISK());
      framesOut = spark.createDataFrame(results.flatMap(o -> o.frames().iterator()),
          EvalSchemas.FRAMES.struct());
    }
    try {
      Map<String, Row> byGenerated = new LinkedHashMap<>();
      if (results != null) {
        for (Row s : results.map(EvalRows.Out::status).collect()) {
          byGenerated.put(s.getString(0), s);
        }
        // Sums of outer products (128 x 128) merge on the executors, not one per video here.
        Frechet.Accumulator[] sets = results.map(o -> new Frechet.Accumulator[] {
            o.generated(), o.real()}).fold(new Frechet.Accumulator[] {
                new Frechet.Accumulator(), new Frechet.Accumulator()}, (a, b) -> {
                  a[0].merge(b[0]);
                  a[1].merge(b[1]);
                  return a;
                });
        genSet.merge(sets[0]);
        realSet.merge(sets[1]);
      }
      // A matched video whose clip has no crops never reached a task.
      for (Row r : matched) {
        byGenerated.computeIfAbsent(r.getString(0), k -> {
          Object[] s = EvalRows.head(k, r.getString(2), r.getString(3), r.getString(4));
          EvalRows.set(s, "status", "no_overlap");
          EvalRows.set(s, "error_message", "the clip has no face crops in the frames table");
          return RowFactory.create(s);
        });
      }
      statuses.addAll(byGenerated.values());
      Double frechet = genSet.count() >= 2 && realSet.count() >= 2
          ? Frechet.distance(genSet.stats(), realSet.stats()) : null;
      String description = description(cfg, files.size(), frechet, genSet.count());
      // The three tables and the page are one version of the evaluation root: written whole
      // into a hidden staging folder beside it, then swapped in by renames (TableCommitter), so
      // a reader sees the old evaluation or the new one, never one table of each.
      Path evalPath = new Path(cfg.evalOutput());
      TableCommitter evaluation = new TableCommitter(hconf, evalPath.getParent().toString(),
          evalPath.getName());
      Path staging = evaluation.newStaging();
      FileSystem fs = staging.getFileSystem(hconf);
      Path framesAt = writeTable(fs, framesOut, staging, EvalSchemas.FRAMES.table(),
          description);
      Dataset<Row> frames = spark.read().schema(EvalSchemas.FRAMES.struct())
          .parquet(framesAt.toString());
      Path clipsAt = writeTable(fs, spark.createDataFrame(statuses, EvalSchemas.CLIPS.struct()),
          staging, EvalSchemas.CLIPS.table(), description);
      List<Row> summary = summary(frames, spark.read().schema(EvalSchemas.CLIPS.struct())
          .parquet(clipsAt.toString()), frechet, genSet.count());
      writeTable(fs, spark.createDataFrame(summary, EvalSchemas.SUMMARY.struct()).coalesce(1),
          staging, EvalSchemas.SUMMARY.table(), description);
      Map<String, Long> byStatus = StageTables.countByStatus(statuses, EvalSchemas.CLIPS);
      writePage(hconf, cfg, staging, summary, statuses, frechet, frames, cfg.bins());
      long frameCount = frames.count();
      evaluation.swapIn(staging);
      return new Result(null, files.size(), byStatus, frameCount, frechet,
          cfg.evalOutput());
    } finally {
      if (results != null) {
        results.unpersist(false);
      }
    }
  }

  /** Every file under the URI (a folder, searched recursively, or a glob), hidden ones left out. */
  static List<FileStatus> list(Configuration hconf, String uri) throws IOException {
    Path p = new Path(uri);
    FileSystem fs = p.getFileSystem(hconf);
    FileStatus[] matches = fs.globStatus(p);
    if (matches == null || matches.length == 0) {
      throw new IllegalArgumentException("--generated: nothing at " + uri);
    }
    TreeMap<String, FileStatus> out = new TreeMap<>();
    for (FileStatus m : matches) {
      if (m.isDirectory()) {
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
        while (it.hasNext()) {
          LocatedFileStatus f = it.next();
          if (!hidden(m.getPath(), f.getPath())) {
            out.put(f.getPath().toString(), f);
          }
        }
      } else if (!hidden(m.getPath().getParent(), m.getPath())) {
        out.put(m.getPath().toString(), m);
      }
    }
    return new ArrayList<>(out.values());
  }

  /** Names starting with . or _ (staging files, _SUCCESS) anywhere below the root. */
  private static boolean hidden(Path root, Path file) {
    for (Path q = file; q != null && !q.equals(root); q = q.getParent()) {
      if (q.getName().startsWith(".") || q.getName().startsWith("_")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Per metric: over every compared frame (scope frame) and over the ok videos' means (scope
   * clip), count, mean, population std and exact percentiles (Spark's {@code percentile}:
   * linear interpolation, as numpy's default), finite values only; plus the sync figures per
   * video and the set's descriptor Fréchet distance.
   */
  static List<Row> summary(Dataset<Row> frames, Dataset<Row> clips, Double frechet,
      long descriptors) {
    List<Row> out = new ArrayList<>();
    Dataset<Row> ok = clips.filter(col("status").equalTo("ok"))
        .withColumn("sync_abs_offset_frames", functions.abs(col("sync_offset_frames")))
        .withColumn("sync_offset_vs_real_frames",
            col("sync_offset_frames").minus(col("sync_real_offset_frames")));
    for (String m : FRAME_METRICS) {
      out.add(stats(frames, m, "frame"));
    }
    for (String m : FRAME_METRICS) {
      out.add(stats(ok, m, "clip"));
    }
    for (String m : List.of("sync_offset_frames", "sync_abs_offset_frames", "sync_confidence",
        "sync_offset_vs_real_frames")) {
      out.add(stats(ok, m, "clip"));
    }
    out.add(RowFactory.create("descriptor_frechet_distance", "set", frechet == null ? 0L
        : descriptors, frechet, null, null, null, null, null, null));
    return out;
  }

  private static Row stats(Dataset<Row> d, String metric, String scope) {
    org.apache.spark.sql.Column v = col(metric).cast("double");
    Row r = d.select(v.as("v")).filter(col("v").isNotNull().and(functions.not(
        functions.isnan(col("v")))).and(functions.abs(col("v")).notEqual(Double.POSITIVE_INFINITY)))
        .agg(functions.count("v"), functions.avg("v"), functions.stddev_pop("v"),
            functions.expr("percentile(v, array(0.05, 0.25, 0.5, 0.75, 0.95))"))
        .first();
    long n = r.getLong(0);
    Object[] p = new Object[5];
    if (n > 0) {
      List<Object> ps = r.getList(3);
      for (int i = 0; i < 5; i++) {
        p[i] = ((Number) ps.get(i)).doubleValue();
      }
    }
    return RowFactory.create(metric, scope, n, n == 0 ? null : r.getDouble(1),
        n == 0 ? null : r.getDouble(2), p[0], p[1], p[2], p[3], p[4]);
  }

  private static String description(EvalConfig cfg, int files, Double frechet, long n) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("tables", List.of(EvalSchemas.FRAMES.table(), EvalSchemas.CLIPS.table(),
        EvalSchemas.SUMMARY.table()));
    d.put("schema_version", EvalSchemas.VERSION);
    d.put("written_at", java.time.Instant.now().toString());
    d.put("talkset_version", io.talkset.jobs.runtime.Version.get());
    d.put("generated_files", files);
    d.put("descriptor_frechet_distance", frechet);
    d.put("descriptors_per_set", n);
    d.put("settings", cfg.describe());
    return Json.write(d);
  }

  /** Per-frame metrics drawn as histograms on the page, with their units. */
  static final Map<String, String> HISTOGRAMS = histogramUnits();

  private static Map<String, String> histogramUnits() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("ssim", "SSIM (1: identical)");
    m.put("psnr", "dB");
    m.put("cpbd", "CPBD (0 blurred .. 1 sharp)");
    m.put("lmd_mouth", "pixels at the compared size");
    m.put("lmd_face", "pixels at the compared size");
    m.put("lvd_mouth", "pixels per frame");
    m.put("lvd_face", "pixels per frame");
    m.put("identity_cosine", "cosine of face descriptors");
    return m;
  }

  static final List<String> VIDEO_COLUMNS = List.of("name", "clip_id", "matched_by", "status",
      "frames_compared", "ssim", "psnr", "cpbd", "cpbd_real", "lmd_mouth", "lmd_face",
      "lvd_mouth", "identity_cosine", "sync_offset_frames", "sync_real_offset_frames",
      "sync_confidence", "sync_audio");
  static final List<String> PROBLEM_COLUMNS = List.of("name", "clip_id", "status",
      "error_code", "error_message");
  /** Images this job writes beside the page start with this. */
  static final String IMAGE_PREFIX = "eval-";

  /**
   * {@code EVAL/index.html} with its PNG charts beside it (report library): the summary, a
   * histogram per frame metric aggregated by Spark (only bin counts reach the driver), the ok
   * videos and the unmatched, failed or non-overlapping files; written into {@code root}, the
   * evaluation's staging folder.
   */
  static void writePage(Configuration hconf, EvalConfig cfg, Path root, List<Row> summary,
      List<Row> clips, Double frechet, Dataset<Row> frames, int bins) throws IOException {
    Report page = Report.page("talkset evaluation");
    page.section("Run");
    page.table(null, List.of("item", "value"), List.of(
        List.of("generated videos", cfg.generated()),
        List.of("dataset root", cfg.output()),
        List.of("files", Integer.toString(clips.size())),
        List.of("descriptor Fréchet distance (face-api descriptors, not Inception-FID)",
            frechet == null ? "n/a" : EvaluationSummary.fmt(frechet)),
        List.of("talkset version", io.talkset.jobs.runtime.Version.get())));
    page.section("Summary");
    List<List<String>> rows = new ArrayList<>();
    for (Row r : summary) {
      rows.add(EvaluationSummary.cells(r));
    }
    page.table("Per metric: over compared frames (frame), over ok videos' means (clip), over"
        + " the whole set (set); finite values only", EvaluationSummary.HEADER, rows);

    page.section("Per-frame histograms");
    Map<String, Map<String, Histogram>> hs = SparkHistograms.of(
        frames.withColumn("all_frames", functions.lit("all")), "all_frames",
        List.copyOf(HISTOGRAMS.keySet()), bins);
    for (Map.Entry<String, String> m : HISTOGRAMS.entrySet()) {
      Histogram h = hs.getOrDefault(m.getKey(), Map.of()).get("all");
      if (h == null) {
        page.note("No finite " + m.getKey() + " values.");
      } else {
        page.image(IMAGE_PREFIX + m.getKey().replace('_', '-') + ".png", Chart.histogram(
            m.getKey() + " over compared frames", m.getValue(), h).png(),
            "histogram of " + m.getKey() + " over compared frames");
      }
    }

    StructType t = EvalSchemas.CLIPS.struct();
    List<List<String>> ok = new ArrayList<>();
    List<List<String>> problems = new ArrayList<>();
    for (Row r : clips) {
      boolean isOk = "ok".equals(r.getString(t.fieldIndex("status")));
      List<String> cells = new ArrayList<>();
      for (String c : isOk ? VIDEO_COLUMNS : PROBLEM_COLUMNS) {
        Object v = r.get(t.fieldIndex(c));
        cells.add(v == null ? null : v instanceof Double d ? EvaluationSummary.fmt(d) : String.valueOf(v));
      }
      (isOk ? ok : problems).add(cells);
    }
    page.section("Videos");
    if (ok.isEmpty()) {
      page.note("No video was evaluated.");
    } else {
      page.table("Ok videos: means over their compared frames", VIDEO_COLUMNS, ok);
    }
    page.section("Unmatched and failed");
    if (problems.isEmpty()) {
      page.paragraph("Every file was matched and evaluated.");
    } else {
      page.table("Files without scores and why", PROBLEM_COLUMNS, problems);
    }

    FileSystem fs = root.getFileSystem(hconf);
    // Plain writes: a .crc beside each file would clutter a folder people open in a browser.
    FileSystem plain = fs instanceof org.apache.hadoop.fs.ChecksumFileSystem c
        ? c.getRawFileSystem() : fs;
    fs.mkdirs(root);
    Map<String, byte[]> files = page.files();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      try (OutputStream out = plain.create(new Path(root, f.getKey()), true)) {
        out.write(f.getValue());
      }
    }
  }

  /** One table of the evaluation, written into the staging folder with its description. */
  private static Path writeTable(FileSystem fs, Dataset<Row> rows, Path staging, String name,
      String description) throws IOException {
    Path at = new Path(staging, name);
    rows.write().parquet(at.toString());
    try (OutputStream out = fs.create(new Path(at, TableCommitter.DESCRIPTION_FILE), true)) {
      out.write(description.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return at;
  }

}
