package io.talkset.schemas;

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
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * The face-parameters stage's tables, in atomic batches like the others: {@code face_params}
 * has one row per {@code frames} row (join on clip_id, frame_index) with 68 landmarks, head
 * pose, expression probabilities and the optional 3DMM coefficients; {@code face_params_clips}
 * has one row per clip with its status and per-segment identity and expression summaries.
 *
 * <pre>
 * face_params: clip_id, segment, frame_index, landmarks[136], landmarks_raw[136],
 *   landmarks_crop[136], yaw_deg, pitch_deg, roll_deg, tx_mm, ty_mm, tz_mm, pose_error_px,
 *   expression[7], mm_id[80], mm_exp[64], mm_tex[80], mm_angles[3], mm_gamma[27], mm_trans[3],
 *   mesh[1404], mesh_confidence
 * face_params_clips: clip_id, status, error_code, error_message, frames, segments[...],
 *   device, models, threedmm, settings, elapsed_ms, processed_at
 * </pre>
 */
public final class ParamsSchemas {
  /**
   * 2: mesh and mesh_confidence added to face_params (last columns); face_params_clips is
   * unchanged but shares the stage's number (the stage's batch descriptions carry one).
   */
  public static final int VERSION = 2;
  /** Expression classes, in the order of the {@code expression} arrays. */
  public static final List<String> EXPRESSIONS =
      List.of("neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised");

  private static final DataType FLOATS = createArrayType(FloatType, false);

  /** One face segment's summary. */
  public static final StructType SEGMENT = createStructType(List.of(
      createStructField("segment", IntegerType, false),
      createStructField("frames", IntegerType, false),
      createStructField("descriptor", FLOATS, true),
      createStructField("descriptor_samples", IntegerType, false),
      createStructField("identity_spread", DoubleType, true),
      createStructField("one_person", BooleanType, true),
      createStructField("identity_group", IntegerType, true),
      createStructField("expression_mean", FLOATS, true),
      createStructField("pseudo_emotion", StringType, true),
      createStructField("pseudo_confidence", DoubleType, true),
      createStructField("dataset_emotion", StringType, true),
      createStructField("emotion_agrees", BooleanType, true),
      createStructField("jitter_raw", DoubleType, true),
      createStructField("jitter_smoothed", DoubleType, true),
      createStructField("mean_abs_yaw_deg", DoubleType, true)));

  public static final TableSchema PARAMS = new TableSchema.Builder("face_params", VERSION)
      .col("clip_id", StringType, false, "The clip (clips.clip_id)")
      .col("segment", IntegerType, false, "Face segment (frames.segment)")
      .col("frame_index", IntegerType, false, "25 fps frame (frames.frame_index)")
      .col("landmarks", FLOATS, false,
          "68 points (dlib / iBUG 300-W order) as x, y pairs in upright source pixels, after"
              + " temporal smoothing (the raw points when smoothing is off)")
      .col("landmarks_raw", FLOATS, false, "The same points before smoothing")
      .col("landmarks_crop", FLOATS, false,
          "The smoothed points in the frame's crop pixels (frames.jpeg)")
      .col("yaw_deg", FloatType, true,
          "Head yaw from the smoothed points (PnP against a mean face), positive when the"
              + " subject turns towards the picture's right")
      .col("pitch_deg", FloatType, true, "Head pitch, positive looking up")
      .col("roll_deg", FloatType, true,
          "Head roll, positive when the face turns counter-clockwise in the picture")
      .col("tx_mm", FloatType, true, "Head translation from the camera, x (picture right), mm")
      .col("ty_mm", FloatType, true, "Head translation, y (picture down), mm")
      .col("tz_mm", FloatType, true, "Head distance along the optical axis, mm")
      .col("pose_error_px", FloatType, true, "Mean reprojection error of the fit, source px")
      .col("expression", FLOATS, true,
          "Probabilities of neutral, happy, sad, angry, fearful, disgusted, surprised")
      .col("mm_id", FLOATS, true, "3DMM identity coefficients (80); null without a 3DMM model")
      .col("mm_exp", FLOATS, true, "3DMM expression coefficients (64)")
      .col("mm_tex", FLOATS, true, "3DMM texture coefficients (80)")
      .col("mm_angles", FLOATS, true, "3DMM rotation angles (3, radians)")
      .col("mm_gamma", FLOATS, true, "3DMM spherical-harmonics lighting (27)")
      .col("mm_trans", FLOATS, true, "3DMM translation (3)")
      .col("mesh", FLOATS, true,
          "MediaPipe FaceMesh (468 points, not smoothed) as x, y, z triples in upright source"
              + " pixels: x, y like landmarks; z the depth relative to the face's centre on the"
              + " same pixel scale, negative towards the camera. Null when --mesh none (or a"
              + " table written before schema v2)")
      .col("mesh_confidence", FloatType, true,
          "FaceMesh's face flag: the probability that its window holds a face; null when the"
              + " mesh is off")
      .build();

  public static final TableSchema CLIPS = new TableSchema.Builder("face_params_clips", VERSION)
      .col("clip_id", StringType, false, "The clip (clips.clip_id)")
      .col("status", StringType, false, "ok, or failed (an error)")
      .col("error_code", StringType, true, "Machine-readable reason when not ok")
      .col("error_message", StringType, true, "Human explanation when not ok")
      .col("frames", IntegerType, true, "Rows written to face_params")
      .col("segments", createArrayType(SEGMENT, false), true,
          "Per segment: mean identity descriptor (128-d, face-api) and its sample count,"
              + " largest sample distance from the mean, one_person (spread under the identity threshold),"
              + " identity group across this batch's segments, mean expression and the pseudo"
              + " emotion label with its confidence, the dataset's emotion and whether they"
              + " agree, landmark jitter before and after smoothing, mean |yaw|")
      .col("device", StringType, true, "Where the networks ran, e.g. cpu or gpu(0)")
      .col("models", StringType, true, "Model files used and their SHA-256, as JSON")
      .col("threedmm", StringType, true,
          "The 3DMM regressor used (URI and SHA-256), or why the mm_* columns are null")
      .col("settings", StringType, true, "Stage settings, as JSON")
      .col("elapsed_ms", LongType, true, "Processing time for the clip, in milliseconds")
      .col("processed_at", TimestampType, false, "When the clip was processed (UTC)")
      .build();

  private ParamsSchemas() {}
}
