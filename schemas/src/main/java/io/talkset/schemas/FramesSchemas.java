package io.talkset.schemas;

import static org.apache.spark.sql.types.DataTypes.BinaryType;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.FloatType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createStructField;
import static org.apache.spark.sql.types.DataTypes.createStructType;

import java.util.List;
import org.apache.spark.sql.types.StructType;

/**
 * The frames stage's two tables, written in atomic batches ({@code batch=ID} folders):
 * {@code frames} has one row per 25 fps frame inside a face segment (a 512×512 JPEG crop, its
 * window and its quality numbers), joinable with {@code audio} on (clip_id, frame_index);
 * {@code frames_clips} has one row per clip with its status and its segments. A clip's frames
 * are complete when its frames_clips status is ok.
 */
public final class FramesSchemas {
  /** 2: frames_clips gains repeated_frames and decoded_duration_s (a file cut short). */
  public static final int VERSION = 2;

  /** One face segment of a clip. */
  public static final StructType SEGMENT = createStructType(List.of(
      createStructField("segment", IntegerType, false),
      createStructField("track", IntegerType, false),
      createStructField("start_frame", IntegerType, false),
      createStructField("frames", IntegerType, false),
      createStructField("detected_fraction", DoubleType, false),
      createStructField("mean_face_px", DoubleType, false),
      createStructField("centre_jitter", DoubleType, false),
      createStructField("size_jitter", DoubleType, false),
      createStructField("max_outside_fraction", DoubleType, false),
      createStructField("min_upscale", DoubleType, false),
      createStructField("max_upscale", DoubleType, false)));

  public static final TableSchema FRAMES = new TableSchema.Builder("frames", VERSION)
      .col("clip_id", StringType, false, "The clip (clips.clip_id)")
      .col("segment", IntegerType, false,
          "Face segment within the clip (frames_clips.segments); frames of a segment are"
              + " consecutive, without gaps")
      .col("frame_index", IntegerType, false,
          "25 fps frame i, at i / 25 s after the video's first frame (audio.frame_index)")
      .col("time_s", DoubleType, false, "i / 25")
      .col("source_time_s", DoubleType, false,
          "Time of the decoded source frame used (nearest to i / 25), from the first frame")
      .col("jpeg", BinaryType, false, "The crop, size x size pixels, JPEG")
      .col("size", IntegerType, false, "Side of the crop in pixels")
      .col("window_x", DoubleType, false,
          "Crop window left edge in upright source pixels (may be negative: outside)")
      .col("window_y", DoubleType, false, "Crop window top edge in upright source pixels")
      .col("window_side", DoubleType, false, "Crop window side in upright source pixels")
      .col("outside_fraction", FloatType, false,
          "Share of the window outside the picture (black when padded)")
      .col("upscale", FloatType, false, "size / window_side: above 1 the crop is upscaled")
      .col("detected", BooleanType, false,
          "The face was found by the detector on this frame (false: tracked/interpolated)")
      .col("score", FloatType, false, "Detection score (interpolated between detections)")
      .col("face_box", createArrayType(FloatType, false), false,
          "Face box x0, y0, x1, y1 in upright source pixels")
      .col("keypoints", createArrayType(FloatType, false), false,
          "BlazeFace's 6 keypoints as x, y pairs in upright source pixels: right eye, left eye,"
              + " nose tip, mouth, right ear tragion, left ear tragion (the subject's sides)")
      .col("face_px", FloatType, false, "Face size: longer side of the face box, source pixels")
      .col("yaw_deg", FloatType, true,
          "Yaw estimate from the keypoints, positive towards the picture's right (rough)")
      .col("sharpness", FloatType, true,
          "Variance of the Laplacian of the face, resampled to 112 px (higher = sharper)")
      .col("faces_in_picture", IntegerType, false,
          "Faces the detector saw on this frame (or the nearest frame it ran on)")
      .build();

  public static final TableSchema CLIPS = new TableSchema.Builder("frames_clips", VERSION)
      .col("clip_id", StringType, false, "The clip (clips.clip_id)")
      .col("path", StringType, false, "The file decoded")
      .col("status", StringType, false,
          "ok, rejected (no video, no face segment, over a limit, truncated) or failed (an"
              + " error)")
      .col("error_code", StringType, true, "Machine-readable reason when not ok")
      .col("error_message", StringType, true, "Human explanation when not ok")
      .col("grid_frames", IntegerType, true, "25 fps frames read (the audio table's count)")
      .col("frames_written", IntegerType, true, "Rows written to the frames table")
      .col("segments", createArrayType(SEGMENT, false), true,
          "Face segments: subject track, first frame, length, share of frames detected, mean"
              + " face size, window jitter (centre and side change per frame / side), largest"
              + " outside share, upscale range")
      .col("width", IntegerType, true, "Upright picture width")
      .col("height", IntegerType, true, "Upright picture height")
      .col("shots", IntegerType, true, "Shots found (hard cuts + 1)")
      .col("detector_runs", IntegerType, true, "Frames the detector ran on")
      .col("decoded_frames", IntegerType, true, "Source frames decoded (one pass)")
      .col("repeated_frames", IntegerType, true,
          "Grid frames past the last decoded picture, filled with it: the declared length minus"
              + " what the video holds (a file cut short); over --max-repeated-fraction and"
              + " --max-repeated-s the clip is rejected as truncated")
      .col("decoded_duration_s", DoubleType, true,
          "Seconds of video decoded: the last decoded frame's time plus one frame")
      .col("device", StringType, true, "Where the detector ran, e.g. cpu() or gpu(0)")
      .col("settings", StringType, true, "Crop and tracking settings used, as JSON")
      .col("elapsed_ms", LongType, true, "Both passes, in milliseconds")
      .col("processed_at", TimestampType, false, "When the clip was processed (UTC)")
      .build();

  private FramesSchemas() {}
}
