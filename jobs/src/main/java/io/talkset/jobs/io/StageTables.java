package io.talkset.jobs.io;

import io.talkset.schemas.TableSchema;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
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
  private final Set<String> finished = new HashSet<>();

  private StageTables(TableCommitter rows, TableCommitter status) {
    this.rows = rows;
    this.status = status;
  }

  /** Opens and repairs the tables; reads which clips already have a status. */
  public static StageTables open(SparkSession spark, String output, TableSchema rowsSchema,
      TableSchema statusSchema) throws IOException {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    StageTables t = new StageTables(new TableCommitter(hconf, output, rowsSchema.table()),
        new TableCommitter(hconf, output, statusSchema.table()));
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

  /** Clips with a status from an earlier run. */
  public boolean done(String clipId) {
    return finished.contains(clipId);
  }

  /** A new batch id: UTC time, sortable, plus a random suffix. */
  public static String newBatchId() {
    return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
        .format(Instant.now().atOffset(ZoneOffset.UTC))
        + "-" + UUID.randomUUID().toString().substring(0, 6);
  }
}
