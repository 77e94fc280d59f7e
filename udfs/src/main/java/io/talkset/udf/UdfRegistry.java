package io.talkset.udf;

import org.apache.spark.sql.SparkSession;

/**
 * Registers every talkset UDF on a session, under its SQL name. Notebooks that only have the jar
 * on the class path can also register one by class name, e.g. in PySpark:
 * {@code spark.udf.registerJavaFunction("talkset_layout", "io.talkset.udf.LayoutUdf")}, or call
 * {@code io.talkset.udf.UdfRegistry.registerAll(spark)} through the JVM gateway.
 */
public final class UdfRegistry {
  private UdfRegistry() {}

  public static void registerAll(SparkSession spark) {
    spark.udf().register(LayoutUdf.NAME, new LayoutUdf(), LayoutUdf.RETURN_TYPE);
  }
}
