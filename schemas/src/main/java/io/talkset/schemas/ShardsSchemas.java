package io.talkset.schemas;

import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import java.util.Set;
import org.apache.spark.sql.types.StructField;

/**
 * The shards stage's tables, written under {@code OUTPUT/dataset/<split>/<table>/} (split =
 * train, val, test): the final training dataset. {@code shard_frames} is one row per face frame
 * with everything a training reader needs (crop, quality numbers, clip metadata, face parameters
 * and the selected audio features); {@code shard_clips} one row per clip of the split;
 * {@code pair_frames} the training view of the pairs: one row per reference frame of an ok pair,
 * naming the two frames by (clip_id, frame_index) so no image is stored twice. The split's
 * {@code pairs} folder holds {@link PairsSchemas#PAIRS} rows.
 *
 * <pre>
 * shard_frames: clip_id, segment, frame_index, time_s, source_time_s, jpeg, size, window_x,
 *   window_y, window_side, outside_fraction, upscale, detected, score, face_box[4],
 *   keypoints[12], face_px, detector_yaw_deg, sharpness, faces_in_picture,
 *   dataset, speaker, gender, emotion, intensity, sentence_key, view, take,
 *   landmarks[136], landmarks_raw[136], landmarks_crop[136], yaw_deg, pitch_deg, roll_deg,
 *   tx_mm, ty_mm, tz_mm, pose_error_px, expression[7], mm_id, mm_exp, mm_tex, mm_angles,
 *   mm_gamma, mm_trans, mesh[1404], mesh_confidence, morph_model_id, morph_id_coeffs[],
 *   morph_exp_coeffs[], morph_yaw_deg, morph_pitch_deg, morph_roll_deg, morph_translation[3],
 *   morph_scale, morph_fit_rms_px, evp, wav2lip, hdtf, samples
 * shard_clips: clip_id, path, dataset, speaker, gender, emotion, intensity, sentence_key, view,
 *   take, transcript, media_kind, duration_s, fps, width, height, audio_status, audio_frames,
 *   frames_status, frames_written, face_segments, params_status, params_frames, shard_frames
 * pair_frames: pair_id, dataset, speaker, sentence_key, view, reference_clip_id,
 *   reference_emotion, reference_intensity, other_clip_id, other_emotion, other_intensity,
 *   reference_frame_index, other_frame_index
 * </pre>
 */
public final class ShardsSchemas {
  /** shard_clips and pair_frames. */
  public static final int VERSION = 1;
  /**
   * shard_frames. 2: carries face_params v2's mesh and mesh_confidence (after mm_trans, before
   * the audio columns). 3: the learned morphable model's per-frame coefficients and pose
   * (face_morphable's columns prefixed {@code morph_}, after mesh_confidence).
   */
  public static final int FRAMES_VERSION = 3;

  /** The prefix of face_morphable's columns in shard_frames (its yaw_deg is not face_params'). */
  public static final String MORPH_PREFIX = "morph_";

  /** Manifest columns copied onto every frame and clip row. */
  private static final String[] CLIP_METADATA =
      {"dataset", "speaker", "gender", "emotion", "intensity", "sentence_key", "view", "take"};

  /** Audio feature columns a shard may carry (the audio table's). */
  public static final Set<String> AUDIO_COLUMNS = Set.of("evp", "wav2lip", "hdtf", "samples");

  public static final TableSchema FRAMES = frames();

