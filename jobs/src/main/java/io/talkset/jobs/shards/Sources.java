package io.talkset.jobs.shards;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import io.talkset.jobs.io.StageTables;
import io.talkset.jobs.io.TableCommitter;
import io.talkset.jobs.io.TableFiles;
import io.talkset.schemas.TableSchema;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The stage tables as one shards run reads them, with each per-clip status table's latest view
 * (one small row per clip) collected once and used as a local relation. Read through
 * {@link ShardsJob#read}, every query of the run (verdicts, counts, frames, clips) planned that
 * view again (a window over the status table, its shuffle and a broadcast: two or three Spark
 * jobs each time), some 20 jobs per query for ten clips. The rows are the same.
 */
final class Sources {
  private final SparkSession spark;
  private final String output;
  private final Map<String, Dataset<Row>> status = new HashMap<>();

  Sources(SparkSession spark, String output) {
    this.spark = spark;
    this.output = output;
  }

  /**
   * {@link ShardsJob#read}: for a status table, its latest view collected (local); any other
   * table as it is read there.
   */
  Dataset<Row> read(TableSchema s) throws IOException {
    if (!isStatus(s)) {
      return ShardsJob.read(spark, output, s);
    }
    Dataset<Row> local = status.get(s.table());
    if (local == null) {
      Dataset<Row> d = ShardsJob.read(spark, output, s);
      local = StageTables.knownEmpty(d) ? d : spark.createDataFrame(d.collectAsList(), d.schema());
      status.put(s.table(), local);
    }
    return local;
  }

  /**
   * {@link ShardsJob#readOk}: the rows whose (clip_id, batch) is their clip's latest status row
   * and that status is ok, one broadcast semi-join with the collected status view. A table
   * {@link StageTables#current} reads specially (no row stored, no status table yet) is read
   * as there.
   */
  Dataset<Row> readOk(TableSchema rows) throws IOException {
    TableSchema statusSchema = StageTables.statusOf(rows);
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    Path rowsPath = TableCommitter.location(output, rows.table());
    Path statusPath = TableCommitter.location(output, statusSchema.table());
    if (!rowsPath.getFileSystem(hconf).exists(rowsPath)
        || !statusPath.getFileSystem(hconf).exists(statusPath)
        || !TableFiles.hasRows(hconf, rowsPath)) {
      return ShardsJob.readOk(spark, output, rows);
    }
    Dataset<Row> t = spark.read().schema(rows.struct()).parquet(rowsPath.toString());
    Dataset<Row> ok = read(statusSchema).filter(col("status").equalTo("ok"))
        .select(col("clip_id").as("_clip"), col("batch").as("_batch"));
    return t.join(broadcast(ok), t.col("clip_id").equalTo(ok.col("_clip"))
        .and(t.col("batch").equalTo(ok.col("_batch"))), "left_semi");
  }

  private static boolean isStatus(TableSchema s) {
    for (TableSchema rows : java.util.List.of(io.talkset.schemas.AudioSchemas.FRAMES,
        io.talkset.schemas.FramesSchemas.FRAMES, io.talkset.schemas.ParamsSchemas.PARAMS,
        io.talkset.schemas.SyncSchemas.SEGMENTS)) {
      if (StageTables.statusOf(rows).table().equals(s.table())) {
        return true;
      }
    }
    return false;
  }
}
