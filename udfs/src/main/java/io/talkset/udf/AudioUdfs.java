package io.talkset.udf;

import io.talkset.core.audio.LogMel;
import io.talkset.core.audio.Mfcc;
import io.talkset.core.audio.Pyin;
import io.talkset.core.audio.Resample;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.collection.Seq;

/**
 * Audio UDFs over arrays of 16 kHz mono samples (for example the {@code samples} column of the
 * audio table, or a decoded waveform in a notebook). Null in, null out; extractors are made once
 * per executor thread.
 */
public final class AudioUdfs {
  private AudioUdfs() {}

  static final DataType MATRIX = DataTypes.createArrayType(
      DataTypes.createArrayType(DataTypes.FloatType, false), true);

  static float[] floats(Seq<Object> seq) {
    List<Object> list = scala.jdk.javaapi.CollectionConverters.asJava(seq);
    float[] f = new float[list.size()];
    for (int i = 0; i < f.length; i++) {
      Object v = list.get(i);
      if (v == null) {
        throw new IllegalArgumentException("samples contain a null at index " + i);
      }
      f[i] = ((Number) v).floatValue();
    }
    return f;
  }

  /**
   * {@code talkset_mfcc(samples ARRAY<FLOAT>, mode STRING) -> ARRAY<ARRAY<FLOAT>>}: MFCC frames
   * of 16 kHz samples; mode {@code librosa} (n_fft 512, hop 160, 40 mels, 13 coefficients),
   * {@code kaldi} or {@code evp} (see {@link Mfcc}).
   */
  public static final class MfccUdf implements UDF2<Seq<Object>, String, float[][]> {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "talkset_mfcc";
    private static final ThreadLocal<java.util.Map<String, Mfcc>> CACHE =
        ThreadLocal.withInitial(java.util.HashMap::new);

    @Override
    public float[][] call(Seq<Object> samples, String mode) {
      if (samples == null || mode == null) {
        return null;
      }
      String m = mode.trim().toLowerCase(Locale.ROOT);
      Mfcc mfcc = CACHE.get().computeIfAbsent(m, k -> new Mfcc(switch (k) {
        case "librosa" -> Mfcc.Params.librosa(16000, 512, 160, 40, 13);
        case "kaldi" -> Mfcc.Params.kaldi(16000);
        case "evp" -> Mfcc.Params.evp(16000);
        default -> throw new IllegalArgumentException(
            "talkset_mfcc: mode must be librosa, kaldi or evp, got '" + mode + "'");
      }));
      return mfcc.compute(floats(samples));
    }
  }

  /** {@code talkset_logmel(samples ARRAY<FLOAT>) -> ARRAY<ARRAY<FLOAT>>}: Wav2Lip's log-mel. */
  public static final class LogMelUdf implements UDF1<Seq<Object>, float[][]> {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "talkset_logmel";
    private static final ThreadLocal<LogMel> MEL = ThreadLocal.withInitial(LogMel::new);

    @Override
    public float[][] call(Seq<Object> samples) {
      return samples == null ? null : MEL.get().compute(floats(samples));
    }
  }

  /**
   * {@code talkset_pitch(samples ARRAY<FLOAT>) -> STRUCT<f0 ARRAY<DOUBLE>, voiced ARRAY<BOOLEAN>,
   * voiced_prob ARRAY<DOUBLE>>}: pYIN at 100 Hz with {@link Pyin.Params#speech16k()}.
   */
  public static final class PitchUdf implements UDF1<Seq<Object>, Row> {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "talkset_pitch";
    public static final StructType RETURN_TYPE = new StructType()
        .add("f0", DataTypes.createArrayType(DataTypes.DoubleType, false))
        .add("voiced", DataTypes.createArrayType(DataTypes.BooleanType, false))
        .add("voiced_prob", DataTypes.createArrayType(DataTypes.DoubleType, false));
    private static final ThreadLocal<Pyin> PYIN =
        ThreadLocal.withInitial(() -> new Pyin(Pyin.Params.speech16k()));

    @Override
    public Row call(Seq<Object> samples) {
      if (samples == null) {
        return null;
      }
      Pyin.Result r = PYIN.get().compute(floats(samples));
      return RowFactory.create(r.f0(), r.voiced(), r.voicedProb());
    }
  }

  /** {@code talkset_resample(samples ARRAY<FLOAT>, from INT, to INT) -> ARRAY<FLOAT>}. */
  public static final class ResampleUdf implements UDF3<Seq<Object>, Integer, Integer, float[]> {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "talkset_resample";
    public static final ArrayType RETURN_TYPE =
        DataTypes.createArrayType(DataTypes.FloatType, false);

    @Override
    public float[] call(Seq<Object> samples, Integer from, Integer to) {
      if (samples == null || from == null || to == null) {
        return null;
      }
      return Resample.resample(floats(samples), from, to);
    }
  }
}
