package io.talkset.schemas;

import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;

/**
 * The sync stage's tables, in atomic batches like the others: {@code sync} has one row per face
 * segment with the audio-visual offset estimated from mouth opening against audio loudness;
 * {@code sync_clips} has one row per clip (committed last; marks the clip done).
 *
 * <pre>
 * sync: clip_id, segment, status, error_code, error_message, first_frame, last_frame, frames,
 *   frames_used, offset_frames, offset_s, correlation, confidence, max_lag, correlations[]
 * sync_clips: clip_id, status, error_code, error_message, segments, segments_ok, settings,
 *   elapsed_ms, processed_at
 * </pre>
 */
public final class SyncSchemas {
  public static final int VERSION = 1;

  public static final TableSchema SEGMENTS = new TableSchema.Builder("sync", VERSION)
      .col("clip_id", StringType, false, "The clip (clips.clip_id)")
      .col("segment", IntegerType, false, "Face segment (frames.segment)")
      .col("status", StringType, false,
          "ok; rejected (too_short, silent, no_audio: no estimate); failed (an error)")
      .col("error_code", StringType, true, "Machine-readable reason when not ok")
      .col("error_message", StringType, true, "Human explanation when not ok")
      .col("first_frame", IntegerType, false, "First 25 fps frame of the segment")
      .col("last_frame", IntegerType, false, "Last 25 fps frame of the segment (inclusive)")
      .col("frames", IntegerType, false, "Frames in the segment (last - first + 1)")
      .col("frames_used", IntegerType, false,
          "Frames with landmarks (face_params rows) that the estimate used; frames between"
              + " them repeat the previous mouth opening")
      .col("offset_frames", IntegerType, true,
          "Estimated audio offset in 25 fps frames: positive = the audio is late (the sound of"
              + " frame t is heard at frame t + offset); shift the audio by -offset to correct")
      .col("offset_s", DoubleType, true, "offset_frames / 25")
      .col("correlation", DoubleType, true,
          "Pearson correlation of detrended mouth opening and audio loudness at the offset")
      .col("confidence", DoubleType, true,
          "Best correlation minus the median over all lags (SyncNet-style peak over median)")
      .col("max_lag", IntegerType, false, "Lags searched: -max_lag .. max_lag frames")
      .col("correlations", createArrayType(DoubleType, false), true,
          "Correlation at each lag from -max_lag to max_lag")
      .build();

  public static final TableSchema CLIPS = new TableSchema.Builder("sync_clips", VERSION)
      .col("clip_id", StringType, false, "The clip (clips.clip_id)")
      .col("status", StringType, false,
          "ok (audio decoded; see each segment's status), rejected (no_audio) or failed")
      .col("error_code", StringType, true, "Machine-readable reason when not ok")
      .col("error_message", StringType, true, "Human explanation when not ok")
      .col("segments", IntegerType, false, "Segments with a row in the sync table")
      .col("segments_ok", IntegerType, false, "Segments with an estimate")
      .col("settings", StringType, true, "Stage settings, as JSON")
      .col("elapsed_ms", LongType, true, "Processing time for the clip, in milliseconds")
      .col("processed_at", TimestampType, false, "When the clip was processed (UTC)")
      .build();

  private SyncSchemas() {}
}
