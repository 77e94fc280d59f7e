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

  @Test
  void imageMetricUdfsMatchTheCoreOnEncodedPictures() throws Exception {
    UdfRegistry.registerAll(spark);
    org.bytedeco.opencv.opencv_core.Mat img = org.bytedeco.opencv.global.opencv_imgcodecs.imread(
        io.talkset.testing.Samples.get("photos/skimage/astronaut.png").toString());
    byte[] png = java.nio.file.Files.readAllBytes(
        io.talkset.testing.Samples.get("photos/skimage/astronaut.png"));
    org.bytedeco.javacpp.BytePointer buf = new org.bytedeco.javacpp.BytePointer();
    org.bytedeco.opencv.global.opencv_imgcodecs.imencode(".jpg", img, buf,
        new org.bytedeco.javacpp.IntPointer(
            org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY, 30));
    byte[] jpeg = new byte[(int) buf.limit()];
    buf.get(jpeg);
    spark.createDataFrame(java.util.List.of(org.apache.spark.sql.RowFactory.create(png, jpeg)),
        new org.apache.spark.sql.types.StructType()
            .add("a", org.apache.spark.sql.types.DataTypes.BinaryType)
            .add("b", org.apache.spark.sql.types.DataTypes.BinaryType))
        .createOrReplaceTempView("pics");
    Row r = spark.sql("SELECT talkset_ssim(a, b, 'skimage'), talkset_psnr(a, b, 'rgb'),"
        + " talkset_psnr(a, a, 'y'), talkset_cpbd(a), talkset_ssim(a, NULL, 'wang') FROM pics")
        .first();
    try (org.bytedeco.opencv.opencv_core.Mat j = org.bytedeco.opencv.global.opencv_imgcodecs
        .imdecode(new org.bytedeco.opencv.opencv_core.Mat(jpeg),
            org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR)) {
      assertEquals(new io.talkset.core.metrics.Ssim(io.talkset.core.metrics.Ssim.SKIMAGE)
          .mean(img, j), r.getDouble(0), 1e-12);
      assertEquals(io.talkset.core.metrics.Psnr.rgb(img, j), r.getDouble(1), 1e-12);
    }
    assertTrue(r.getDouble(0) > 0.5 && r.getDouble(0) < 0.99, "q30 JPEG: " + r.getDouble(0));
    assertEquals(Double.POSITIVE_INFINITY, r.getDouble(2));
    assertEquals(io.talkset.core.metrics.Sharpness.cpbd(img), r.getDouble(3), 1e-12);
    assertTrue(r.isNullAt(4));
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> spark.sql("SELECT talkset_ssim(a, b, 'ms') FROM pics").collect());
    assertTrue(String.valueOf(rootMessage(e)).contains("got 'ms'"), rootMessage(e));
  }

  @Test
  void identityUdfsGiveCosineAndDistanceOfDescriptors() {
    UdfRegistry.registerAll(spark);
    spark.udf().registerJava("identity_by_class",
        "io.talkset.udf.FaceUdfs$IdentitySimilarityUdf",
        org.apache.spark.sql.types.DataTypes.DoubleType);
    // (3, 4) and (4, 3): cosine 24/25, distance sqrt(2); orthogonal vectors: cosine 0.
    Row r = spark.sql("SELECT talkset_identity_similarity(array(3f, 4f), array(4f, 3f)),"
        + " talkset_identity_distance(array(3f, 4f), array(4f, 3f)),"
        + " identity_by_class(array(1f, 0f), array(0f, 2f)),"
        + " talkset_identity_similarity(array(1f), CAST(NULL AS ARRAY<FLOAT>))").first();
    assertEquals(0.96, r.getDouble(0), 1e-7);
    assertEquals(Math.sqrt(2), r.getDouble(1), 1e-6);
    assertEquals(0.0, r.getDouble(2), 1e-12);
    assertTrue(r.isNullAt(3), "null in, null out");
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> spark.sql("SELECT talkset_identity_similarity(array(1f, 2f), array(1f))")
            .collect());
    assertTrue(rootMessage(e).contains("differ in length: 2 and 1"), rootMessage(e));
  }

  static String rootMessage(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c.getMessage()).append(" | ");
    }
    return sb.toString();
  }
}
