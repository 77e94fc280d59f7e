package io.talkset.jobs.shards;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.posexplode;

import io.talkset.schemas.AudioSchemas;
import io.talkset.schemas.FramesSchemas;
import io.talkset.schemas.ParamsSchemas;
import io.talkset.schemas.ShardsSchemas;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

/**
 * The training view of the pairs: for each reference frame of an ok pair, the other clip's
 * matching frame ({@code pairs.reference_map}), with what a model reads of both frames joined in
 * by (clip_id, frame_index), so images are referenced, never copied. Both clips are on the 25 fps
 * grid that frames, face_params and audio share, so the map's indices are those tables'
 * frame_index values. Frames without a face crop (audio-only clips, frames outside a face
 * segment) keep their keys and get nulls.
 *
 * <pre>{@code
 * Dataset<Row> v = TrainingView.pairFrames(spark, "out/dataset/train", "jpeg", "landmarks_crop",
 *     "hdtf");
 * // pair_id, ..., reference_frame_index, other_frame_index,
 * // reference_jpeg, reference_landmarks_crop, reference_hdtf, other_jpeg, other_...
 * }</pre>
 */
public final class TrainingView {
  /** Columns joined when none are named. */
  public static final List<String> DEFAULT_COLUMNS = List.of("jpeg", "landmarks_crop", "hdtf");

  private TrainingView() {}

  /**
   * The {@code pair_frames} rows of a pairs table ({@link ShardsSchemas#PAIR_FRAMES} columns,
   * then {@code extra}): one per element of each ok pair's reference_map.
   */
  public static Dataset<Row> pairFrameKeys(Dataset<Row> pairs, Column... extra) {
    List<Column> c = new ArrayList<>();
    for (StructField f : ShardsSchemas.PAIR_FRAMES.struct().fields()) {
      if (!f.name().equals("reference_frame_index") && !f.name().equals("other_frame_index")) {
        c.add(col(f.name()));
      }
    }
    c.add(posexplode(col("reference_map")).as(new String[] {"reference_frame_index",
        "other_frame_index"}));
    c.addAll(List.of(extra));
    Dataset<Row> exploded = pairs.filter(col("status").equalTo("ok"))
        .select(c.toArray(new Column[0]));
    List<Column> out = new ArrayList<>();
    for (StructField f : ShardsSchemas.PAIR_FRAMES.struct().fields()) {
      out.add(col(f.name()).as(f.name(), f.metadata()));
    }
    for (Column e : extra) {
      out.add(col(e.toString()));
    }
    return exploded.select(out.toArray(new Column[0]));
  }

  /**
   * The view over one split of the shards stage's dataset ({@code OUTPUT/dataset/train}):
   * its pair_frames joined twice with its frames table.
   *
   * @param columns frames-table columns to join for both sides, prefixed reference_ and other_
   *     (default {@link #DEFAULT_COLUMNS})
   */
  public static Dataset<Row> pairFrames(SparkSession spark, String splitDir, String... columns) {
    List<String> cs = columns.length == 0 ? DEFAULT_COLUMNS : List.of(columns);
    Dataset<Row> keys = spark.read().schema(ShardsSchemas.PAIR_FRAMES.struct())
        .parquet(splitDir + "/pair_frames");
    Dataset<Row> frames = spark.read().schema(ShardsSchemas.FRAMES.struct())
        .parquet(splitDir + "/frames");
    return bothSides(keys, frames, cs);
  }

  /**
   * The same view straight from the stage tables under {@code output} (before or without the
   * shards stage): pairs, then frames, face_params and audio for the named columns.
   */
  public static Dataset<Row> pairFramesFromStages(SparkSession spark, String output,
      String... columns) throws IOException {
    List<String> cs = columns.length == 0 ? DEFAULT_COLUMNS : List.of(columns);
    Dataset<Row> keys = pairFrameKeys(ShardsJob.read(spark, output,
        io.talkset.schemas.PairsSchemas.PAIRS));
    Dataset<Row> out = keys;
    for (var t : List.of(FramesSchemas.FRAMES, ParamsSchemas.PARAMS, AudioSchemas.FRAMES)) {
      List<String> here = new ArrayList<>();
      for (String c : cs) {
        if (List.of(t.struct().fieldNames()).contains(c) && !c.equals("clip_id")
            && !c.equals("frame_index")) {
          here.add(c);
        }
      }
      if (!here.isEmpty()) {
        out = bothSides(out, ShardsJob.readOk(spark, output, t), here);
        cs = cs.stream().filter(c -> !here.contains(c)).toList();
      }
    }
    if (!cs.isEmpty()) {
      throw new IllegalArgumentException("no stage table has the column(s) " + cs);
    }
    return out;
  }

  /** Left-joins {@code columns} of {@code frames} for the reference and the other frame. */
  static Dataset<Row> bothSides(Dataset<Row> keys, Dataset<Row> frames, List<String> columns) {
    Dataset<Row> out = keys;
    for (String side : List.of("reference", "other")) {
      List<Column> sel = new ArrayList<>();
      sel.add(col("clip_id").as("_" + side + "_clip"));
      sel.add(col("frame_index").as("_" + side + "_frame"));
      for (String c : columns) {
        sel.add(col(c).as(side + "_" + c));
      }
      Dataset<Row> f = frames.select(sel.toArray(new Column[0]));
      out = out.join(f, out.col(side + "_clip_id").equalTo(f.col("_" + side + "_clip"))
              .and(out.col(side + "_frame_index").equalTo(f.col("_" + side + "_frame"))),
              "left")
          .drop("_" + side + "_clip", "_" + side + "_frame");
    }
    return out;
  }
}
