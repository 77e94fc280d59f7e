package io.talkset.jobs.crawl;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.flatten;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.struct;

import io.talkset.core.crawl.ListedEntry;
import io.talkset.core.datasets.ClipMapping;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.io.HadoopConf;
import io.talkset.jobs.io.Json;
import io.talkset.jobs.io.Sources;
import io.talkset.jobs.io.TableCommitter;
import io.talkset.jobs.progress.StageProgress;
import io.talkset.jobs.runtime.Job;
import io.talkset.jobs.runtime.Version;
import io.talkset.schemas.ClipsSchema;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crawl: lists media under the inputs, identifies and probes each new or changed file in
 * parallel on the executors, reads dataset metadata from the paths, and commits the {@code clips}
 * manifest atomically. Unchanged files (same path, size and modification time as in the previous
 * manifest) keep their rows without being read again.
 */
public final class CrawlJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(CrawlJob.class);
  public static final String TABLE = "clips";

  /** What a crawl did. */
  public record Result(String table, int listed, int probed, int reused, long clips,
      Map<String, Long> byStatus, Map<String, Long> okByDataset, Map<String, Long> byError,
      long elapsedMillis) {}

  @Override
  public String name() {
    return "crawl";
  }

  @Override
  public String summary() {
    return "list and probe media files into the clips manifest (OUTPUT/clips)";
  }

  @Override
  public Options options() {
    return CrawlConfig.options();
  }

  @Override
  public void validate(Options.Parsed args) {
    CrawlConfig.from(args);
  }

  @Override
  public String run(SparkSession spark, Options.Parsed args) throws Exception {
    Result r = crawl(spark, CrawlConfig.from(args));
    StageProgress.finished(r.probed(), r.reused(), 0, r.byStatus());
    return format(r);
  }

  /** Runs the crawl; the committed manifest is at {@link Result#table()}. */
  public static Result crawl(SparkSession spark, CrawlConfig cfg) throws Exception {
    long start = System.nanoTime();
    String jnu = System.getProperty("sun.jnu.encoding", "");
    if (!jnu.equalsIgnoreCase("UTF-8")) {
      LOG.warn("the JVM decodes file names as {}, not UTF-8: names with non-ASCII characters"
          + " cannot be opened. Run with LC_ALL=C.UTF-8 (bin/talkset does) on the driver and"
          + " spark.executorEnv.LC_ALL=C.UTF-8 on executors", jnu);
    }
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    TableCommitter committer = new TableCommitter(hconf, cfg.output(), TABLE);
    committer.recover();
    List<ListedEntry> entries = Listing.list(cfg.inputs(), cfg.media(), hconf);
    LOG.info("listed {} candidate media files under {}", entries.size(), cfg.inputs());

    StructType schema = ClipsSchema.SCHEMA.struct();
    String table = committer.table().toString();
    boolean hasPrevious = committer.table().getFileSystem(hconf).exists(committer.table());
    Dataset<Row> previous = hasPrevious ? spark.read().schema(schema).parquet(table) : null;

    // Decide on the driver, from a narrow projection of the previous manifest, what to re-probe.
    Map<String, Object[]> before = new HashMap<>();
    if (previous != null && !entries.isEmpty()) {
      for (Row r : previous.select(explode(col("files")).as("f"), col("status"))
          .select(col("f.path"), col("f.size"), col("f.modification_time"), col("status"))
          .collectAsList()) {
        before.put(r.getString(0), new Object[] {r.getLong(1), r.get(2), r.getString(3)});
      }
    }
    List<ListedEntry> toProbe = new ArrayList<>();
    List<String> reusedPaths = new ArrayList<>();
    for (ListedEntry e : entries) {
      Object[] b = before.get(e.path());
      boolean unchanged = e.examinable() && b != null && (long) b[0] == e.size()
          && b[1] instanceof Timestamp t && t.getTime() == e.modificationTimeMillis()
          && !(cfg.reprobeFailed() && "failed".equals(b[2]));
      if (unchanged) {
        reusedPaths.add(e.path());
      } else {
        toProbe.add(e);
      }
    }
    LOG.info("{} files to probe, {} unchanged since the last crawl", toProbe.size(),
        reusedPaths.size());

    // Progress counts files probed (a clip is a distinct content: files with equal bytes merge).
    StageProgress progress = StageProgress.begin(spark, toProbe.size(), reusedPaths.size());
    if (entries.isEmpty()) {
      // Nothing listed: the manifest is empty. Commit it without planning the probe, merge and
      // count jobs below, which would only run over no rows.
      committer.write(spark.createDataFrame(List.of(), schema),
          description(cfg, 0, 0, 0, 0, new TreeMap<>()));
      return new Result(table, 0, 0, 0, 0, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(),
          (System.nanoTime() - start) / 1_000_000);
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    int slices = cfg.partitions() > 0 ? cfg.partitions()
        : Math.max(1, Math.min(toProbe.size(), jsc.defaultParallelism() * 4));
    Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(hconf));
    JavaRDD<Row> probedRows = jsc.parallelize(toProbe, slices)
        .mapPartitions(it -> progress.perClip(ClipRows.examine(it, cfg, conf.value()), r -> 0));
    Dataset<Row> rows = spark.createDataFrame(probedRows, schema);
    if (!reusedPaths.isEmpty()) {
      Dataset<Row> keep = spark.createDataset(reusedPaths, Encoders.STRING()).toDF("keep_path");
      Dataset<Row> reused = previous.withColumn("f", explode(col("files")))
          .join(keep, col("f.path").equalTo(col("keep_path")))
          .withColumn("files", array(col("f")))
          .drop("f", "keep_path");
      rows = rows.unionByName(reused);
    }

    // One row per content: the first path in sort order describes it, every path is listed.
    List<Column> described = new ArrayList<>();
    for (StructField f : schema.fields()) {
      if (!f.name().equals("clip_id") && !f.name().equals("files")) {
        described.add(col(f.name()));
      }
    }
    Dataset<Row> merged = rows.groupBy(col("clip_id"))
        .agg(min_by(struct(described.toArray(new Column[0])), col("path")).as("r"),
            array_sort(flatten(collect_list(col("files")))).as("files"))
        .select(col("clip_id"), col("r.*"), col("files"));
    List<Column> ordered = new ArrayList<>();
    for (StructField f : schema.fields()) {
      ordered.add(col(f.name()));
    }
    int files = Math.max(1, (entries.size() + 199_999) / 200_000);
    ClipMapping speakers = cfg.speakers().isEmpty() ? ClipMapping.empty()
        : ClipMapping.parse(cfg.speakers(), "speaker",
            Sources.readLines(cfg.speakers(), hconf, "--speakers"));
    Dataset<Row> out = spark.createDataFrame(
            merged.select(ordered.toArray(new Column[0]))
                .repartitionByRange(files, col("path"))
                .sortWithinPartitions(col("path"))
                .javaRDD()
                .map(r -> ClipRows.withSpeaker(r, speakers)),
            schema)
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      // The three summaries from one small aggregate (one job, not three).
      Map<String, Long> byStatus = new TreeMap<>();
      Map<String, Long> okByDataset = new TreeMap<>();
      Map<String, Long> byError = new TreeMap<>();
      for (Row r : out.groupBy("status", "dataset", "error_code").count().collectAsList()) {
        String status = r.getString(0);
        long n = r.getLong(3);
        byStatus.merge(orNone(status), n, Long::sum);
        if ("ok".equals(status)) {
          okByDataset.merge(orNone(r.getString(1)), n, Long::sum);
        } else if (status != null && !r.isNullAt(2)) {
          byError.merge(r.getString(2), n, Long::sum);
        }
      }
      long clips = byStatus.values().stream().mapToLong(Long::longValue).sum();
      committer.write(out, description(cfg, entries.size(), toProbe.size(), reusedPaths.size(),
          clips, byStatus));
      return new Result(table, entries.size(), toProbe.size(), reusedPaths.size(), clips,
          byStatus, okByDataset, byError, (System.nanoTime() - start) / 1_000_000);
    } finally {
      out.unpersist();
    }
  }

  private static String orNone(String value) {
    return value == null ? "(none)" : value;
  }

  private static String description(CrawlConfig cfg, int listed, int probed, int reused,
      long clips, Map<String, Long> byStatus) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("table", TABLE);
    d.put("schema_version", ClipsSchema.VERSION);
    d.put("written_at", Instant.now().toString());
    d.put("talkset_version", Version.get());
    d.put("inputs", cfg.inputs());
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("require", cfg.require().name().toLowerCase(Locale.ROOT));
    params.put("probe_timeout_ms", cfg.timeoutMillis());
    params.put("frame_count", cfg.frameCount().name().toLowerCase(Locale.ROOT));
    params.put("extensions", new java.util.TreeSet<>(cfg.media().extensions()));
    d.put("parameters", params);
    d.put("files_listed", listed);
    d.put("files_probed", probed);
    d.put("files_reused", reused);
    d.put("clips", clips);
    d.put("clips_by_status", byStatus);
    d.put("schema", new Json.Raw(ClipsSchema.SCHEMA.struct().json()));
    return Json.write(d);
  }

  static String format(Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "crawl: %d clips from %d files (%d probed, %d unchanged)"
        + " in %.1f s, %.1f files/s%n", r.clips(), r.listed(), r.probed(), r.reused(),
        r.elapsedMillis() / 1000.0, r.listed() * 1000.0 / Math.max(1, r.elapsedMillis())));
    sb.append("  by status:  ").append(r.byStatus()).append('\n');
    sb.append("  ok by dataset: ").append(r.okByDataset()).append('\n');
    if (!r.byError().isEmpty()) {
      sb.append("  not ok by error: ").append(r.byError()).append('\n');
    }
    sb.append("  manifest: ").append(r.table()).append('\n');
    return sb.toString();
  }
}
