package io.talkset.jobs.io;

import io.talkset.core.audio.FrameAlignment;
import io.talkset.jobs.runtime.ClipBatch;
import io.talkset.jobs.runtime.Version;
import io.talkset.schemas.ClipsSchema;
import io.talkset.schemas.TableSchema;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A per-clip stage's pair of batch tables: the rows table (written first) and the status table
 * (committed last, one row per clip, which marks the clips done). Opening repairs what a run
 * that died left behind: staging folders, and rows batches whose status batch never committed.
 */
public final class StageTables {
  private static final Logger LOG = LoggerFactory.getLogger(StageTables.class);

  public final TableCommitter rows;
  public final TableCommitter status;
  private final TableSchema rowsSchema;
  private final TableSchema statusSchema;
  private final Set<String> finished = new HashSet<>();

  private StageTables(TableCommitter rows, TableCommitter status, TableSchema rowsSchema,
      TableSchema statusSchema) {
    this.rows = rows;
    this.status = status;
    this.rowsSchema = rowsSchema;
    this.statusSchema = statusSchema;
  }

  /** Opens and repairs the tables; reads which clips already have a status. */
  public static StageTables open(SparkSession spark, String output, TableSchema rowsSchema,
      TableSchema statusSchema) throws IOException {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    StageTables t = new StageTables(new TableCommitter(hconf, output, rowsSchema.table()),
        new TableCommitter(hconf, output, statusSchema.table()), rowsSchema, statusSchema);
    t.rows.recoverBatches();
    t.status.recoverBatches();
    List<String> done = t.status.batches();
    for (String b : t.rows.batches()) {
      if (!done.contains(b)) {
        LOG.warn("dropping {} batch {}: its {} batch never committed", rowsSchema.table(), b,
            statusSchema.table());
        t.rows.dropBatch(b);
      }
    }
    if (!done.isEmpty()) {
      for (Row r : spark.read().schema(statusSchema.struct())
          .parquet(t.status.table().toString()).select("clip_id").collectAsList()) {
        t.finished.add(r.getString(0));
      }
    }
    return t;
  }

  /**
   * The result of a run that found no clip to process. When this stage has never committed,
   * it first commits an empty batch to both tables (rows first, as always), so the tables exist
   * with their schema: later stages and readers (Spark, pyarrow, pandas) find them empty rather
   * than missing, whatever the collection held.
   *
   * @param reason what the upstream table held, for the summary; asked only when no clip was
   *     done before either
   */
  public ClipBatch nothingToDo(SparkSession spark, int skipped, int schemaVersion,
      java.util.function.Supplier<String> reason) throws IOException {
    String why = skipped > 0 ? null : reason.get();
    if (status.batches().isEmpty()) {
      String batch = newBatchId();
      Map<String, Object> d = description(schemaVersion, batch, 0);
      d.put("nothing_to_do", why);
      String description = Json.write(d);
      rows.appendBatch(spark.createDataFrame(List.of(), rowsSchema.struct()), batch,
          description);
      status.appendBatch(spark.createDataFrame(List.of(), statusSchema.struct()), batch,
          description);
      LOG.info("{}: nothing to do ({}); committed empty {} and {}", statusSchema.table(), why,
          rowsSchema.table(), statusSchema.table());
    }
    return ClipBatch.nothingToDo(skipped, why);
  }

  /**
   * Why a stage whose input is {@code upstream}'s ok clips has nothing to do, from what that
   * table holds: e.g. {@code frames_clips has no ok clip (by status {rejected=3})}.
   */
  public static String noOkClip(SparkSession spark, String output, TableSchema upstream) {
    Map<String, Long> byStatus = new java.util.TreeMap<>();
    for (Row r : spark.read().schema(upstream.struct())
        .parquet(TableCommitter.location(output, upstream.table()).toString())
        .groupBy("status").count().collectAsList()) {
      byStatus.put(r.getString(0), r.getLong(1));
    }
    return upstream.table() + (byStatus.isEmpty() ? " is empty"
        : " has no ok clip (by status " + byStatus + ")");
  }

  /** Clips with a status from an earlier run. */
  public boolean done(String clipId) {
    return finished.contains(clipId);
  }

  /**
   * The manifest's ok clips that have no status here yet, with {@code columns} (clip_id first);
   * {@code skipped} receives the number already done.
   */
  public List<Row> pending(SparkSession spark, String output, int[] skipped, String... columns)
      throws IOException {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    Dataset<Row> clips = spark.read().schema(ClipsSchema.SCHEMA.struct())
        .parquet(TableCommitter.location(output, ClipsSchema.SCHEMA.table()).toString())
        .filter(functions.col("status").equalTo("ok"));
    List<Row> todo = new ArrayList<>();
    String[] rest = java.util.Arrays.copyOfRange(columns, 1, columns.length);
    for (Row r : clips.select(columns[0], rest).collectAsList()) {
      if (done(r.getString(0))) {
        skipped[0]++;
      } else {
        todo.add(r);
      }
    }
    return todo;
  }

  /**
   * A clip's frames on the 25 fps grid, from its video duration (else its container duration):
   * the one rule every per-frame table numbers its frames by, so they join on frame_index.
   * Null when neither duration is known.
   */
  public static Integer gridFrames(Row r, String videoDuration, String duration) {
    int v = r.fieldIndex(videoDuration);
    int c = r.fieldIndex(duration);
    Double d = r.isNullAt(v) ? (r.isNullAt(c) ? null : r.getDouble(c)) : r.getDouble(v);
    return d == null ? null : FrameAlignment.videoFrames(d);
  }

  /** Tasks for {@code clips} clips: the configured number, else four per core. */
  public static int slices(JavaSparkContext jsc, int clips, int configured) {
    return configured > 0 ? configured
        : Math.max(1, Math.min(clips, jsc.defaultParallelism() * 4));
  }

  /** The head of a batch's {@code _talkset.json}; the stage adds its settings. */
  public Map<String, Object> description(int schemaVersion, String batch, int clips) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("tables", List.of(rows.name(), status.name()));
    d.put("schema_version", schemaVersion);
    d.put("batch", batch);
    d.put("written_at", Instant.now().toString());
    d.put("talkset_version", Version.get());
    d.put("clips", clips);
    return d;
  }

  /**
   * Status rows from executors, one per clip (clip_id first): a task that ran twice (a retry,
   * a speculative copy) sends its clips' statuses twice, and the last one wins.
   */
  public static Map<String, Row> oneStatusPerClip(List<Row> statuses) {
    Map<String, Row> byClip = new LinkedHashMap<>();
    for (Row r : statuses) {
      byClip.put(r.getString(0), r);
    }
    return byClip;
  }

  /**
   * How many status rows have each value of the {@code status} column (rows built on executors
   * carry no schema, so the column is found in the table's).
   */
  public static Map<String, Long> countByStatus(Iterable<Row> statuses, TableSchema table) {
    return countBy(statuses, table, "status");
  }

  /** How many rows have each value of {@code column} (null values count as "null"). */
  public static Map<String, Long> countBy(Iterable<Row> rows, TableSchema table, String column) {
    int i = table.struct().fieldIndex(column);
    Map<String, Long> counts = new java.util.TreeMap<>();
    for (Row r : rows) {
      counts.merge(r.isNullAt(i) ? "null" : r.getString(i), 1L, Long::sum);
    }
    return counts;
  }

  /** A new batch id: UTC time, sortable, plus a random suffix. */
  public static String newBatchId() {
    return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
        .format(Instant.now().atOffset(ZoneOffset.UTC))
        + "-" + UUID.randomUUID().toString().substring(0, 6);
  }
}
