package io.talkset.jobs.runtime;

import io.talkset.jobs.cli.Options;
import org.apache.spark.sql.SparkSession;

/** A pipeline stage runnable on its own ({@code talkset <name>}) or within {@code talkset run}. */
public interface Job {
  String name();

  /** One line for {@code talkset --help}. */
  String summary();

  Options options();

  /** Checks every argument before a session starts; throws UsageException naming the bad one. */
  void validate(Options.Parsed args);

  /** Runs with parsed options on a session the caller owns; returns a summary to print. */
  String run(SparkSession spark, Options.Parsed args) throws Exception;
}
