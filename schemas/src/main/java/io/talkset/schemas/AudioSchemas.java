package io.talkset.schemas;

import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.FloatType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;

/**
 * The audio stage's two tables, written in atomic batches ({@code batch=ID} folders):
 * {@code audio} has one row per 25 fps video frame, joinable with the face frames on
 * (clip_id, frame_index); {@code audio_clips} has one row per clip with its status, the start
 * offset applied and the frame reconciliation.
 */
public final class AudioSchemas {
  public static final int VERSION = 1;

  public static final TableSchema FRAMES = new TableSchema.Builder("audio", VERSION)
      .col("clip_id", StringType, false, "The clip (clips.clip_id)")
      .col("frame_index", IntegerType, false,
          "25 fps frame i: samples [640 i, 640 (i + 1)) at 16 kHz, sample 0 = the video's t = 0")
      .col("time_s", DoubleType, false, "Start of the frame in seconds (i / 25)")
      .col("evp", createArrayType(FloatType, false), false,
          "EVP: 28 x 12 python_speech_features MFCC window (rows 4i..4i+27 with 0.12 s padding,"
              + " c1..c12), row-major")
      .col("wav2lip", createArrayType(FloatType, false), false,
          "Wav2Lip: 16 x 80 normalized log-mel window from mel row int(80 i / 25), row-major")
      .col("hdtf", createArrayType(FloatType, false), false,
          "HDTF: 4 x 15 (13 librosa MFCC, pYIN F0 in Hz or 0, voiced probability) at 100 Hz,"
              + " row-major")
      .col("samples", createArrayType(FloatType, false), true,
          "The frame's 640 mono samples at 16 kHz, when the stage ran with --samples")
      .build();

  public static final TableSchema CLIPS = new TableSchema.Builder("audio_clips", VERSION)
      .col("clip_id", StringType, false, "The clip (clips.clip_id)")
      .col("path", StringType, false, "The file decoded")
      .col("status", StringType, false, "ok, rejected (no audio) or failed")
      .col("error_code", StringType, true, "Machine-readable reason when not ok")
      .col("error_message", StringType, true, "Human explanation when not ok")
      .col("frames", IntegerType, true, "Frames written to the audio table")
      .col("video_frames", IntegerType, true,
          "Frames of the video on the 25 fps grid (null for audio-only clips)")
      .col("audio_samples", LongType, true, "16 kHz samples decoded, after the start offset")
      .col("padded_end_samples", IntegerType, true,
          "Silence added at the end so the audio covers every video frame")
      .col("trimmed_end_samples", IntegerType, true,
          "Samples cut at the end, past the last video frame")
      .col("start_offset_s", DoubleType, true,
          "First audio sample time minus the video's t = 0 (positive: padded with silence)")
      .col("padded_start_samples", LongType, true, "Silence added at the start")
      .col("dropped_start_samples", LongType, true, "Samples dropped at the start")
      .col("source_codec", StringType, true, "Codec of the decoded track")
      .col("source_rate", IntegerType, true, "Native sample rate")
      .col("source_channels", IntegerType, true, "Native channels (averaged to mono)")
      .col("elapsed_ms", LongType, true, "Decode and feature time in milliseconds")
      .col("processed_at", TimestampType, false, "When the clip was processed (UTC)")
      .build();

  private AudioSchemas() {}
}
