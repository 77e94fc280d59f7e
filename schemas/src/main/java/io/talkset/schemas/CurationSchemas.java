package io.talkset.schemas;

import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * The curation table, written by the shards stage under {@code OUTPUT/dataset/curation/}: what
 * the curation rules did to each face segment of each clip in the dataset. One row per (clip,
 * segment, outcome, reason): the frames kept, and the frames each rule removed with the reason.
 * A segment's rows add up to its frames in the frames table ({@code segment_frames}); a frame
 * breaking several rules is counted once, under the first rule in the documented order. A clip
 * the sync rule re-timed carries its audio shift on every row ({@code audio_shift_frames}).
 *
 * <p>With {@code --window-seconds}, {@code windows} (under {@code OUTPUT/dataset/<split>/windows/})
 * cuts the kept frames into fixed-length training windows: one row per window with its frame
 * range and its audio range.
 *
 * <pre>
 * curation: clip_id, segment, split, segment_frames, outcome, level, reason, frames,
 *   first_frame, last_frame, audio_shift_frames
 * windows: window_id, clip_id, segment, first_frame, last_frame, frames, first_sample,
 *   end_sample, start_s, end_s, audio_shift_frames
 * </pre>
 */
public final class CurationSchemas {
  /** 2: audio_shift_frames in both tables (the sync rule's re-timing). */
  public static final int VERSION = 2;

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
      .col("audio_shift_frames", IntegerType, false,
          "The clip's audio shift in the dataset, in 25 fps frames (the same on every row of the"
              + " clip): frame t carries the audio of frame t - audio_shift_frames (per-frame"
              + " audio features, exported WAV/AAC); -sync.offset_frames of the clip's longest"
              + " measured segment when --curate-sync-retime re-timed it, else 0")
      .build();

  public static final TableSchema WINDOWS = new TableSchema.Builder("windows", VERSION)
      .col("window_id", StringType, false,
          "CLIPID_SEGMENT_FIRSTFRAME (frame zero-padded to 6 digits): unique in the dataset, no"
              + " dot (a WebDataset key)")
      .col("clip_id", StringType, false, "The clip (clips.clip_id)")
      .col("segment", IntegerType, false, "Face segment (frames.segment)")
      .col("first_frame", IntegerType, false,
          "First 25 fps frame (frame_index); the window's frames are first_frame .. last_frame,"
              + " every one of them kept by the curation rules")
      .col("last_frame", IntegerType, false, "Last frame (inclusive)")
      .col("frames", IntegerType, false, "last_frame - first_frame + 1 (round(--window-seconds"
          + " x 25))")
      .col("first_sample", LongType, false,
          "First audio sample at 16 kHz (first_frame x 640; sample 0 at the video's t = 0, as"
              + " the audio stage decodes)")
      .col("end_sample", LongType, false, "One past the last audio sample ((last_frame + 1) x 640)")
      .col("start_s", DoubleType, false, "first_frame / 25")
      .col("end_s", DoubleType, false, "(last_frame + 1) / 25")
      .col("audio_shift_frames", IntegerType, false,
          "The clip's audio shift (curation.audio_shift_frames): the window hears the source's"
              + " samples first_sample - 640 x audio_shift_frames .. end_sample - 640 x"
              + " audio_shift_frames; 0 unless the clip was re-timed")
      .build();

  private CurationSchemas() {}
}
