package io.talkset.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.jobs.SparkTestSession;
import io.talkset.schemas.SyncSchemas;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which clips a stage counts as done, and what readers see, when a clip has statuses in several
 * batches: written here as a stage would write them (the sync stage's small tables), by hand, so
 * each case is exact.
 */
class StageTablesSuite {
  private final SparkSession spark = SparkTestSession.get();

  private static Row segment(String clip, int segment) {
    return RowFactory.create(clip, segment, "ok", null, null, 0, 99, 100, 100, 0, 0.0, 0.9, 0.5,
        15, null);
  }

  private static Row status(String clip, String status, String code) {
    return RowFactory.create(clip, status, code, code == null ? null : "because", 1, 1, null,
        5L, new Timestamp(0));
  }

  /** Commits one batch of both tables, rows first, as the stages do. */
  private void commit(StageTables t, String batch, List<Row> rows, List<Row> statuses)
      throws Exception {
    t.rows.appendBatch(spark.createDataFrame(rows, SyncSchemas.SEGMENTS.struct()), batch, "{}");
    t.status.appendBatch(spark.createDataFrame(statuses, SyncSchemas.CLIPS.struct()), batch,
        "{}");
  }

  private StageTables open(Path out, boolean retry) throws Exception {
    return StageTables.open(spark, out.toString(), SyncSchemas.SEGMENTS, SyncSchemas.CLIPS,
        retry);
  }

  @Test
  void tableFilesTellAnEmptyTableFromItsFootersAlone(@TempDir Path out) throws Exception {
    org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
    StageTables t = open(out, true);
    org.apache.hadoop.fs.Path rows = t.rows.table();
    org.apache.hadoop.fs.Path status = t.status.table();
    assertFalse(TableFiles.hasRows(conf, status), "no table yet");
    commit(t, "20260101T000000Z-aaaaaa", List.of(), List.of());
    assertFalse(TableFiles.hasRows(conf, rows), "an empty batch");
    assertFalse(TableFiles.hasRows(conf, status), "an empty batch");
    assertTrue(java.nio.file.Files.exists(Path.of(status.toString()).resolve(
        "batch=20260101T000000Z-aaaaaa/_SUCCESS")), "the batch is committed, with files");
    // Rows in a hidden staging folder are no rows (Spark skips it too).
    spark.createDataFrame(List.of(segment("c1", 0)), SyncSchemas.SEGMENTS.struct()).write()
        .parquet(rows + "/.batch=20260102T000000Z-bbbbbb.staging");
    assertFalse(TableFiles.hasRows(conf, rows));
    assertEquals(0, StageTables.current(spark, out.toString(), SyncSchemas.SEGMENTS).count());

    commit(t, "20260102T000000Z-cccccc", List.of(segment("c1", 0)),
        List.of(status("c1", "ok", null)));
    assertTrue(TableFiles.hasRows(conf, rows));
    assertTrue(TableFiles.hasRows(conf, status));
    assertEquals(1, StageTables.current(spark, out.toString(), SyncSchemas.SEGMENTS).count());
    StageTables reopened = open(out, true);
    assertTrue(reopened.done("c1"), "statuses are read once a batch has rows");

    // A file that is not Parquet is left to the query that reads it.
    java.nio.file.Path junk = out.resolve("junk");
    java.nio.file.Files.createDirectories(junk);
    java.nio.file.Files.writeString(junk.resolve("part-00000.parquet"), "not parquet");
    assertTrue(TableFiles.hasRows(conf, new org.apache.hadoop.fs.Path(junk.toUri())));
  }

  @Test
  void anEmptyTableIsReadAsAnEmptyRelationWithTheFilesColumns(@TempDir Path out)
      throws Exception {
    StageTables t = open(out, true);
    commit(t, "20260101T000000Z-aaaaaa", List.of(), List.of());
    String rows = t.rows.table().toString();
    org.apache.spark.sql.types.StructType fromFiles = spark.read()
        .schema(SyncSchemas.SEGMENTS.struct()).parquet(rows).schema();
    org.apache.spark.sql.Dataset<Row> current =
        StageTables.current(spark, out.toString(), SyncSchemas.SEGMENTS);
    // The same columns a reader of the files gets (with the batch partition column), known
    // empty from the plan alone, so later queries over it are folded without a job.
    assertEquals(fromFiles, current.schema());
    assertTrue(StageTables.knownEmpty(current));
    assertTrue(StageTables.knownEmpty(current.join(
        StageTables.current(spark, out.toString(), SyncSchemas.CLIPS), "clip_id")));
    assertEquals(fromFiles, StageTables.read(spark, SyncSchemas.SEGMENTS.struct(), rows)
        .schema());
    assertEquals(0, current.count());

    commit(t, "20260102T000000Z-bbbbbb", List.of(segment("c1", 0)),
        List.of(status("c1", "ok", null)));
    org.apache.spark.sql.Dataset<Row> one =
        StageTables.current(spark, out.toString(), SyncSchemas.SEGMENTS);
    assertFalse(StageTables.knownEmpty(one), "a table with a row is read from its files");
    assertEquals(fromFiles, one.schema());
    assertEquals(List.of("c1"), one.select("clip_id").as(
        org.apache.spark.sql.Encoders.STRING()).collectAsList());
  }

  @Test
  void theLatestStatusWinsAndOnlyItsAttemptsRowsAreSeen(@TempDir Path out) throws Exception {
    StageTables first = open(out, true);
    // Batch 1: "a" ok, "b" failed for a reason of the run (with a partial row), "c" corrupt,
    // "d" rejected, "e" failed by a timeout.
    commit(first, "20260101T000000Z-aaaaaa", List.of(segment("a", 0), segment("b", 0)),
        List.of(status("a", "ok", null), status("b", "failed", "io_error"),
            status("c", "failed", "corrupt"), status("d", "rejected", "no_audio"),
            status("e", "failed", "probe_timeout")));

    StageTables second = open(out, true);
    assertTrue(second.done("a"));
    assertFalse(second.done("b"), "an I/O error is retried");
    assertTrue(second.done("c"), "a corrupt file stays done: the same bytes fail the same way");
    assertTrue(second.done("d"));
    assertFalse(second.done("e"), "a timeout is retried");
    assertEquals(2, second.retrying());
    StageTables kept = open(out, false);
    assertTrue(kept.done("b") && kept.done("e"), "--retry-failed false keeps every failure");

    // Batch 2 redoes "b" (ok now, two segments) and "e" (failed again).
    String batch2 = second.newBatch();
    assertTrue(batch2.compareTo("20260101T000000Z-aaaaaa") > 0);
    commit(second, batch2, List.of(segment("b", 0), segment("b", 1)),
        List.of(status("b", "ok", null), status("e", "failed", "probe_timeout")));

    Map<String, String> latest = new TreeMap<>();
    for (Row r : StageTables.current(spark, out.toString(), SyncSchemas.CLIPS)
        .select("clip_id", "status", "batch").collectAsList()) {
      assertTrue(latest.put(r.getString(0), r.getString(1) + "@" + r.getString(2)) == null,
          "one row per clip");
    }
    assertEquals(Map.of("a", "ok@20260101T000000Z-aaaaaa", "b", "ok@" + batch2,
        "c", "failed@20260101T000000Z-aaaaaa", "d", "rejected@20260101T000000Z-aaaaaa",
        "e", "failed@" + batch2), latest);
    // The rows: a's from batch 1, b's two from batch 2; b's partial row of batch 1 is hidden.
    List<String> rows = new ArrayList<>();
    for (Row r : StageTables.current(spark, out.toString(), SyncSchemas.SEGMENTS)
        .select("clip_id", "segment", "batch").orderBy("clip_id", "segment").collectAsList()) {
      rows.add(r.getString(0) + r.getInt(1) + "@" + r.getString(2));
    }
    assertEquals(List.of("a0@20260101T000000Z-aaaaaa", "b0@" + batch2, "b1@" + batch2), rows);
    assertEquals(4, spark.read().parquet(out.resolve("sync").toString()).count(),
        "every batch stays on disk; readers of the raw folders see all four rows");
    // Counts by status count each clip once (the raw rows hold 3 failed and 3 ok).
    assertEquals("sync_clips has no ok clip (by status {failed=2, ok=2, rejected=1})",
        StageTables.noOkClip(spark, out.toString(), SyncSchemas.CLIPS));
  }

  @Test
  void aNewBatchSortsAfterTheLastEvenWhenTheClockDoesNot(@TempDir Path out) throws Exception {
    StageTables t = open(out, true);
    // A batch from a driver whose clock ran ahead (or one committed this same second).
    commit(t, "20990101T000000Z-ffffff", List.of(), List.of(status("a", "failed", "io_error")));
    StageTables next = open(out, true);
    String id = next.newBatch();
    assertTrue(id.startsWith("20990101T000001Z-"), id);
    assertTrue(next.newBatch().compareTo(id) > 0, "and the one after it, again");
  }
}
