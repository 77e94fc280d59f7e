package io.talkset.jobs.io;

import io.talkset.core.audio.FrameAlignment;
import io.talkset.core.errors.ErrorCodes;
import io.talkset.jobs.runtime.ClipBatch;
import io.talkset.jobs.runtime.Version;
import io.talkset.schemas.AudioSchemas;
import io.talkset.schemas.ClipsSchema;
import io.talkset.schemas.FramesSchemas;
import io.talkset.schemas.PairsSchemas;
import io.talkset.schemas.ParamsSchemas;
import io.talkset.schemas.SyncSchemas;
import io.talkset.schemas.TableSchema;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
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
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A per-clip stage's pair of batch tables: the rows table (written first) and the status table
 * (committed last, one row per clip and batch). Opening repairs what a run that died left
 * behind: staging folders, and rows batches whose status batch never committed.
 *
 * <p>A clip may have a status in several batches: a clip that failed is processed again by a
 * later run ({@link #retryable}), which appends its new status. The latest status wins, and
 * "latest" is the greatest batch id: ids are UTC times that sort as text, and a new id is always
 * made greater than every committed one ({@link #newBatch}), whatever the clock says. Readers
 * see each clip once, through {@link #current}: its latest status, and only the rows written by
 * the attempt that status describes (a failed attempt's partial rows stay hidden once a later
 * attempt commits).
 */
public final class StageTables {
  private static final Logger LOG = LoggerFactory.getLogger(StageTables.class);

  public final TableCommitter rows;
  public final TableCommitter status;
  private final TableSchema rowsSchema;
  private final TableSchema statusSchema;
  private final Set<String> finished = new HashSet<>();
  private final Set<String> retrying = new HashSet<>();
  private String lastBatch;

  private StageTables(TableCommitter rows, TableCommitter status, TableSchema rowsSchema,
      TableSchema statusSchema) {
    this.rows = rows;
    this.status = status;
    this.rowsSchema = rowsSchema;
    this.statusSchema = statusSchema;
  }

  /** {@link #open(SparkSession, String, TableSchema, TableSchema, boolean)}, retrying failures. */
  public static StageTables open(SparkSession spark, String output, TableSchema rowsSchema,
      TableSchema statusSchema) throws IOException {
    return open(spark, output, rowsSchema, statusSchema, true);
  }

  /**
   * Opens and repairs the tables; reads each clip's latest status to know which are done.
   *
   * @param retryFailed whether a clip whose latest status is {@code failed} with a
   *     {@link #retryable} code is processed again ({@code --retry-failed}, default true)
   */
  public static StageTables open(SparkSession spark, String output, TableSchema rowsSchema,
      TableSchema statusSchema, boolean retryFailed) throws IOException {
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
      t.lastBatch = done.get(done.size() - 1);
    }
    // Only committed empty batches (a run with nothing to do): no status to read.
    if (!done.isEmpty() && TableFiles.hasRows(hconf, t.status.table())) {
      for (Row r : latest(spark.read().schema(statusSchema.struct())
          .parquet(t.status.table().toString()))
          .select("clip_id", "status", "error_code").collectAsList()) {
        if (retryFailed && "failed".equals(r.getString(1))
            && retryable(r.isNullAt(2) ? null : r.getString(2))) {
          t.retrying.add(r.getString(0));
        } else {
          t.finished.add(r.getString(0));
        }
      }
      if (!t.retrying.isEmpty()) {
        LOG.info("{}: {} clip(s) whose latest status is failed are processed again"
            + " (--retry-failed false keeps them)", statusSchema.table(), t.retrying.size());
      }
    }
    return t;
  }

  /**
   * Whether a clip that failed with {@code errorCode} is worth processing again on the next
   * run. Failures that come from the run (a wrong models folder, a timeout, an I/O or
   * permission error, an out-of-memory or any other internal error) may not happen again, so
   * they are retried. Failures that are properties of the file itself ({@code corrupt},
   * {@code truncated}, {@code unrecognized_format}: the same bytes give the same error every
   * time; {@code poison_clip}: the same bytes killed the JVM every time, see
   * {@link ClipAttempts}) stay done, as do {@code rejected} clips (no video, no face, no audio,
   * over a limit), which are never failures.
   */
  public static boolean retryable(String errorCode) {
    return !ErrorCodes.CORRUPT.equals(errorCode) && !ErrorCodes.TRUNCATED.equals(errorCode)
        && !ErrorCodes.UNRECOGNIZED_FORMAT.equals(errorCode)
        && !ErrorCodes.POISON_CLIP.equals(errorCode);
  }

  /**
   * One row per clip of a status table (with its {@code batch} column, which Spark, pyarrow
   * and pandas add from the {@code batch=ID} folders): the row of the greatest batch.
   */
  public static Dataset<Row> latest(Dataset<Row> statusTable) {
    return latest(statusTable, "clip_id");
  }

  /** One row per {@code key} of a batch-written table: the row of the greatest batch. */
  public static Dataset<Row> latest(Dataset<Row> table, String key) {
    return table
        .withColumn("_latest", functions.row_number().over(
            Window.partitionBy(key).orderBy(functions.col("batch").desc())))
        .filter(functions.col("_latest").equalTo(1))
        .drop("_latest");
  }

  /** Each per-clip stage's rows table and the status table that governs it. */
  private static final Map<String, TableSchema> STATUS_OF = Map.of(
      AudioSchemas.FRAMES.table(), AudioSchemas.CLIPS,
      FramesSchemas.FRAMES.table(), FramesSchemas.CLIPS,
      ParamsSchemas.PARAMS.table(), ParamsSchemas.CLIPS,
      SyncSchemas.SEGMENTS.table(), SyncSchemas.CLIPS);

  /**
   * Tables of one row per key and batch whose latest row wins, beside the status tables: a
   * pair aligned again after a failure ({@code --retry-failed}) has a row in each batch.
   */
  private static final Map<String, String> LATEST_BY = Map.of(
      PairsSchemas.PAIRS.table(), "pair_id");

  /** The status table of a per-clip stage's rows table, or null for any other table. */
  public static TableSchema statusOf(TableSchema rows) {
    return STATUS_OF.get(rows.table());
  }

  /**
   * Table {@code table} under {@code output} as readers should see it, read with its explicit
   * schema (plus {@code batch} for batch-written tables). For a per-clip stage's status table:
   * one row per clip, its latest status. For its rows table: only rows of the batch that holds
   * their clip's latest status, so neither the rows of an attempt that a later run redid nor
   * rows whose status never committed are seen. For {@code pairs}: one row per pair, its
   * latest. Any other table is read as it is. The table must exist.
   */
  public static Dataset<Row> current(SparkSession spark, String output, TableSchema table) {
    org.apache.hadoop.fs.Path location = TableCommitter.location(output, table.table());
    Dataset<Row> t = spark.read().schema(table.struct()).parquet(location.toString());
    if (!TableFiles.hasRows(spark.sparkContext().hadoopConfiguration(), location)) {
      // No row stored: every view below is empty with t's columns. An empty local relation
      // says so to the optimizer, which folds the queries of later stages (joins, counts,
      // collects) without a Spark job: an empty run's stages cost no job per table.
      return emptyLike(spark, t);
    }
    if (STATUS_OF.containsValue(table)) {
      return latest(t);
    }
    if (LATEST_BY.containsKey(table.table())) {
      return latest(t, LATEST_BY.get(table.table()));
    }
    TableSchema statusSchema = STATUS_OF.get(table.table());
    if (statusSchema == null) {
      return t;
    }
    org.apache.hadoop.fs.Path statusPath = TableCommitter.location(output, statusSchema.table());
    try {
      if (!statusPath.getFileSystem(spark.sparkContext().hadoopConfiguration())
          .exists(statusPath)) {
        // The stage's first run died between its two commits: none of its rows count yet.
        return t.limit(0);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot look for " + statusPath, e);
    }
    Dataset<Row> latest = latest(spark.read().schema(statusSchema.struct())
        .parquet(TableCommitter.location(output, statusSchema.table()).toString()))
        .select(functions.col("clip_id").as("_clip"), functions.col("batch").as("_batch"));
    // One row per clip: small beside the rows, so it is broadcast and the join is a filter.
    return t.join(functions.broadcast(latest), t.col("clip_id").equalTo(latest.col("_clip"))
        .and(t.col("batch").equalTo(latest.col("_batch"))), "left_semi");
  }

  /**
   * The Parquet files at {@code path} read with {@code schema}, or, when they store no row, an
   * empty local relation with the same columns (see {@link #knownEmpty}).
   */
  public static Dataset<Row> read(SparkSession spark,
      org.apache.spark.sql.types.StructType schema, String path) {
    Dataset<Row> t = spark.read().schema(schema).parquet(path);
    return TableFiles.hasRows(spark.sparkContext().hadoopConfiguration(),
        new org.apache.hadoop.fs.Path(path)) ? t : emptyLike(spark, t);
  }

  /** No row, with {@code of}'s columns (names, types, nullability, metadata). */
  public static Dataset<Row> emptyLike(SparkSession spark, Dataset<Row> of) {
    return spark.createDataFrame(List.of(), of.schema());
  }

  /**
   * Whether {@code d} is known to hold no row without running it: its optimized plan is an
   * empty local relation (an empty table from {@link #current}, and whatever the optimizer
   * derived from one). False means "not known", not "has rows".
   */
  public static boolean knownEmpty(Dataset<Row> d) {
    return d.queryExecution().optimizedPlan()
        instanceof org.apache.spark.sql.catalyst.plans.logical.LocalRelation r
        && r.data().isEmpty();
  }

  /**
   * The rows of per-clip stage rows table {@code table} that {@link #current} shows for
   * {@code clipIds} alone, read so that only their batches are listed ({@code batch} is the
   * partition column) and only row groups that may hold them are read (the clip ids are pushed
   * down to Parquet): a stage committing in groups reads its input once per group, and a
   * whole scan of a frames table per group would cost more than the work.
   */
  public static Dataset<Row> currentOf(SparkSession spark, String output, TableSchema table,
      Collection<String> clipIds) {
    TableSchema statusSchema = STATUS_OF.get(table.table());
    if (statusSchema == null) {
      throw new IllegalArgumentException(table.table() + " is not a per-clip stage's rows"
          + " table");
    }
    Object[] ids = clipIds.toArray();
    List<Row> latest = latest(spark.read().schema(statusSchema.struct())
        .parquet(TableCommitter.location(output, statusSchema.table()).toString())
        .filter(functions.col("clip_id").isin(ids)))
        .select(functions.col("clip_id").as("_clip"), functions.col("batch").as("_batch"))
        .collectAsList();
    Set<String> batches = new java.util.TreeSet<>();
    for (Row r : latest) {
      batches.add(r.getString(1));
    }
    Dataset<Row> t = spark.read().schema(table.struct())
        .parquet(TableCommitter.location(output, table.table()).toString())
        .filter(functions.col("batch").isin(batches.toArray())
            .and(functions.col("clip_id").isin(ids)));
    // A clip may have rows in another of these batches from an attempt a later one redid.
    Dataset<Row> keep = spark.createDataFrame(latest, new org.apache.spark.sql.types.StructType()
        .add("_clip", org.apache.spark.sql.types.DataTypes.StringType)
        .add("_batch", org.apache.spark.sql.types.DataTypes.StringType));
    return t.join(functions.broadcast(keep), t.col("clip_id").equalTo(keep.col("_clip"))
        .and(t.col("batch").equalTo(keep.col("_batch"))), "left_semi");
  }

  /**
   * The end of a commit group whose status rows came back from its tasks (one per clip sent,
   * or more when a task ran twice): checks that every clip sent has one, counts the rows batch
   * {@code batch} written before, and commits the status batch under the same id, last: from
   * there on the group's clips count as done.
   *
   * @param description the batch's {@code _talkset.json}, given the clips by status
   * @param otherColumn a status column to count by as well (the device), or null
   */
  public CommitGroups.Committed commitStatuses(SparkSession spark, String stage, String batch,
      int sent, List<Row> statusRows,
      java.util.function.Function<Map<String, Long>, String> description, String otherColumn)
      throws IOException {
    Map<String, Row> byClip = oneStatusPerClip(statusRows);
    if (byClip.size() != sent) {
      throw new IllegalStateException(stage + ": " + sent + " clips sent, " + byClip.size()
          + " statuses back; the batch is not committed");
    }
    Map<String, Long> byStatus = countByStatus(byClip.values(), statusSchema);
    long count = spark.read().schema(rowsSchema.struct())
        .parquet(rows.table() + "/batch=" + batch).count();
    status.appendBatch(spark.createDataFrame(new ArrayList<>(byClip.values()),
        statusSchema.struct()), batch, description.apply(byStatus));
    return new CommitGroups.Committed(byClip.keySet(), count, byStatus,
        otherColumn == null ? Map.of() : countBy(byClip.values(), statusSchema, otherColumn));
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
      String batch = newBatch();
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
    if (!TableFiles.hasRows(spark.sparkContext().hadoopConfiguration(),
        TableCommitter.location(output, upstream.table()))) {
      return upstream.table() + " is empty";
    }
    Map<String, Long> byStatus = new java.util.TreeMap<>();
    for (Row r : current(spark, output, upstream).groupBy("status").count().collectAsList()) {
      byStatus.put(r.getString(0), r.getLong(1));
    }
    return upstream.table() + (byStatus.isEmpty() ? " is empty"
        : " has no ok clip (by status " + byStatus + ")");
  }

  /**
   * Clips an earlier run finished: their latest status is ok, rejected, or failed in a way not
   * worth retrying (or any failure under {@code --retry-failed false}).
   */
  public boolean done(String clipId) {
    return finished.contains(clipId);
  }

  /** How many clips this run processes again because their latest status is failed. */
  public int retrying() {
    return retrying.size();
  }

  /**
   * The manifest's ok clips that have no status here yet, with {@code columns} (clip_id first);
   * {@code skipped} receives the number already done.
   */
  public List<Row> pending(SparkSession spark, String output, int[] skipped, String... columns)
      throws IOException {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    org.apache.hadoop.fs.Path manifest = TableCommitter.location(output,
        ClipsSchema.SCHEMA.table());
    List<Row> todo = new ArrayList<>();
    if (manifest.getFileSystem(hconf).exists(manifest)
        && !TableFiles.hasRows(hconf, manifest)) {
      return todo;
    }
    Dataset<Row> clips = spark.read().schema(ClipsSchema.SCHEMA.struct())
        .parquet(manifest.toString())
        .filter(functions.col("status").equalTo("ok"));
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

  private static final DateTimeFormatter BATCH_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** A new batch id: UTC time, sortable, plus a random suffix. */
  public static String newBatchId() {
    return batchId(Instant.now());
  }

  private static String batchId(Instant at) {
    return BATCH_TIME.format(at) + "-" + UUID.randomUUID().toString().substring(0, 6);
  }

  /**
   * The id of this stage's next batch: {@link #newBatchId}, made greater than every committed
   * status batch, because the greatest batch holds a clip's latest status. Two runs in the same
   * second, or a driver whose clock is behind the last one's, would otherwise give an id that
   * sorts before the last batch; then the id is the last batch's time plus one second.
   */
  public String newBatch() {
    String id = newBatchId();
    if (lastBatch != null && id.compareTo(lastBatch) <= 0) {
      Instant last;
      try {
        last = Instant.from(BATCH_TIME.parse(lastBatch.substring(0, 16)));
      } catch (RuntimeException e) {
        throw new IllegalStateException(status.name() + " has a batch id not written by"
            + " talkset (" + lastBatch + "): cannot order a new batch after it", e);
      }
      id = batchId(last.plusSeconds(1));
    }
    lastBatch = id;
    return id;
  }

  /**
   * SHA-256 of the ok clips of a status table as (clip_id, batch) lines, sorted: which rows a
   * table derived from this stage was made from. A derived table records it, and a reader
   * compares it with the stage's current one to tell whether the derived rows are stale
   * (the stage re-ran a clip since).
   */
  public static String okBatchesDigest(SparkSession spark, String output, TableSchema status)
      throws IOException {
    return okBatchesDigest(current(spark, output, status)
        .filter(functions.col("status").equalTo("ok")).select("clip_id", "batch")
        .collectAsList());
  }

  /** {@link #okBatchesDigest(SparkSession, String, TableSchema)} of collected rows. */
  public static String okBatchesDigest(List<Row> clipBatches) {
    List<String> lines = new ArrayList<>();
    for (Row r : clipBatches) {
      lines.add(r.getString(0) + "\t" + r.get(1));
    }
    java.util.Collections.sort(lines);
    return io.talkset.core.hashing.Sha256.hex(String.join("\n", lines)
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
