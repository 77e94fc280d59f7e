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

  @Test
  void audioUdfsFromSqlMatchTheCoreAndHandleNulls() {
    UdfRegistry.registerAll(spark);
    spark.udf().registerJava("mfcc_by_class", "io.talkset.udf.AudioUdfs$MfccUdf",
        AudioUdfs.MATRIX);
    float[] tone = new float[16000];
    for (int i = 0; i < tone.length; i++) {
      tone[i] = (float) (0.5 * Math.sin(2 * Math.PI * 220 * i / 16000));
    }
    StringBuilder literal = new StringBuilder("array(");
    for (int i = 0; i < tone.length; i++) {
      literal.append(i == 0 ? "" : ",").append("CAST(").append(tone[i]).append(" AS FLOAT)");
    }
    literal.append(")");
    spark.sql("SELECT " + literal + " AS samples").createOrReplaceTempView("tone");
    Row r = spark.sql("SELECT talkset_mfcc(samples, 'librosa') AS m, mfcc_by_class(samples, 'evp')"
        + " AS e, talkset_logmel(samples) AS mel, talkset_pitch(samples) AS p,"
        + " talkset_resample(samples, 16000, 8000) AS half,"
        + " talkset_mfcc(CAST(NULL AS ARRAY<FLOAT>), 'kaldi') AS n FROM tone").first();
    float[][] expected = new io.talkset.core.audio.Mfcc(
        io.talkset.core.audio.Mfcc.Params.librosa(16000, 512, 160, 40, 13)).compute(tone);
    java.util.List<Object> m = r.getList(0);
    assertEquals(expected.length, m.size());
    assertEquals(expected[50][3], (Float) ((scala.collection.Seq<?>) m.get(50)).apply(3), 1e-6);
    assertEquals(new io.talkset.core.audio.Mfcc(io.talkset.core.audio.Mfcc.Params.evp(16000))
        .compute(tone).length, r.getList(1).size());
    assertEquals(81, r.getList(2).size());
    java.util.List<Object> f0 = r.getStruct(3).getList(0);
    assertEquals(220, (Double) f0.get(50), 220 * 0.006);
    java.util.List<Object> half = r.getList(4);
    assertEquals(8000, half.size(), 2);
    assertTrue(r.isNullAt(5));
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> spark.sql("SELECT talkset_mfcc(samples, 'htk') FROM tone").collect());
    assertTrue(String.valueOf(rootMessage(e)).contains("got 'htk'"), rootMessage(e));
  }

  static String rootMessage(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c.getMessage()).append(" | ");
    }
    return sb.toString();
  }
}
