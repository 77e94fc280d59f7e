package io.talkset.schemas;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;

import org.apache.spark.sql.types.DataType;

/**
 * The pairs stage's table: one row per emotion pseudo-pair (EVP), in atomic batches
 * ({@code batch=ID} folders; a pair with a row is done, unless that row is failed and its cause
 * may be gone: then a later batch holds its new row, and the latest row wins). The path maps
 * frames of the 25 fps grid of both clips (join {@code audio}, {@code frames},
 * {@code face_params} on clip_id and frame_index).
 *
 * <pre>
 * pairs: pair_id, dataset, speaker, sentence_key, sentence_key_source, view,
 *   reference_clip_id, reference_emotion, reference_intensity,
 *   other_clip_id, other_emotion, other_intensity, status, error_code, error_message,
 *   reference_frames, other_frames, path_reference[], path_other[], cost, normalized_cost,
 *   band_radius, band_fell_back, reference_map[], features, metric, normalization,
 *   dtw_settings, cells, elapsed_ms, processed_at
 * </pre>
 */
public final class PairsSchemas {
  /** 2: sentence_key_source may be transcript. */
  public static final int VERSION = 2;

  private static final DataType INTS = createArrayType(IntegerType, false);

  public static final TableSchema PAIRS = new TableSchema.Builder("pairs", VERSION)
      .col("pair_id", StringType, false,
          "32 hex digits of SHA-256 of 'reference_clip_id/other_clip_id': stable across runs")
      .col("dataset", StringType, true, "Layout of both clips (clips.dataset)")
      .col("speaker", StringType, true, "Speaker of both clips")
      .col("sentence_key", StringType, false, "The sentence both clips say")
      .col("sentence_key_source", StringType, false,
          "layout (RAVDESS statement, CREMA-D sentence code), mapping (--sentence-keys file)"
              + " or transcript (clips.transcript, when neither gives a key)")
      .col("view", StringType, true, "Camera view of both clips (MEAD; null otherwise)")
      .col("reference_clip_id", StringType, false,
          "The reference clip (--reference-emotion): rows of the path")
      .col("reference_emotion", StringType, false, "Emotion of the reference clip")
      .col("reference_intensity", StringType, true, "Intensity of the reference clip")
      .col("other_clip_id", StringType, false, "The clip warped onto the reference")
      .col("other_emotion", StringType, false, "Emotion of the other clip")
      .col("other_intensity", StringType, true, "Intensity of the other clip")
      .col("status", StringType, false,
          "ok, or failed (a clip without usable audio rows, or a DTW error)")
      .col("error_code", StringType, true,
          "Machine-readable reason when not ok: no_audio (a clip has no audio rows) or internal")
      .col("error_message", StringType, true, "Human explanation when not ok")
      .col("reference_frames", IntegerType, true, "Frames (25 fps) of the reference clip")
      .col("other_frames", IntegerType, true, "Frames (25 fps) of the other clip")
      .col("path_reference", INTS, true,
          "Warping path, reference frames, from 0 to reference_frames - 1, non-decreasing")
      .col("path_other", INTS, true,
          "Warping path, other frames (same length), from 0 to other_frames - 1, non-decreasing")
      .col("cost", DoubleType, true,
          "Accumulated cost at the path's end (librosa D[N-1, M-1])")
      .col("normalized_cost", DoubleType, true, "cost / path length: mean distance on the path")
      .col("band_radius", IntegerType, true,
          "Sakoe-Chiba band radius in frames asked for (librosa shape), -1 for the full matrix")
      .col("band_fell_back", BooleanType, true,
          "True when the band could not connect the ends and the full matrix was used")
      .col("reference_map", INTS, true,
          "EVP's reference-length map: for each reference frame, the other clip's frame")
      .col("features", StringType, false,
          "Feature convention compared (an audio table column: hdtf, evp or wav2lip, flattened"
              + " per frame)")
      .col("metric", StringType, false, "Frame distance: l1, l2 or cosine (scipy cdist names)")
      .col("normalization", StringType, false,
          "Per-clip, per-dimension normalization: none, mean or mean_variance")
      .col("dtw_settings", StringType, false, "Every DTW setting as JSON (steps, ties, band, map)")
      .col("cells", LongType, true, "Cost-matrix cells evaluated, band and fallback included")
      .col("elapsed_ms", LongType, true, "DTW time in milliseconds")
      .col("processed_at", TimestampType, false, "When the pair was processed (UTC)")
      .build();

  private PairsSchemas() {}
}
