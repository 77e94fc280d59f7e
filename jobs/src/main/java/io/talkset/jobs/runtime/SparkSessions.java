package io.talkset.jobs.runtime;

import org.apache.spark.sql.SparkSession;

/**
 * The one place sessions are made. No master here: spark-submit (or bin/talkset) sets it.
 * Timestamps are written as Parquet TIMESTAMP_MICROS in UTC, which pandas and pyarrow read
 * without the deprecated INT96 path.
 */
public final class SparkSessions {
  private SparkSessions() {}

  public static SparkSession getOrCreate(String appName) {
    SparkSession spark = SparkSession.builder().appName(appName).getOrCreate();
    configure(spark);
    return spark;
  }

  /** Settings every talkset job relies on; tests apply them to their shared session too. */
  public static void configure(SparkSession spark) {
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    spark.conf().set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
    spark.conf().set("spark.sql.parquet.compression.codec", "zstd");
    // The frames tables hold a 20-50 KB JPEG per row: Spark's default batch of 4096 rows asks
    // the vectorized reader for one ~100 MB buffer per task, which ran a 2 GB local driver out
    // of heap in the params stage. 256 rows keep it near 10 MB; the small-row tables lose
    // nothing measurable. A value the user set (--conf) wins.
    if (!spark.sparkContext().getConf().contains(READER_BATCH)) {
      spark.conf().set(READER_BATCH, "256");
    }
  }

  static final String READER_BATCH = "spark.sql.parquet.columnarReaderBatchSize";
}