  public static final TableSchema CLIPS = new TableSchema.Builder("shard_clips", VERSION)
      .col("clip_id", StringType, false, "The clip (clips.clip_id)")
      .col("path", StringType, false, "The clip's canonical path (clips.path)")
      .col("dataset", StringType, true, "clips.dataset")
      .col("speaker", StringType, true, "clips.speaker: the split is chosen per speaker")
      .col("gender", StringType, true, "clips.gender")
      .col("emotion", StringType, true, "clips.emotion")
      .col("intensity", StringType, true, "clips.intensity")
      .col("sentence_key", StringType, true, "clips.sentence_key")
      .col("view", StringType, true, "clips.view")
      .col("take", StringType, true, "clips.take")
      .col("transcript", StringType, true, "clips.transcript: the sidecar transcript, or null")
      .col("media_kind", StringType, true, "clips.media_kind: av, video or audio")
      .col("duration_s", DoubleType, true, "clips.duration_s")
      .col("fps", DoubleType, true, "clips.fps (native rate; every table uses the 25 fps grid)")
      .col("width", IntegerType, true, "clips.width")
      .col("height", IntegerType, true, "clips.height")
      .col("audio_status", StringType, true,
          "audio_clips.status (ok, rejected, failed), null when the audio stage has not run")
      .col("audio_frames", IntegerType, true, "audio_clips.frames: rows in the audio table")
      .col("frames_status", StringType, true, "frames_clips.status, null when not run")
      .col("frames_written", IntegerType, true, "frames_clips.frames_written")
      .col("face_segments", IntegerType, true, "Number of face segments (frames_clips.segments)")
      .col("params_status", StringType, true, "face_params_clips.status, null when not run")
      .col("params_frames", IntegerType, true, "face_params_clips.frames")
      .col("shard_frames", IntegerType, false, "Rows of this clip in the split's frames table")
      .build();

  public static final TableSchema PAIR_FRAMES = new TableSchema.Builder("pair_frames", VERSION)
      .col("pair_id", StringType, false, "The pair (pairs.pair_id)")
      .col("dataset", StringType, true, "pairs.dataset")
      .col("speaker", StringType, true, "pairs.speaker")
      .col("sentence_key", StringType, false, "pairs.sentence_key")
      .col("view", StringType, true, "pairs.view")
      .col("reference_clip_id", StringType, false, "The reference clip")
      .col("reference_emotion", StringType, false, "pairs.reference_emotion")
      .col("reference_intensity", StringType, true, "pairs.reference_intensity")
      .col("other_clip_id", StringType, false, "The clip warped onto the reference")
      .col("other_emotion", StringType, false, "pairs.other_emotion")
      .col("other_intensity", StringType, true, "pairs.other_intensity")
      .col("reference_frame_index", IntegerType, false,
          "Reference frame i, 0 to reference_frames - 1: join frames / audio / face_params on"
              + " (reference_clip_id, reference_frame_index)")
      .col("other_frame_index", IntegerType, false,
          "pairs.reference_map[i]: the other clip's frame matched to reference frame i (join on"
              + " (other_clip_id, other_frame_index))")
      .build();

  private ShardsSchemas() {}

  /**
   * The frame row: the frames table's columns (its rough keypoint yaw renamed, since face_params'
   * yaw_deg is the head-pose one), clip metadata, face_params' columns and the audio features;
   * declared from the source schemas so descriptions cannot drift apart.
   */
  private static TableSchema frames() {
    TableSchema.Builder b = new TableSchema.Builder("shard_frames", FRAMES_VERSION);
    for (StructField f : FramesSchemas.FRAMES.struct().fields()) {
      String name = f.name().equals("yaw_deg") ? "detector_yaw_deg" : f.name();
      b.col(name, f.dataType(), f.nullable(), f.getComment().get());
    }
    for (String c : CLIP_METADATA) {
      StructField f = ClipsSchema.SCHEMA.struct().apply(c);
      b.col(c, f.dataType(), true, "clips." + c + ": " + f.getComment().get());
    }
    for (StructField f : ParamsSchemas.PARAMS.struct().fields()) {
      if (Set.of("clip_id", "segment", "frame_index").contains(f.name())) {
        continue;
      }
      b.col(f.name(), f.dataType(), true, "face_params." + f.name() + " (null when the frame"
          + " has no face_params row): " + f.getComment().get());
    }
    for (StructField f : MorphableSchemas.FRAMES.struct().fields()) {
      if (Set.of("clip_id", "segment", "frame_index").contains(f.name())) {
        continue;
      }
      b.col(MORPH_PREFIX + f.name(), f.dataType(), true, "face_morphable." + f.name()
          + " (null when the frame has no face_morphable row, or that table was made from"
          + " other face_params rows than these: see dataset.json morphable): "
          + f.getComment().get());
    }
    for (StructField f : AudioSchemas.FRAMES.struct().fields()) {
      if (AUDIO_COLUMNS.contains(f.name())) {
        b.col(f.name(), f.dataType(), true, "audio." + f.name() + " (null when not among the"
            + " shard's audio columns, see dataset.json, or the frame has no audio row): "
            + f.getComment().get());
      }
    }
    return b.build();
  }
}
