package io.talkset.schemas;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

/**
 * The evaluation job's tables, written under the evaluation root (not the dataset root), each
 * replaced whole by every run: an evaluation describes one set of generated videos.
 *
 * <pre>
 * eval_frames: generated, clip_id, frame_index, segment, ssim, psnr, cpbd, cpbd_real, lmd_mouth,
 *   lmd_face, lvd_mouth, lvd_face, identity_cosine, identity_distance
 * eval_clips: generated, name, clip_id, matched_by, status, error_code, error_message,
 *   generated_frames, frames_compared, width, height, compared_size, ...means..., identity_*,
 *   sync_*, elapsed_ms, evaluated_at
 * eval_summary: metric, scope, count, mean, std, p5, p25, p50, p75, p95
 * </pre>
 */
public final class EvalSchemas {
  public static final int VERSION = 1;

  public static final TableSchema FRAMES = new TableSchema.Builder("eval_frames", VERSION)
      .col("generated", StringType, false, "The generated video's path")
      .col("clip_id", StringType, false, "The dataset clip it was matched to")
      .col("frame_index", IntegerType, false,
          "25 fps frame: generated frame i is compared with the clip's frame i")
      .col("segment", IntegerType, false, "The real frame's face segment (frames.segment)")
      .col("ssim", DoubleType, true,
          "SSIM, scikit-image's Gaussian convention per RGB channel, at the compared size")
      .col("psnr", DoubleType, true, "PSNR in dB over RGB, data range 255 (+Infinity: identical)")
      .col("cpbd", DoubleType, true, "CPBD sharpness of the generated frame (0 blurred .. 1)")
      .col("cpbd_real", DoubleType, true, "CPBD of the real crop at the compared size")
      .col("lmd_mouth", DoubleType, true,
          "Mean distance of the 20 mouth landmarks (48-67), generated vs real, in pixels of"
              + " the compared size")
      .col("lmd_face", DoubleType, true, "The same over all 68 landmarks")
      .col("lvd_mouth", DoubleType, true,
          "Mean distance of mouth landmark velocities from the previous frame (null on a"
              + " segment's first compared frame)")
      .col("lvd_face", DoubleType, true, "The same over all 68 landmarks")
      .col("identity_cosine", DoubleType, true,
          "Cosine of the face-api descriptors of the generated frame and the real crop (on"
              + " every --eval-identity-every-th compared frame, else null)")
      .col("identity_distance", DoubleType, true, "Euclidean distance of the same descriptors")
      .build();

  public static final TableSchema CLIPS = new TableSchema.Builder("eval_clips", VERSION)
      .col("generated", StringType, false, "The generated video's path")
      .col("name", StringType, false, "Its file name")
      .col("clip_id", StringType, true, "The dataset clip it was matched to, or null")
      .col("matched_by", StringType, true, "clip_id (a 32-hex id in the name) or file_name")
      .col("status", StringType, false,
          "ok; unmatched (no clip with this id or base name); ambiguous (several clips share"
              + " the base name); no_overlap (no generated frame has a real crop); failed")
      .col("error_code", StringType, true, "Machine-readable reason when not ok")
      .col("error_message", StringType, true, "Human explanation when not ok")
      .col("generated_frames", IntegerType, true, "Generated frames on the 25 fps grid")
      .col("frames_compared", IntegerType, true, "Frames that have a real crop and were compared")
      .col("width", IntegerType, true, "Generated picture width")
      .col("height", IntegerType, true, "Generated picture height")
      .col("compared_size", IntegerType, true,
          "Side in pixels at which frames were compared: the generated picture's (the real"
              + " 512 crop is resized to it); a non-square picture is resized to a square")
      .col("resized", BooleanType, true, "Whether the generated picture was not square")
      .col("ssim", DoubleType, true, "Mean SSIM over compared frames")
      .col("psnr", DoubleType, true, "Mean PSNR (dB) over compared frames with finite PSNR")
      .col("cpbd", DoubleType, true, "Mean CPBD of the generated frames")
      .col("cpbd_real", DoubleType, true, "Mean CPBD of the real crops")
      .col("lmd_mouth", DoubleType, true, "Mean mouth LMD")
      .col("lmd_face", DoubleType, true, "Mean face LMD")
      .col("lvd_mouth", DoubleType, true, "Mean mouth LVD")
      .col("lvd_face", DoubleType, true, "Mean face LVD")
      .col("identity_cosine", DoubleType, true,
          "Cosine of the mean descriptors of the generated frames and of the real crops (the"
              + " same frames)")
      .col("identity_distance", DoubleType, true, "Euclidean distance of the same")
      .col("identity_samples", IntegerType, true, "Generated frames described")
      .col("sync_audio", StringType, true,
          "Audio the sync estimate used: generated (the video's own track) or dataset (the"
              + " clip's, when the generated video has none)")
      .col("sync_offset_frames", IntegerType, true,
          "Audio offset of the generated video (positive: audio late), as in the sync table")
      .col("sync_correlation", DoubleType, true, "Correlation at that offset")
      .col("sync_confidence", DoubleType, true, "Peak over median of the correlations")
      .col("sync_real_offset_frames", IntegerType, true,
          "The same estimate on the real crops' landmarks of the same frames with the dataset"
              + " clip's audio: compare sync_offset_frames with it, not with 0 (the model-free"
              + " estimate can be biased by a few frames on a given face)")
      .col("sync_real_confidence", DoubleType, true, "Its peak over median")
      .col("elapsed_ms", LongType, true, "Evaluation time for the video, in milliseconds")
      .col("evaluated_at", TimestampType, false, "When it was evaluated (UTC)")
      .build();

  public static final TableSchema SUMMARY = new TableSchema.Builder("eval_summary", VERSION)
      .col("metric", StringType, false,
          "ssim, psnr, cpbd, cpbd_real, lmd_mouth, lmd_face, lvd_mouth, lvd_face,"
              + " identity_cosine, identity_distance, sync_offset_frames, sync_abs_offset_frames,"
              + " sync_confidence, sync_offset_vs_real_frames, descriptor_frechet_distance")
      .col("scope", StringType, false,
          "frame (over every compared frame), clip (over ok clips' values) or set (one figure"
              + " for the whole generated set)")
      .col("count", LongType, false, "Values summarised (finite values only)")
      .col("mean", DoubleType, true, "Mean (the figure itself for scope set)")
      .col("std", DoubleType, true, "Standard deviation (population)")
      .col("p5", DoubleType, true, "5th percentile (linear interpolation, numpy's default)")
      .col("p25", DoubleType, true, "25th percentile")
      .col("p50", DoubleType, true, "Median")
      .col("p75", DoubleType, true, "75th percentile")
      .col("p95", DoubleType, true, "95th percentile")
      .build();

  private EvalSchemas() {}
}
