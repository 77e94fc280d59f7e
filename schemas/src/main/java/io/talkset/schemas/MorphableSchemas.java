package io.talkset.schemas;

import static org.apache.spark.sql.types.DataTypes.FloatType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;

import org.apache.spark.sql.types.DataType;

/**
 * The morphable job's table: per frame with a face mesh, the coefficients of the dataset's
 * learned morphable model (ROOT/morphable/) and the pose that places the model in the picture.
 * A table of its own, not face_params columns, because face_params batches are immutable and
 * the basis is dataset-wide: learning it again changes every frame's coefficients, so the table
 * is rewritten whole with the model, and {@code model_id} names the model it belongs to.
 *
 * <pre>
 * face_morphable: clip_id, segment, frame_index, model_id, id_coeffs[], exp_coeffs[], yaw_deg,
 *   pitch_deg, roll_deg, translation[3], scale, fit_rms_px
 * </pre>
 */
public final class MorphableSchemas {
  public static final int VERSION = 1;
  private static final DataType FLOATS = createArrayType(FloatType, false);

  public static final TableSchema FRAMES = new TableSchema.Builder("face_morphable", VERSION)
      .col("clip_id", StringType, false, "The clip (clips.clip_id)")
      .col("segment", IntegerType, false, "Face segment (frames.segment)")
      .col("frame_index", IntegerType, false, "25 fps frame index (face_params.frame_index)")
      .col("model_id", StringType, false,
          "The model these coefficients belong to (ROOT/morphable/model.json model_id)")
      .col("id_coeffs", FLOATS, false,
          "Identity coefficients (model's identity basis, in model units: the mean shape has"
              + " unit RMS radius); one value per segment, repeated on its frames")
      .col("exp_coeffs", FLOATS, false,
          "Expression coefficients (model's expression basis, model units), per frame")
      .col("yaw_deg", FloatType, false,
          "Rotation model -> picture as Ry(yaw)·Rx(pitch)·Rz(roll) in the mesh's axes (x right,"
              + " y down, z away from the camera), relative to the mean shape's orientation")
      .col("pitch_deg", FloatType, false, "See yaw_deg")
      .col("roll_deg", FloatType, false, "See yaw_deg")
      .col("translation", FLOATS, false,
          "Where the model's origin (the shape's centroid) lands: x, y in source pixels, z on"
              + " the mesh's depth scale")
      .col("scale", FloatType, false, "Source pixels per model unit")
      .col("fit_rms_px", FloatType, false,
          "RMS distance per point between the mesh and the posed reconstruction, source pixels")
      .build();

  private MorphableSchemas() {}
}
