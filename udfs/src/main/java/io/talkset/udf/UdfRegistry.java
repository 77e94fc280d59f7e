package io.talkset.udf;

import org.apache.spark.sql.SparkSession;

/**
 * Registers every talkset UDF on a session, under its SQL name. Notebooks that only have the jar
 * on the class path can also register one by class name, e.g. in PySpark:
 * {@code spark.udf.registerJavaFunction("talkset_layout", "io.talkset.udf.LayoutUdf")}, or call
 * {@code io.talkset.udf.UdfRegistry.registerAll(spark)} through the JVM gateway. Nested classes
 * register by their binary name, e.g. {@code io.talkset.udf.AudioUdfs$MfccUdf}.
 */
public final class UdfRegistry {
  private UdfRegistry() {}

  public static void registerAll(SparkSession spark) {
    spark.udf().register(LayoutUdf.NAME, new LayoutUdf(), LayoutUdf.RETURN_TYPE);
    spark.udf().register(AudioUdfs.MfccUdf.NAME, new AudioUdfs.MfccUdf(), AudioUdfs.MATRIX);
    spark.udf().register(AudioUdfs.LogMelUdf.NAME, new AudioUdfs.LogMelUdf(), AudioUdfs.MATRIX);
    spark.udf().register(AudioUdfs.PitchUdf.NAME, new AudioUdfs.PitchUdf(),
        AudioUdfs.PitchUdf.RETURN_TYPE);
    spark.udf().register(AudioUdfs.ResampleUdf.NAME, new AudioUdfs.ResampleUdf(),
        AudioUdfs.ResampleUdf.RETURN_TYPE);
    spark.udf().register(ImageUdfs.SsimUdf.NAME, new ImageUdfs.SsimUdf(),
        org.apache.spark.sql.types.DataTypes.DoubleType);
    spark.udf().register(ImageUdfs.PsnrUdf.NAME, new ImageUdfs.PsnrUdf(),
        org.apache.spark.sql.types.DataTypes.DoubleType);
    spark.udf().register(ImageUdfs.CpbdUdf.NAME, new ImageUdfs.CpbdUdf(),
        org.apache.spark.sql.types.DataTypes.DoubleType);
    spark.udf().register(FaceUdfs.IdentitySimilarityUdf.NAME,
        new FaceUdfs.IdentitySimilarityUdf(), org.apache.spark.sql.types.DataTypes.DoubleType);
    spark.udf().register(FaceUdfs.IdentityDistanceUdf.NAME, new FaceUdfs.IdentityDistanceUdf(),
        org.apache.spark.sql.types.DataTypes.DoubleType);
  }
}
