package io.talkset.jobs;

import io.talkset.jobs.runtime.SparkSessions;
import org.apache.spark.sql.SparkSession;

/** One small local session for the whole suite (a session costs ~5 s to start). */
public final class SparkTestSession {
  private static SparkSession spark;

  private SparkTestSession() {}

  public static synchronized SparkSession get() {
    if (spark == null) {
      spark = SparkSession.builder()
          .master("local[2]")
          .appName("talkset-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.hadoop.fs.faulty.impl", FaultyFileSystem.class.getName())
          .config("spark.hadoop.fs.faulty.impl.disable.cache", "true")
          .getOrCreate();
      SparkSessions.configure(spark);
      Runtime.getRuntime().addShutdownHook(new Thread(spark::stop));
    }
    return spark;
  }
}
