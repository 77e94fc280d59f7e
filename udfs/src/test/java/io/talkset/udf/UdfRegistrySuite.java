package io.talkset.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The UDFs from SQL, registered both ways a notebook would. */
class UdfRegistrySuite {
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[1]").appName("udfs")
        .config("spark.ui.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void layoutFromSqlByRegistryAndByClassName() {
    UdfRegistry.registerAll(spark);
    spark.udf().registerJava("layout_by_class", LayoutUdf.class.getName(), LayoutUdf.RETURN_TYPE);
    List<Row> rows = spark.sql("SELECT talkset_layout(p) AS a, layout_by_class(p) AS b FROM VALUES"
        + " ('/ravdess/Actor_12/03-01-05-02-02-01-12.wav'), (NULL) AS t(p)").collectAsList();
    Row r = rows.get(0).getStruct(0);
    assertEquals("ravdess", r.getString(0));
    assertEquals("Actor_12", r.getString(1));
    assertEquals("angry", r.getString(3));
    assertEquals("speech-02", r.getString(5));
    assertEquals(rows.get(0).get(0), rows.get(0).get(1));
    assertTrue(rows.get(1).isNullAt(0), "null in, null out");
  }
}
