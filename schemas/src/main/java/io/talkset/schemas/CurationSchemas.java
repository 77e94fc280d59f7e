package io.talkset.schemas;

import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * The curation table, written by the shards stage under {@code OUTPUT/dataset/curation/}: what
 * the curation rules did to each face segment of each clip in the dataset. One row per (clip,
 * segment, outcome, reason): the frames kept, and the frames each rule removed with the reason.
 * A segment's rows add up to its frames in the frames table ({@code segment_frames}); a frame
 * breaking several rules is counted once, under the first rule in the documented order.
 *
 * <pre>
 * curation: clip_id, segment, split, segment_frames, outcome, level, reason, frames,
 *   first_frame, last_frame
 * </pre>
 */
public final class CurationSchemas {
  public static final int VERSION = 1;

  public static final TableSchema CURATION = new TableSchema.Builder("curation", VERSION)
      .col("clip_id", StringType, false, "The clip (clips.clip_id)")
      .col("segment", IntegerType, false, "Face segment (frames.segment)")
      .col("split", StringType, false, "train, val or test: where the kept frames are")
      .col("segment_frames", IntegerType, false,
          "Frames of the segment in the frames table (before curation); the segment's rows'"
              + " frames add up to it")
      .col("outcome", StringType, false,
          "kept, or the rule that removed these frames (sync_offset, sync_confidence, identity,"
              + " face_size, upscale, sharpness, yaw, pitch, outside, faces, segment_length)")
      .col("level", StringType, true,
          "What the rule removed: clip (every segment of the clip), segment (the segment or a"
              + " run of it), frame; null when kept")
      .col("reason", StringType, true, "Why, in words (the value or limit broken); null when kept")
      .col("frames", IntegerType, false, "Frames with this outcome and reason")
      .col("first_frame", IntegerType, false, "First of these frames (frame_index)")
      .col("last_frame", IntegerType, false,
          "Last of these frames (they need not be consecutive)")
      .build();

  private CurationSchemas() {}
}
