package io.talkset.jobs.shards;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.talkset.core.hashing.Sha256;
import io.talkset.core.shards.FilePacker;
import io.talkset.core.shards.SpeakerSplit;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.io.Json;
import io.talkset.jobs.io.StageTables;
import io.talkset.jobs.io.TableCommitter;
import io.talkset.jobs.runtime.Job;
import io.talkset.jobs.runtime.Version;
import io.talkset.schemas.AudioSchemas;
import io.talkset.schemas.ClipsSchema;
import io.talkset.schemas.CurationSchemas;
import io.talkset.schemas.FramesSchemas;
import io.talkset.schemas.PairsSchemas;
import io.talkset.schemas.MorphableSchemas;
import io.talkset.schemas.ParamsSchemas;
import io.talkset.schemas.ShardsSchemas;
import io.talkset.schemas.SyncSchemas;
import io.talkset.schemas.TableSchema;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The shards stage: the final dataset under {@code OUTPUT/dataset/}, split by speaker into
 * {@code train/}, {@code val/} and {@code test/}, each with {@code frames/} (frames ⋈ face_params
 * ⋈ audio plus clip metadata, sorted by clip_id and frame_index, whole clips per file),
 * {@code clips/}, {@code pairs/} (ok pairs) and {@code pair_frames/} (the training view), the
 * {@code curation/} table (what the curation rules removed, {@link Curation}), then
 * {@code dataset.json} and {@code _SUCCESS}. Only the face frames the curation rules keep go
 * into {@code frames/}; a clip the sync rule re-timed gets its audio rows shifted by its
 * {@code audio_shift_frames}. The whole folder is written under a hidden staging
 * name and renamed into place, so a reader sees the previous dataset or the new one, never half
 * of one. A re-run whose inputs (manifest content, every stage table's committed batches),
 * settings and code version are unchanged keeps the dataset as it is.
 */
public final class ShardsJob implements Job {
  public static final String DATASET = "dataset";
  public static final String DESCRIPTION = "dataset.json";
  public static final String SUCCESS = "_SUCCESS";
  /** The split's table folders: frames, clips, pairs, pair_frames. */
  public static final List<String> TABLES = List.of("frames", "clips", "pairs", "pair_frames");
  /** The curation table's folder, beside the splits (it has a split column). */
  public static final String CURATION = "curation";
  /** A split's training windows folder, with --window-seconds. */
  public static final String WINDOWS = "windows";

  private static final Pattern DIGEST = Pattern.compile("\"input_digest\"\\s*:\\s*\"([0-9a-f]+)\"");
  private static final List<TableSchema> SOURCES = List.of(ClipsSchema.SCHEMA,
      AudioSchemas.FRAMES, AudioSchemas.CLIPS, FramesSchemas.FRAMES, FramesSchemas.CLIPS,
      ParamsSchemas.PARAMS, ParamsSchemas.CLIPS, SyncSchemas.SEGMENTS, SyncSchemas.CLIPS,
      PairsSchemas.PAIRS);
  private static final String[] CLIP_METADATA =
      {"dataset", "speaker", "gender", "emotion", "intensity", "sentence_key", "view", "take"};

  /**
   * What a run did.
   *
   * @param skipped the dataset was already built from the same inputs and settings
   * @param counts rows per split and table
   * @param speakers "dataset/speaker" keys per split
   * @param warnings what a user must know about the split (few speakers, a speaker moved)
   * @param curation the curation counts written to dataset.json (frames in, kept, removed by
   *     rule, per split), empty when skipped
   */
  public record Result(boolean skipped, String inputDigest, String manifestDigest,
      Map<String, Map<String, Long>> counts, Map<String, List<String>> speakers, String path,
      List<String> warnings, Map<String, Object> curation) {}

  @Override
  public String name() {
    return "shards";
  }

  @Override
  public String summary() {
    return "the training dataset split by speaker: train/, val/, test/ with frames, clips,"
        + " pairs, pair_frames (OUTPUT/dataset)";
  }

  @Override
  public Options options() {
    return ShardsConfig.options();
  }

  @Override
  public void validate(Options.Parsed args) {
    ShardsConfig.from(args);
  }

  @Override
  public String run(SparkSession spark, Options.Parsed args) throws Exception {
    Result r = process(spark, ShardsConfig.from(args));
    if (r.skipped()) {
      return "shards: inputs and settings unchanged (input digest " + r.inputDigest()
          .substring(0, 12) + "), dataset kept\n  dataset: " + r.path() + "\n";
    }
    StringBuilder sb = new StringBuilder("shards:");
    for (String s : SpeakerSplit.NAMES) {
      Map<String, Long> c = r.counts().get(s);
      sb.append(String.format(Locale.ROOT, " %s %d speakers, %d clips, %d frames, %d pairs"
          + " (%d pair frames);", s, r.speakers().get(s).size(), c.get("clips"),
          c.get("frames"), c.get("pairs"), c.get("pair_frames")));
    }
    sb.setLength(sb.length() - 1);
    sb.append(String.format(Locale.ROOT, "\n  curation: kept %d of %d face frames",
        (Long) r.curation().get("frames_kept"), (Long) r.curation().get("frames_in")));
    Map<io.talkset.core.curate.Rule, Long> removed = Curation.removed(r.curation());
    if (!removed.isEmpty()) {
      sb.append("; removed by rule");
      removed.forEach((rule, n) -> sb.append(' ').append(rule.label()).append('=').append(n));
    }
    for (String w : r.warnings()) {
      sb.append("\n  split warning: ").append(w);
    }
    return sb.append("\n  dataset: ").append(r.path()).append('\n').toString();
  }

  public static Result process(SparkSession spark, ShardsConfig cfg) throws Exception {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    TableCommitter dataset = new TableCommitter(hconf, cfg.output(), DATASET);
    FileSystem fs = dataset.table().getFileSystem(hconf);
    Path manifest = TableCommitter.location(cfg.output(), ClipsSchema.SCHEMA.table());
    if (!fs.exists(manifest)) {
      throw new IllegalStateException("shards: no clips table under " + cfg.output()
          + ": run the crawl first");
    }

    // The ok clips and their splits, on the driver: one small row per clip.
    List<Row> clips = read(spark, cfg.output(), ClipsSchema.SCHEMA)
        .filter(col("status").equalTo("ok"))
        .select("clip_id", "content_digest", "path", "dataset", "speaker", "gender", "emotion",
            "intensity", "sentence_key", "view", "take", "transcript")
        .orderBy("clip_id").collectAsList();
    String manifestDigest = manifestDigest(clips);
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("manifest_digest", manifestDigest);
    for (TableSchema t : SOURCES.subList(1, SOURCES.size())) {
      inputs.put(t.table(), new TableCommitter(hconf, cfg.output(), t.table()).batches());
    }
    Morphable morph = morphable(spark, fs, cfg.output());
    inputs.put(MorphableSchemas.FRAMES.table(), morph.describedAs());
    Map<String, Object> keyed = new LinkedHashMap<>();
    keyed.put("inputs", inputs);
    keyed.put("parameters", cfg.describe());
    keyed.put("schema_versions", schemaVersions());
    keyed.put("talkset_version", Version.get());
    String inputDigest = Sha256.hex(Json.write(keyed));
    Path json = new Path(dataset.table(), DESCRIPTION);
    if (fs.exists(new Path(dataset.table(), SUCCESS)) && fs.exists(json)
        && inputDigest.equals(digestIn(fs, json))) {
      return new Result(true, inputDigest, manifestDigest, Map.of(), Map.of(),
          dataset.table().toString(), List.of(), Map.of());
    }

    SpeakerSplit split = cfg.split();
    List<SpeakerSplit.Speaker> known = new ArrayList<>();
    for (Row c : clips) {
      if (!c.isNullAt(4) && !c.getString(4).isBlank()) {
        known.add(new SpeakerSplit.Speaker(c.getString(3), c.getString(4)));
      }
    }
    SpeakerSplit.Assignment assigned = split.assign(known);
    List<Row> splitRows = new ArrayList<>();
    Map<String, String> splitOf = new HashMap<>();
    Map<String, TreeSet<String>> speakers = new LinkedHashMap<>();
    SpeakerSplit.NAMES.forEach(s -> speakers.put(s, new TreeSet<>()));
    int withoutSpeaker = 0;
    for (Row c : clips) {
      // Clips without a speaker go to train (SpeakerSplit.splitOf).
      String s = c.isNullAt(4) || c.getString(4).isBlank() ? split.splitOf(c.getString(3), null)
          : assigned.splits().get(new SpeakerSplit.Speaker(c.getString(3), c.getString(4)));
      splitOf.put(c.getString(0), s);
      splitRows.add(RowFactory.create(c.getString(0), s));
      if (c.isNullAt(4) || c.getString(4).isBlank()) {
        withoutSpeaker++;
      } else {
        speakers.get(s).add(c.getString(3) + "/" + c.getString(4));
      }
    }
    Dataset<Row> clipSplit = spark.createDataFrame(splitRows, new StructType()
        .add("clip_id", DataTypes.StringType, false).add("split", DataTypes.StringType, false));
    Dataset<Row> okClips = read(spark, cfg.output(), ClipsSchema.SCHEMA)
        .filter(col("status").equalTo("ok"));
    Dataset<Row> clipMeta = okClips.select(cols("clip_id", CLIP_METADATA))
        .join(broadcast(clipSplit), "clip_id");

    Sources sources = new Sources(spark, cfg.output());
    Path staging = dataset.newStaging();
    Path work = new Path(staging, "_spark");
    Curation.Result curation = null;
    try {
      // Frames: the frames of clips whose frames stage is ok, with metadata, params and audio,
      // that the curation rules keep.
      Dataset<Row> faceFrames = sources.readOk(FramesSchemas.FRAMES)
          .withColumnRenamed("yaw_deg", "detector_yaw_deg")
          .join(broadcast(clipMeta), "clip_id");
      curation = Curation.apply(sources, spark, cfg.output(), cfg.curation(), faceFrames);
      Dataset<Row> okFrames = curation.kept(faceFrames);
      // One aggregate of the verdicts gives the counts and each clip's kept frames and JPEG
      // bytes (the verdicts' scan read the sizes): no second scan of the frames for the packing.
      List<Row> verdictSummary = curation.summary();
      Map<String, Object> curationCounts = Curation.Result.counts(verdictSummary);
      curation.table().repartition(1)
          .sortWithinPartitions("clip_id", "segment", "outcome", "reason")
          .write().options(parquet(cfg))
          .option("maxRecordsPerFile", ShardsConfig.SMALL_TABLE_ROWS)
          .parquet(new Path(work, CURATION).toString());
      List<Row> stats = Curation.Result.keptPerClip(verdictSummary);
      Map<String, Integer> fileOf = new HashMap<>();
      Map<String, Long> framesOf = new HashMap<>();
      Map<String, Integer> files = packFiles(stats, splitOf, cfg, fileOf, framesOf);
      List<Row> fileRows = new ArrayList<>();
      fileOf.forEach((clip, file) -> fileRows.add(RowFactory.create(clip, file)));
      Dataset<Row> clipFiles = spark.createDataFrame(fileRows, new StructType()
          .add("clip_id", DataTypes.StringType, false).add("_file", DataTypes.IntegerType,
              false));
      List<String> paramCols = new ArrayList<>();
      for (StructField f : ParamsSchemas.PARAMS.struct().fields()) {
        if (!List.of("clip_id", "segment", "frame_index").contains(f.name())) {
          paramCols.add(f.name());
        }
      }
      Dataset<Row> frames = okFrames
          .join(sources.readOk(ParamsSchemas.PARAMS)
              .select(cols("clip_id", concat("frame_index", paramCols))),
              seq("clip_id", "frame_index"), "left")
          .join(curation.retimed(sources.readOk(AudioSchemas.FRAMES)
              .select(cols("clip_id", concat("frame_index", cfg.audio())))),
              seq("clip_id", "frame_index"), "left")
          .join(morphColumns(spark, cfg.output(), morph), seq("clip_id", "frame_index"), "left")
          .join(broadcast(clipFiles), "clip_id");
      List<Column> select = new ArrayList<>();
      for (StructField f : ShardsSchemas.FRAMES.struct().fields()) {
        boolean absent = ShardsSchemas.AUDIO_COLUMNS.contains(f.name())
            && !cfg.audio().contains(f.name());
        select.add((absent ? lit(null).cast(f.dataType()) : col(f.name()))
            .as(f.name(), f.metadata()));
      }
      select.add(col("split"));
      select.add(col("_file"));
      Dataset<Row> frameRows = frames.select(select.toArray(new Column[0]));
      if (!StageTables.knownEmpty(frameRows)) {
        frameRows.repartition(col("split"), col("_file"))
            .sortWithinPartitions("split", "_file", "clip_id", "frame_index")
            .write().options(parquet(cfg))
            .partitionBy("split", "_file").parquet(new Path(work, "frames").toString());
      }

      // Pairs: the ok pairs, in their speaker's split (a pair's clips share one speaker).
      Dataset<Row> pairs = read(spark, cfg.output(), PairsSchemas.PAIRS)
          .filter(col("status").equalTo("ok"))
          .join(broadcast(clipSplit.withColumnRenamed("clip_id", "reference_clip_id")),
              "reference_clip_id");
      Map<String, Row> pairCounts = new HashMap<>();
      for (Row p : pairs.groupBy("split").agg(count(lit(1)), coalesce(sum(size(
          col("reference_map"))), lit(0L))).collectAsList()) {
        pairCounts.put(p.getString(0), p);
      }
      writeSmall(pairs.select(withSplit(PairsSchemas.PAIRS)), cfg, new Path(work, "pairs"),
          "reference_clip_id", "other_clip_id");
      writeSmall(TrainingView.pairFrameKeys(pairs, col("split")), cfg,
          new Path(work, "pair_frames"), "reference_clip_id", "other_clip_id",
          "reference_frame_index");

      // Clips: manifest metadata, each stage's status, the clip's rows in the frames table.
      List<Row> shardFrames = new ArrayList<>();
      framesOf.forEach((clip, n) -> shardFrames.add(RowFactory.create(clip, n.intValue())));
      Dataset<Row> clipRows = okClips
          .join(broadcast(clipSplit), "clip_id")
          .join(sources.read(AudioSchemas.CLIPS).select(col("clip_id"),
              col("status").as("audio_status"), col("frames").as("audio_frames")),
              seq("clip_id"), "left")
          .join(sources.read(FramesSchemas.CLIPS).select(col("clip_id"),
              col("status").as("frames_status"), col("frames_written"),
              when(col("segments").isNull(), lit(null)).otherwise(size(col("segments")))
                  .as("face_segments")), seq("clip_id"), "left")
          .join(sources.read(ParamsSchemas.CLIPS).select(col("clip_id"),
              col("status").as("params_status"), col("frames").as("params_frames")),
              seq("clip_id"), "left")
          .join(spark.createDataFrame(shardFrames, new StructType()
              .add("clip_id", DataTypes.StringType, false)
              .add("rows", DataTypes.IntegerType, false)), seq("clip_id"), "left")
          .withColumn("shard_frames", coalesce(col("rows"), lit(0)));
      writeSmall(clipRows.select(withSplit(ShardsSchemas.CLIPS)), cfg, new Path(work, "clips"),
          "clip_id");

      // Training windows of the kept frames, when asked for.
      Map<String, Long> windowCounts = new LinkedHashMap<>();
      if (cfg.windowFrames() > 0) {
        Dataset<Row> windows = curation.windows(cfg.windowFrames(), cfg.hopFrames());
        writeSmall(windows.select(withSplit(CurationSchemas.WINDOWS)), cfg,
            new Path(work, WINDOWS), "clip_id", "segment", "first_frame");
        SpeakerSplit.NAMES.forEach(s -> windowCounts.put(s, 0L));
        // An explicit schema: a dataset without a window has no file to infer one from.
        Path written = new Path(work, WINDOWS);
        // writeSmall writes nothing for no window.
        for (Row w : !fs.exists(written) ? List.<Row>of() : spark.read().schema(
                CurationSchemas.WINDOWS.struct().add("split", DataTypes.StringType))
            .parquet(written.toString()).groupBy("split").count().collectAsList()) {
          windowCounts.put(w.getString(0), w.getLong(1));
        }
      }

      // Move the Spark output into <split>/<table>/part-NNNNN.parquet, in row order.
      Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
      Map<String, Map<String, Integer>> fileCounts = new LinkedHashMap<>();
      Map<TableSchema, Path> emptyFiles = new HashMap<>();
      for (String s : SpeakerSplit.NAMES) {
        Map<String, Long> c = new LinkedHashMap<>();
        Map<String, Integer> n = new LinkedHashMap<>();
        for (String table : TABLES) {
          Path target = new Path(new Path(staging, s), table);
          n.put(table, place(spark, fs, new Path(new Path(work, table), "split=" + s), target,
              table.equals("frames"), schemaOf(table), emptyFiles));
        }
        c.put("frames", framesOf.entrySet().stream().filter(e -> splitOf.get(e.getKey())
            .equals(s)).mapToLong(Map.Entry::getValue).sum());
        c.put("clips", splitRows.stream().filter(x -> x.getString(1).equals(s)).count());
        Row p = pairCounts.get(s);
        c.put("pairs", p == null ? 0L : p.getLong(1));
        c.put("pair_frames", p == null ? 0L : p.getLong(2));
        counts.put(s, c);
        fileCounts.put(s, n);
      }
      if (cfg.windowFrames() > 0) {
        for (String s : SpeakerSplit.NAMES) {
          place(spark, fs, new Path(new Path(work, WINDOWS), "split=" + s),
              new Path(new Path(staging, s), WINDOWS), false, CurationSchemas.WINDOWS,
              emptyFiles);
        }
      }
      int curationFiles = place(spark, fs, new Path(work, CURATION),
          new Path(staging, CURATION), false, CurationSchemas.CURATION, emptyFiles);
      fs.delete(work, true);

      Map<String, List<String>> speakerLists = new LinkedHashMap<>();
      speakers.forEach((s, set) -> speakerLists.put(s, List.copyOf(set)));
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("dataset", "talkset");
      d.put("layout", "<split>/<table>/part-NNNNN.parquet, splits train, val, test; tables"
          + " frames (shard_frames), clips (shard_clips), pairs (pairs), pair_frames; rows"
          + " sorted by clip and frame, files in part order; curation/part-NNNNN.parquet"
          + " (curation) beside the splits; <split>/windows (windows) with --window-seconds;"
          + " dataset.json then _SUCCESS last");
      d.put("written_at", Instant.now().toString());
      d.put("talkset_version", Version.get());
      d.put("input_digest", inputDigest);
      d.put("manifest_digest", manifestDigest);
      d.put("schema_versions", schemaVersions());
      Map<String, String> tableSchemas = new LinkedHashMap<>();
      for (String table : TABLES) {
        tableSchemas.put(table, schemaOf(table).table());
      }
      d.put("table_schemas", tableSchemas);
      d.put("parameters", cfg.describe());
      Map<String, Object> cur = new LinkedHashMap<>();
      cur.put("table", CURATION + "/part-NNNNN.parquet (curation schema): per clip, segment,"
          + " outcome and reason, the frames kept or removed");
      cur.put("files", curationFiles);
      cur.put("rules", cfg.curation().describe());
      cur.put("applied", curation.applied().toString());
      cur.put("skipped", curation.skipped());
      cur.put("attribution", "a frame breaking several rules is counted under the first, in"
          + " this order: " + String.join(", ", java.util.Arrays.stream(
          io.talkset.core.curate.Rule.values()).map(io.talkset.core.curate.Rule::label)
          .toList()));
      cur.putAll(curationCounts);
      d.put("curation", cur);
      if (cfg.windowFrames() > 0) {
        Map<String, Object> win = new LinkedHashMap<>();
        win.put("table", "<split>/windows/part-NNNNN.parquet (windows schema)");
        win.put("seconds", cfg.windowSeconds());
        win.put("hop_seconds", cfg.windowHop());
        win.put("frames", cfg.windowFrames());
        win.put("hop_frames", cfg.hopFrames());
        win.put("counts", windowCounts);
        d.put("windows", win);
      }
      d.put("morphable", morph.describe());
      d.put("inputs", inputs);
      d.put("counts", counts);
      d.put("files", fileCounts);
      d.put("speakers", speakerLists);
      d.put("clips_without_speaker", withoutSpeaker);
      d.put("split_warnings", assigned.warnings());
      d.put("frames_bytes_estimate_per_row", bytesPerRow(cfg));
      d.put("frame_files", files);
      Map<String, Object> schemas = new LinkedHashMap<>();
      for (String table : TABLES) {
        schemas.put(table, new Json.Raw(schemaOf(table).struct().json()));
      }
      schemas.put(CURATION, new Json.Raw(CurationSchemas.CURATION.struct().json()));
      d.put("schemas", schemas);
      write(fs, new Path(staging, DESCRIPTION), Json.write(d));
      // _SUCCESS after the description: its presence means the folder is complete.
      write(fs, new Path(staging, SUCCESS), "");
      dataset.swapIn(staging);
      return new Result(false, inputDigest, manifestDigest, counts, speakerLists,
          dataset.table().toString(), assigned.warnings(), curationCounts);
    } finally {
      if (curation != null) {
        curation.close();
      }
      if (fs.exists(staging)) {
        fs.delete(staging, true);
      }
    }
  }

  /**
   * The rows of a per-clip stage table whose clip's latest status in that stage is ok: rows
   * streamed before a clip failed stay in the table (the stages write rows as they go) and are
   * skipped here, as are the rows of an attempt that a later one replaced.
   */
  static Dataset<Row> readOk(SparkSession spark, String output, TableSchema rows)
      throws IOException {
    TableSchema status = StageTables.statusOf(rows);
    return read(spark, output, rows).join(read(spark, output, status)
        .filter(col("status").equalTo("ok")).select("clip_id"), seq("clip_id"), "left_semi");
  }

  /**
   * A stage table as readers see it (each clip's latest status and the rows of that attempt,
   * {@link StageTables#current}), or an empty one with its schema when the stage has not run.
   */
  static Dataset<Row> read(SparkSession spark, String output, TableSchema s) throws IOException {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    Path p = TableCommitter.location(output, s.table());
    if (!p.getFileSystem(hconf).exists(p)) {
      return spark.createDataFrame(List.of(), s.struct());
    }
    return StageTables.current(spark, output, s);
  }

  /**
   * Assigns each clip of each split to a file: clips in clip_id order, cut by the row and byte
   * limits; the byte estimate is the JPEG bytes plus a fixed size per row for the rest.
   *
   * @return files per split
   */
  private static Map<String, Integer> packFiles(List<Row> stats, Map<String, String> splitOf,
      ShardsConfig cfg, Map<String, Integer> fileOf, Map<String, Long> framesOf) {
    long perRow = bytesPerRow(cfg);
    Map<String, List<FilePacker.Clip>> bySplit = new TreeMap<>();
    for (Row r : stats) {
      String clip = r.getString(0);
      framesOf.put(clip, r.getLong(1));
      bySplit.computeIfAbsent(splitOf.get(clip), k -> new ArrayList<>())
          .add(new FilePacker.Clip(clip, r.getLong(1), r.getLong(2) + perRow * r.getLong(1)));
    }
    Map<String, Integer> files = new LinkedHashMap<>();
    for (String s : SpeakerSplit.NAMES) {
      List<FilePacker.Clip> l = new ArrayList<>(bySplit.getOrDefault(s, List.of()));
      l.sort(Comparator.comparing(FilePacker.Clip::clipId));
      int[] f = FilePacker.assign(l, cfg.shardRows(), cfg.shardMaxBytes());
      for (int i = 0; i < f.length; i++) {
        fileOf.put(l.get(i).clipId(), f[i]);
      }
      files.put(s, f.length == 0 ? 0 : f[f.length - 1] + 1);
    }
    return files;
  }

  /** Bytes a frame row takes besides its JPEG: arrays of 4-byte floats and ~200 of scalars. */
  static long bytesPerRow(ShardsConfig cfg) {
    Map<String, Integer> audio = Map.of("evp", 336, "wav2lip", 1280, "hdtf", 60, "samples", 640);
    long floats = 3 * 136 + 7 + 4 + 12;
    for (String a : cfg.audio()) {
      floats += audio.get(a);
    }
    return 200 + 4 * floats;
  }

  /** The small tables: one task per split, sorted, files of at most SMALL_TABLE_ROWS rows. */
  private static void writeSmall(Dataset<Row> rows, ShardsConfig cfg, Path to, String... sort) {
    if (StageTables.knownEmpty(rows)) {
      // A write partitioned by split puts no file in any split for no row (place gives each
      // split its empty file): the job would only find that out.
      return;
    }
    rows.repartition(col("split")).sortWithinPartitions(cols("split", sort))
        .write().options(parquet(cfg))
        .option("maxRecordsPerFile", ShardsConfig.SMALL_TABLE_ROWS)
        .partitionBy("split").parquet(to.toString());
  }

  /**
   * Moves one split's Parquet files from Spark's folder to {@code target/part-NNNNN.parquet} in
   * row order (frames: by file number; others: a single task's files in name order); a split
   * without rows gets one empty file with the schema, so readers still find the columns.
   * Spark writes that file once per schema ({@code emptyFiles} remembers where); later splits
   * get a copy, the same bytes, without a Spark job each.
   *
   * @return the number of files
   */
  private static int place(SparkSession spark, FileSystem fs, Path from, Path target,
      boolean numbered, TableSchema schema, Map<TableSchema, Path> emptyFiles)
      throws IOException {
    fs.mkdirs(target);
    List<Path> dirs = new ArrayList<>();
    if (fs.exists(from)) {
      if (numbered) {
        List<FileStatus> sub = new ArrayList<>(List.of(fs.listStatus(from,
            p -> p.getName().startsWith("_file="))));
        sub.sort(Comparator.comparingInt(st -> Integer.parseInt(st.getPath().getName()
            .substring("_file=".length()))));
        sub.forEach(st -> dirs.add(st.getPath()));
      } else {
        dirs.add(from);
      }
    }
    int n = 0;
    for (Path dir : dirs) {
      List<Path> parts = new ArrayList<>();
      for (FileStatus st : fs.listStatus(dir, p -> p.getName().endsWith(".parquet")
          && !p.getName().startsWith(".") && !p.getName().startsWith("_"))) {
        parts.add(st.getPath());
      }
      parts.sort(Comparator.comparing(Path::getName));
      for (Path p : parts) {
        Path to = new Path(target, String.format(Locale.ROOT, "part-%05d.parquet", n++));
        if (!fs.rename(p, to)) {
          throw new IOException("could not move " + p + " to " + to);
        }
      }
    }
    Path done = emptyFiles.get(schema);
    if (n == 0 && done != null) {
      Path to = new Path(target, "part-00000.parquet");
      if (!FileUtil.copy(fs, done, fs, to, false, fs.getConf())) {
        throw new IOException("could not copy " + done + " to " + to);
      }
      return 1;
    }
    if (n == 0) {
      Path empty = new Path(target.getParent(), "_empty_" + target.getName());
      spark.createDataFrame(List.of(), schema.struct()).coalesce(1).write()
          .parquet(empty.toString());
      for (FileStatus st : fs.listStatus(empty, p -> p.getName().endsWith(".parquet")
          && !p.getName().startsWith("."))) {
        fs.rename(st.getPath(), new Path(target, "part-00000.parquet"));
        emptyFiles.put(schema, new Path(target, "part-00000.parquet"));
        n = 1;
      }
      fs.delete(empty, true);
    }
    return n;
  }

  private static TableSchema schemaOf(String table) {
    return switch (table) {
      case "frames" -> ShardsSchemas.FRAMES;
      case "clips" -> ShardsSchemas.CLIPS;
      case "pairs" -> PairsSchemas.PAIRS;
      case "pair_frames" -> ShardsSchemas.PAIR_FRAMES;
      default -> throw new IllegalArgumentException(table);
    };
  }

  /**
   * Columns written without a dictionary: the JPEG bytes, the per-frame geometry arrays
   * (landmarks, the 1404-float mesh) and hdtf's features. Every value differs, so Parquet's
   * dictionary fills up within a few hundred rows of each row group, or ends its first page
   * no smaller than plain, and falls back to plain encoding after re-encoding what it had
   * buffered: the same plain pages, paid for twice (a JFR recording of the 15,000-frame bench
   * dataset spent half of the frames write in float dictionaries). Columns whose values repeat
   * keep it (evp, morph_id_coeffs, the per-clip strings).
   */
  static final List<String> PLAIN_COLUMNS = List.of("jpeg", "landmarks.list.element",
      "landmarks_raw.list.element", "landmarks_crop.list.element", "mesh.list.element",
      "hdtf.list.element");

  /**
   * Parquet writer settings: the row-group size, a size check every 4 rows instead of Parquet's
   * first check after 100 (with ~40 KB JPEG rows a row group would overshoot by up to 4 MB
   * before the writer even looks), and no dictionary for {@link #PLAIN_COLUMNS}.
   */
  static Map<String, String> parquet(ShardsConfig cfg) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("parquet.block.size", Long.toString(cfg.rowGroupBytes()));
    o.put("parquet.page.size.row.check.min", "4");
    o.putAll(TableCommitter.withoutDictionary(PLAIN_COLUMNS));
    return o;
  }

  /** A schema's columns with their descriptions, then the split (a folder, not a column). */
  private static Column[] withSplit(TableSchema s) {
    List<Column> c = new ArrayList<>();
    for (StructField f : s.struct().fields()) {
      c.add(col(f.name()).as(f.name(), f.metadata()));
    }
    c.add(col("split"));
    return c.toArray(new Column[0]);
  }

  private static Map<String, Integer> schemaVersions() {
    Map<String, Integer> v = new LinkedHashMap<>();
    for (TableSchema t : SOURCES) {
      v.put(t.table(), t.version());
    }
    for (TableSchema t : List.of(ShardsSchemas.FRAMES, ShardsSchemas.CLIPS,
        ShardsSchemas.PAIR_FRAMES, CurationSchemas.CURATION, CurationSchemas.WINDOWS)) {
      v.put(t.table(), t.version());
    }
    return v;
  }

  /**
   * SHA-256 over the ok clips' identity and metadata (content digest, path, layout fields,
   * transcript), in clip_id order: equal manifests, equal digest.
   */
  static String manifestDigest(List<Row> clips) {
    StringBuilder sb = new StringBuilder();
    for (Row r : clips) {
      for (int i = 0; i < r.size(); i++) {
        sb.append(r.isNullAt(i) ? "\u0000" : r.getString(i)).append('\u001f');
      }
      sb.append('\n');
    }
    return Sha256.hex(sb.toString());
  }

  /**
   * The face_morphable table as the shards see it: whether its coefficients belong to the
   * face_params rows joined here (the table records the digest of the ok params batches it was
   * made from: a params re-run since makes it stale, and its columns then stay null rather than
   * join coefficients of other landmarks), and its description for the input digest.
   */
  record Morphable(String description, String modelId, boolean current, String why) {
    String describedAs() {
      return description == null ? "absent" : Sha256.hex(description);
    }

    Map<String, Object> describe() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("columns", current ? "shard_frames morph_*: face_morphable's coefficients and pose"
          : "shard_frames morph_* are null: " + why);
      m.put("model_id", modelId);
      m.put("current", current);
      return m;
    }
  }

  private static final Pattern PARAMS_DIGEST =
      Pattern.compile("\"params_digest\"\\s*:\\s*\"([0-9a-f]{64})\"");
  private static final Pattern MODEL_ID = Pattern.compile("\"model_id\"\\s*:\\s*\"([^\"]+)\"");

  static Morphable morphable(SparkSession spark, FileSystem fs, String output)
      throws IOException {
    Path json = new Path(TableCommitter.location(output, MorphableSchemas.FRAMES.table()),
        TableCommitter.DESCRIPTION_FILE);
    if (!fs.exists(json)) {
      return new Morphable(null, null, false, "no face_morphable table (`talkset morphable`,"
          + " part of `talkset run`, learns it from the face meshes)");
    }
    String text;
    try (var in = fs.open(json)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Matcher id = MODEL_ID.matcher(text);
    String modelId = id.find() ? id.group(1) : null;
    Matcher made = PARAMS_DIGEST.matcher(text);
    if (!made.find()) {
      return new Morphable(text, modelId, false, "face_morphable does not say which face_params"
          + " rows it was made from (written before it recorded that): run `talkset morphable`");
    }
    if (!made.group(1).equals(StageTables.okBatchesDigest(spark, output,
        ParamsSchemas.CLIPS))) {
      return new Morphable(text, modelId, false, "face_morphable was made from other face_params"
          + " rows than the current ones (params ran again since): run `talkset morphable`");
    }
    return new Morphable(text, modelId, true, null);
  }

  /** face_morphable's columns renamed for shard_frames, or none when not current. */
  private static Dataset<Row> morphColumns(SparkSession spark, String output, Morphable m) {
    StructType keys = new StructType().add("clip_id", DataTypes.StringType, false)
        .add("frame_index", DataTypes.IntegerType, false);
    List<Column> select = new ArrayList<>(List.of(col("clip_id"), col("frame_index")));
    for (StructField f : MorphableSchemas.FRAMES.struct().fields()) {
      if (!keys.getFieldIndex(f.name()).isDefined() && !f.name().equals("segment")) {
        select.add(col(f.name()).as(ShardsSchemas.MORPH_PREFIX + f.name()));
        keys = keys.add(ShardsSchemas.MORPH_PREFIX + f.name(), f.dataType(), true);
      }
    }
    if (!m.current()) {
      return spark.createDataFrame(List.of(), keys);
    }
    return StageTables.current(spark, output, MorphableSchemas.FRAMES)
        .select(select.toArray(new Column[0]));
  }

  private static String digestIn(FileSystem fs, Path json) throws IOException {
    try (var in = fs.open(json)) {
      Matcher m = DIGEST.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      return m.find() ? m.group(1) : null;
    }
  }

  private static void write(FileSystem fs, Path p, String text) throws IOException {
    try (OutputStream out = fs.create(p, false)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  static Column[] cols(String first, String... rest) {
    Column[] c = new Column[rest.length + 1];
    c[0] = col(first);
    for (int i = 0; i < rest.length; i++) {
      c[i + 1] = col(rest[i]);
    }
    return c;
  }

  private static String[] concat(String first, List<String> rest) {
    List<String> l = new ArrayList<>();
    l.add(first);
    l.addAll(rest);
    return l.toArray(new String[0]);
  }

  static scala.collection.immutable.Seq<String> seq(String... names) {
    return scala.jdk.javaapi.CollectionConverters.asScala(List.of(names)).toSeq();
  }
}
