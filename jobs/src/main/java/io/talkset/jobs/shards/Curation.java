package io.talkset.jobs.shards;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;

import io.talkset.core.curate.CurationRules;
import io.talkset.core.curate.Curator;
import io.talkset.core.curate.Rule;
import io.talkset.core.curate.Windows;
import io.talkset.jobs.io.StageTables;
import io.talkset.jobs.io.TableCommitter;
import io.talkset.schemas.CurationSchemas;
import io.talkset.schemas.FramesSchemas;
import io.talkset.schemas.ParamsSchemas;
import io.talkset.schemas.SyncSchemas;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapGroupsFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The curation step of the shards stage: gathers what each rule needs per face frame (frames,
 * face_params), per segment (face_params_clips identity spread, sync) and per clip (sync_clips),
 * lets {@link Curator} decide per segment, and turns the verdicts into the kept frames and the
 * {@code curation} table. A clip the sync rule re-times ({@code --curate-sync-retime}) carries
 * its shift on every verdict; {@link Result#retimed} moves its audio rows for the dataset. A rule
 * whose stage has not run under the output at all (no sync or
 * face_params tables) is skipped and said so in dataset.json, rather than removing everything.
 */
final class Curation {
  /** One verdict per face frame. */
  static final StructType VERDICT = new StructType()
      .add("clip_id", DataTypes.StringType, false)
      .add("segment", DataTypes.IntegerType, false)
      .add("split", DataTypes.StringType, false)
      .add("frame_index", DataTypes.IntegerType, false)
      .add("outcome", DataTypes.StringType, false)
      .add("level", DataTypes.StringType, true)
      .add("reason", DataTypes.StringType, true)
      .add("audio_shift_frames", DataTypes.IntegerType, false)
      // The frame's JPEG size, carried for the file packing: the verdicts' scan of the frames
      // table reads it, so no second scan of the JPEG column is needed to size the files.
      .add("_jpeg_bytes", DataTypes.IntegerType, true);

  /** A re-timed clip and its audio shift in frames (Curator.clipShift). */
  static final StructType SHIFT = new StructType()
      .add("clip_id", DataTypes.StringType, false)
      .add("_shift", DataTypes.IntegerType, false);

  /**
   * The decision on every face frame.
   *
   * @param verdicts one row per input frame ({@link #VERDICT}), persisted: call {@link #close}
   * @param applied the rules as applied (skipped ones off)
   * @param skipped rules that were on but whose stage has not run, with why
   * @param shifts the re-timed clips ({@link #SHIFT}, non-zero shifts only), small
   */
  record Result(Dataset<Row> verdicts, CurationRules applied, Map<String, String> skipped,
      Dataset<Row> shifts, long retimedClips) {
    /** The frames of {@code frames} that every rule kept. */
    Dataset<Row> kept(Dataset<Row> frames) {
      return frames.join(verdicts.filter(col("outcome").equalTo(KEPT))
          .select("clip_id", "frame_index"), ShardsJob.seq("clip_id", "frame_index"),
          "left_semi");
    }

    /** The curation table's rows, in its schema, sorted by clip, segment, outcome, reason. */
    Dataset<Row> table() {
      Dataset<Row> totals = verdicts.groupBy("clip_id", "segment")
          .agg(count(lit(1)).cast("int").as("segment_frames"));
      Dataset<Row> t = verdicts.groupBy("clip_id", "segment", "split", "outcome", "level",
              "reason", "audio_shift_frames")
          .agg(count(lit(1)).cast("int").as("frames"), min("frame_index").as("first_frame"),
              max("frame_index").as("last_frame"))
          .join(totals, ShardsJob.seq("clip_id", "segment"));
      List<Column> c = new ArrayList<>();
      for (StructField f : CurationSchemas.CURATION.struct().fields()) {
        c.add(col(f.name()).as(f.name(), f.metadata()));
      }
      return t.select(c.toArray(new Column[0]));
    }

    /**
     * The verdicts counted per (clip_id, split, outcome, audio_shift_frames), with the JPEG
     * bytes of those frames: one small row per clip and outcome, from which {@link #counts}
     * and {@link #keptPerClip} are derived on the driver. One query instead of one per count
     * (each re-planning the verdicts' inputs: a fixed cost that dominated the counts).
     */
    List<Row> summary() {
      return verdicts.groupBy("clip_id", "split", "outcome", "audio_shift_frames")
          .agg(count(lit(1)), sum(col("_jpeg_bytes"))).collectAsList();
    }

    /**
     * Counts for dataset.json and the summary, from {@link #summary}: frames in and kept,
     * frames removed per rule, per split and in all, and clips that kept no frame.
     */
    static Map<String, Object> counts(List<Row> summary) {
      Map<String, Map<String, Long>> bySplit = new TreeMap<>();
      Map<String, Long> all = new LinkedHashMap<>();
      all.put("frames_in", 0L);
      all.put(KEPT, 0L);
      for (Rule r : Rule.values()) {
        all.put(r.label(), 0L);
      }
      // Clip -> its kept frames; (clip, shift) of re-timed clips -> frames in, kept.
      Map<String, Long> keptOf = new TreeMap<>();
      Map<String, long[]> retimedClips = new TreeMap<>();
      for (Row r : summary) {
        String clip = r.getString(0);
        String outcome = r.getString(2);
        int shift = r.getInt(3);
        long n = r.getLong(4);
        Map<String, Long> s = bySplit.computeIfAbsent(r.getString(1), k -> {
          Map<String, Long> m = new LinkedHashMap<>();
          m.put("frames_in", 0L);
          m.put(KEPT, 0L);
          return m;
        });
        s.merge("frames_in", n, Long::sum);
        s.merge(outcome, n, Long::sum);
        all.merge("frames_in", n, Long::sum);
        all.merge(outcome, n, Long::sum);
        keptOf.merge(clip, KEPT.equals(outcome) ? n : 0L, Long::sum);
        if (shift != 0) {
          long[] inKept = retimedClips.computeIfAbsent(clip + '\u0000' + shift,
              k -> new long[] {shift, 0, 0});
          inKept[1] += n;
          inKept[2] += KEPT.equals(outcome) ? n : 0;
        }
      }
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("face_clips_in", (long) keptOf.size());
      c.put("face_clips_without_kept_frames",
          keptOf.values().stream().filter(k -> k == 0).count());
      Map<String, Long> removed = new LinkedHashMap<>();
      for (Rule r : Rule.values()) {
        removed.put(r.label(), all.get(r.label()));
      }
      c.put("frames_in", all.get("frames_in"));
      c.put("frames_kept", all.get(KEPT));
      c.put("frames_removed_by_rule", removed);
      c.put("by_split", bySplit);
      Map<String, Object> retimed = new LinkedHashMap<>();
      Map<String, Long> byShift = new TreeMap<>();
      long in = 0;
      long keptFrames = 0;
      for (long[] r : retimedClips.values()) {
        byShift.merge(String.format(java.util.Locale.ROOT, "%+d", (int) r[0]), 1L, Long::sum);
        in += r[1];
        keptFrames += r[2];
      }
      retimed.put("clips", byShift.values().stream().mapToLong(Long::longValue).sum());
      retimed.put("clips_by_shift_frames", byShift);
      retimed.put("frames_in", in);
      retimed.put("frames_kept", keptFrames);
      retimed.put("frames_removed_at_edges", all.get(Rule.SYNC_RETIME.label()));
      c.put("retimed", retimed);
      return c;
    }

    /**
     * The clips with kept frames, from {@link #summary}: (clip_id, kept frames, their JPEG
     * bytes) as longs, what the file packing needs.
     */
    static List<Row> keptPerClip(List<Row> summary) {
      Map<String, long[]> byClip = new TreeMap<>();
      for (Row r : summary) {
        if (KEPT.equals(r.getString(2))) {
          long[] a = byClip.computeIfAbsent(r.getString(0), k -> new long[2]);
          a[0] += r.getLong(4);
          a[1] += r.isNullAt(5) ? 0 : r.getLong(5);
        }
      }
      List<Row> out = new ArrayList<>();
      byClip.forEach((clip, a) -> out.add(RowFactory.create(clip, a[0], a[1])));
      return out;
    }

    /**
     * The training windows of the kept frames ({@link CurationSchemas#WINDOWS} and the split),
     * cut per segment by {@link Windows#cut}.
     */
    Dataset<Row> windows(int length, int hop) {
      StructType schema = CurationSchemas.WINDOWS.struct().add("split", DataTypes.StringType,
          false);
      return verdicts.filter(col("outcome").equalTo(KEPT))
          .select("clip_id", "segment", "split", "frame_index", "audio_shift_frames")
          .groupByKey((MapFunction<Row, String>) r -> r.getString(0) + '\u0000' + r.getInt(1),
              Encoders.STRING())
          .flatMapGroups((FlatMapGroupsFunction<String, Row, Row>) (key, rows) ->
              windowRows(length, hop, rows), Encoders.row(schema));
    }

    /**
     * The audio table's rows (clip_id, frame_index and feature columns) as the dataset's frames
     * hear them: a re-timed clip's row of audio frame a moves to frame a + shift, so frame t
     * carries audio frame t - shift. The stage table itself is left as it is.
     */
    Dataset<Row> retimed(Dataset<Row> audio) {
      if (retimedClips == 0) {
        return audio;
      }
      List<Column> c = new ArrayList<>();
      for (String n : audio.columns()) {
        c.add(n.equals("frame_index") ? col("frame_index").plus(coalesce(col("_shift"), lit(0)))
            .as("frame_index") : col(n));
      }
      return audio.join(broadcast(shifts), ShardsJob.seq("clip_id"), "left")
          .select(c.toArray(new Column[0]));
    }

    void close() {
      verdicts.unpersist();
    }
  }

  /** The outcome of a kept frame. */
  static final String KEPT = "kept";

  private Curation() {}

  /**
   * Decides on every frame of {@code frames} (the frames table's ok rows with their split).
   */
  static Result apply(SparkSession spark, String output, CurationRules rules,
      Dataset<Row> frames) throws IOException {
    return apply(new Sources(spark, output), spark, output, rules, frames);
  }

  /** {@link #apply(SparkSession, String, CurationRules, Dataset)} reading through sources. */
  static Result apply(Sources sources, SparkSession spark, String output, CurationRules rules,
      Dataset<Row> frames) throws IOException {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    Map<String, String> skipped = new LinkedHashMap<>();
    CurationRules applied = rules;
    boolean sync = exists(hconf, output, SyncSchemas.CLIPS.table());
    boolean params = exists(hconf, output, ParamsSchemas.CLIPS.table());
    for (Rule r : List.of(Rule.SYNC_OFFSET, Rule.SYNC_CONFIDENCE, Rule.SYNC_RETIME)) {
      if (!sync && rules.on(r)) {
        skipped.put(r.label(), "the sync stage has not run under the output (no sync_clips"
            + " table)");
        applied = applied.with(r, null);
      }
    }
    for (Rule r : List.of(Rule.IDENTITY, Rule.YAW, Rule.PITCH)) {
      if (!params && rules.on(r)) {
        skipped.put(r.label(), "the params stage has not run under the output (no"
            + " face_params_clips table)");
        applied = applied.with(r, null);
      }
    }

    Dataset<Row> pose = sources.readOk(ParamsSchemas.PARAMS)
        .select(col("clip_id"), col("frame_index"), col("yaw_deg").cast("double").as("_yaw"),
            col("pitch_deg").cast("double").as("_pitch"));
    Dataset<Row> identity = sources.read(ParamsSchemas.CLIPS)
        .filter(col("status").equalTo("ok"))
        .select(col("clip_id"), explode(col("segments")).as("s"))
        .select(col("clip_id"), col("s.segment").as("segment"),
            col("s.identity_spread").as("_spread"));
    Dataset<Row> syncClips = sources.read(SyncSchemas.CLIPS)
        .select(col("clip_id"), col("status").as("_sync_clip_status"),
            col("error_code").as("_sync_clip_code"));
    Dataset<Row> syncSegments = sources.readOk(SyncSchemas.SEGMENTS)
        .select(col("clip_id"), col("segment"), col("status").as("_sync_status"),
            col("error_code").as("_sync_code"), col("offset_frames").as("_offset"),
            col("confidence").as("_confidence"));
    // The re-timed clips: one shift per clip from its segments' estimates (Curator.clipShift),
    // collected (one small row per re-timed clip) so every later join sees the same rows.
    CurationRules on = applied;
    List<Row> shiftRows = List.of();
    if (on.on(Rule.SYNC_RETIME) && on.on(Rule.SYNC_OFFSET)) {
      Dataset<Row> estimates = sources.readOk(SyncSchemas.SEGMENTS)
          .select("clip_id", "segment", "frames", "status", "offset_frames", "confidence");
      // No segment, no shift: the optimizer does not fold a grouped map over nothing.
      shiftRows = StageTables.knownEmpty(estimates) ? List.of() : estimates
          .groupByKey((MapFunction<Row, String>) r -> r.getString(0), Encoders.STRING())
          .flatMapGroups((FlatMapGroupsFunction<String, Row, Row>) (clip, rows) ->
              shift(on, clip, rows), Encoders.row(SHIFT))
          .collectAsList();
    }
    Dataset<Row> shifts = spark.createDataFrame(shiftRows, SHIFT);
    Dataset<Row> grid = sources.read(FramesSchemas.CLIPS)
        .filter(col("status").equalTo("ok"))
        .select(col("clip_id"), col("grid_frames").as("_grid"));
    Dataset<Row> measures = frames
        .select(col("clip_id"), col("segment"), col("frame_index"),
            col("face_px").cast("double"), col("upscale").cast("double"),
            col("sharpness").cast("double"), col("outside_fraction").cast("double"),
            col("faces_in_picture"), col("split"), length(col("jpeg")).as("_jpeg_bytes"))
        .join(pose, ShardsJob.seq("clip_id", "frame_index"), "left")
        .join(broadcast(identity), ShardsJob.seq("clip_id", "segment"), "left")
        .join(broadcast(syncClips), ShardsJob.seq("clip_id"), "left")
        .join(broadcast(syncSegments), ShardsJob.seq("clip_id", "segment"), "left")
        .join(broadcast(shifts.join(grid, ShardsJob.seq("clip_id"), "left")),
            ShardsJob.seq("clip_id"), "left")
        .select("clip_id", "segment", "frame_index", "face_px", "upscale", "sharpness",
            "outside_fraction", "faces_in_picture", "_yaw", "_pitch", "split",
            "_sync_clip_status", "_sync_clip_code", "_sync_status", "_sync_code", "_offset",
            "_confidence", "_spread", "_shift", "_grid", "_jpeg_bytes");
    Dataset<Row> verdicts;
    if (StageTables.knownEmpty(measures)) {
      // No face frame (an empty frames table): no verdict, as an empty local relation that
      // the counts, the curation table and the joins below fold without a Spark job. A
      // persisted grouped map over nothing costs jobs that find nothing.
      verdicts = spark.createDataFrame(List.of(), VERDICT);
    } else {
      // A verdict is ~70 bytes: a few partitions hold them all. Left at the shuffle's 200,
      // every later pass over them (the counts, the curation table, the kept frames) ran 200
      // tasks, each deserializing its plan: 13 s of CPU for 1,600 tasks on the 15,000-frame
      // bench.
      verdicts = measures
          .groupByKey((MapFunction<Row, String>) r -> r.getString(0) + '\u0000' + r.getInt(1),
              Encoders.STRING())
          .flatMapGroups((FlatMapGroupsFunction<String, Row, Row>) (key, rows) ->
              decide(on, rows), Encoders.row(VERDICT))
          .coalesce(Math.max(1, spark.sparkContext().defaultParallelism()))
          .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    }
    return new Result(verdicts, applied, skipped, shifts, shiftRows.size());
  }

  /** One segment's rows (the columns selected in {@link #apply}) to its verdict rows. */
  static Iterator<Row> decide(CurationRules rules, Iterator<Row> rows) {
    List<Curator.Frame> frames = new ArrayList<>();
    Map<Integer, Integer> jpegBytes = new java.util.HashMap<>();
    Row first = null;
    while (rows.hasNext()) {
      Row r = rows.next();
      if (first == null) {
        first = r;
      }
      jpegBytes.put(r.getInt(2), r.isNullAt(20) ? null : r.getInt(20));
      frames.add(new Curator.Frame(r.getInt(2), r.getDouble(3), r.getDouble(4), dbl(r, 5),
          dbl(r, 8), dbl(r, 9), r.getDouble(6), r.getInt(7)));
    }
    int shift = first.isNullAt(18) ? 0 : first.getInt(18);
    Curator.SegmentFacts facts = new Curator.SegmentFacts(str(first, 11), str(first, 12),
        str(first, 13), str(first, 14), first.isNullAt(15) ? null : first.getInt(15),
        dbl(first, 16), dbl(first, 17), shift, first.isNullAt(19) ? null : first.getInt(19));
    String clip = first.getString(0);
    int segment = first.getInt(1);
    String split = first.getString(10);
    List<Row> out = new ArrayList<>(frames.size());
    for (Curator.Verdict v : Curator.segment(rules, facts, frames)) {
      out.add(RowFactory.create(clip, segment, split, v.frameIndex(),
          v.kept() ? KEPT : v.rule().label(), v.kept() ? null : v.level().label(), v.reason(),
          shift, jpegBytes.get(v.frameIndex())));
    }
    return out.iterator();
  }

  /** One clip's sync rows (as selected in {@link #apply}) to its shift row, if re-timed. */
  static Iterator<Row> shift(CurationRules rules, String clip, Iterator<Row> rows) {
    List<Curator.Estimate> e = new ArrayList<>();
    while (rows.hasNext()) {
      Row r = rows.next();
      e.add(new Curator.Estimate(r.getInt(1), r.getInt(2), r.getString(3),
          r.isNullAt(4) ? null : r.getInt(4), dbl(r, 5)));
    }
    // readOk: the clip's sync_clips status is ok.
    int s = Curator.clipShift(rules, "ok", e);
    return s == 0 ? java.util.Collections.emptyIterator()
        : List.of(RowFactory.create(clip, s)).iterator();
  }

  /**
   * One segment's kept frames (clip_id, segment, split, frame_index, audio_shift_frames) to its
   * window rows.
   */
  static Iterator<Row> windowRows(int length, int hop, Iterator<Row> rows) {
    List<Integer> frames = new ArrayList<>();
    Row first = null;
    while (rows.hasNext()) {
      Row r = rows.next();
      first = first == null ? r : first;
      frames.add(r.getInt(3));
    }
    List<Row> out = new ArrayList<>();
    for (Windows.Window w : Windows.cut(frames.stream().mapToInt(Integer::intValue).toArray(),
        length, hop)) {
      out.add(RowFactory.create(String.format(java.util.Locale.ROOT, "%s_%d_%06d",
          first.getString(0), first.getInt(1), w.firstFrame()), first.getString(0),
          first.getInt(1), w.firstFrame(), w.lastFrame(), w.frames(), w.firstSample(),
          w.endSample(), w.firstFrame() / 25.0, (w.lastFrame() + 1) / 25.0, first.getInt(4),
          first.getString(2)));
    }
    return out.iterator();
  }

  private static Double dbl(Row r, int i) {
    return r.isNullAt(i) ? null : r.getDouble(i);
  }

  private static String str(Row r, int i) {
    return r.isNullAt(i) ? null : r.getString(i);
  }

  private static boolean exists(Configuration hconf, String output, String table)
      throws IOException {
    org.apache.hadoop.fs.Path p = TableCommitter.location(output, table);
    return p.getFileSystem(hconf).exists(p);
  }

  /** Removed-frame counts per rule, in rule order (for the summary line). */
  static Map<Rule, Long> removed(Map<String, Object> counts) {
    Map<Rule, Long> m = new EnumMap<>(Rule.class);
    @SuppressWarnings("unchecked")
    Map<String, Long> byRule = (Map<String, Long>) counts.get("frames_removed_by_rule");
    byRule.forEach((k, v) -> {
      if (v > 0) {
        m.put(Rule.of(k), v);
      }
    });
    return m;
  }
}
