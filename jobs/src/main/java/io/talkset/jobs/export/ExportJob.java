package io.talkset.jobs.export;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sequence;

import io.talkset.core.hashing.Sha256;
import io.talkset.core.shards.SpeakerSplit;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.io.HadoopConf;
import io.talkset.jobs.io.Json;
import io.talkset.jobs.io.StageTables;
import io.talkset.jobs.io.TableCommitter;
import io.talkset.jobs.runtime.Job;
import io.talkset.jobs.runtime.Version;
import io.talkset.schemas.ClipsSchema;
import io.talkset.schemas.CurationSchemas;
import io.talkset.schemas.ShardsSchemas;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The export job (not a stage of {@code talkset run}): the dataset that shards wrote, in the
 * layouts training code reads (see {@link ExportConfig.Format}), one sample per clip or per
 * training window of the dataset's windows table ({@link ExportConfig.Sample}). One task writes
 * each clip's files (or each of its windows'), streaming its frames in order
 * ({@link ClipWriter}); for WebDataset each sample is
 * written as its own run of tar members and the driver then cuts the split's samples, in key
 * order, into shards that tasks assemble by concatenation, so shard names and bytes depend only
 * on the samples and the size limit. Everything is written under a hidden staging folder beside
 * the output and swapped in whole; a re-run over the same dataset with the same settings and
 * code keeps the export.
 */
public final class ExportJob implements Job {
  public static final String DESCRIPTION = "export.json";
  public static final String SUCCESS = "_SUCCESS";
  public static final String FILELIST = "filelist.txt";
  static final String SAMPLES = "_samples";
  /** A split's windows table (shards --window-seconds). */
  static final String WINDOWS = "windows";
  private static final Pattern DIGEST = Pattern.compile("\"(input|export)_digest\"\\s*:\\s*"
      + "\"([0-9a-f]+)\"");

  /** What one sample gave: a clip, or one of its windows ({@code windowId} not null). */
  public record Exported(String split, String clipId, String status, String error, int frames,
      int faceFrames, boolean audio, long bytes, String file, String windowId)
      implements java.io.Serializable {
    /** The sample's id: its window's, or its clip's. */
    public String id() {
      return windowId == null ? clipId : windowId;
    }
  }

  /**
   * A clip as its task needs it, from the dataset's clips and curation tables and the manifest.
   *
   * @param audioShift curation.audio_shift_frames: the audio is cut shifted by it
   */
  record ClipInfo(String split, String clipId, String path, long size, int first, int last,
      LinkedHashMap<String, String> meta, int audioShift) implements java.io.Serializable {}

  /**
   * What a run did.
   *
   * @param skipped the export was already written from the same dataset and settings
   * @param shards per split, the shard files (webdataset)
   * @param clips one per sample: per clip, or per window
   * @param sampling what a sample is and why, in words
   */
  public record Result(boolean skipped, String path, String exportDigest, List<Exported> clips,
      Map<String, List<ShardPlan.Shard>> shards, long bytes, String sampling) {
    public Map<String, Long> byStatus() {
      Map<String, Long> m = new TreeMap<>();
      clips.forEach(c -> m.merge(c.status(), 1L, Long::sum));
      return m;
    }
  }

  private static final String[] META = {"dataset", "speaker", "gender", "emotion", "intensity",
      "sentence_key", "view", "take", "transcript"};

  @Override
  public String name() {
    return "export";
  }

  @Override
  public String summary() {
    return "the written dataset as WebDataset tar shards, MP4s with file lists, or frame"
        + " folders, per clip or per training window (OUTPUT/exports/FORMAT); not part of run";
  }

  @Override
  public Options options() {
    return ExportConfig.options();
  }

  @Override
  public void validate(Options.Parsed args) {
    ExportConfig.from(args);
  }

  @Override
  public String run(SparkSession spark, Options.Parsed args) throws Exception {
    ExportConfig cfg = ExportConfig.from(args);
    Result r = process(spark, cfg);
    if (r.skipped()) {
      return "export: dataset and settings unchanged (export digest "
          + r.exportDigest().substring(0, 12) + "), export kept\n  export: " + r.path()
          + "\n  samples: " + r.sampling() + "\n";
    }
    long frames = r.clips().stream().mapToLong(Exported::frames).sum();
    long shards = r.shards().values().stream().mapToLong(List::size).sum();
    long silent = r.clips().stream().filter(c -> c.status().equals("ok") && !c.audio()).count();
    long windows = r.clips().stream().filter(c -> c.windowId() != null).count();
    return String.format(Locale.ROOT, "export %s (%s): %d clip(s), %s%d frames%s, %d bytes;"
        + " by status %s%s%n  export: %s%n  samples: %s%n", cfg.format().id(), cfg.view().name()
        .toLowerCase(Locale.ROOT), r.clips().stream().map(Exported::clipId).distinct().count(),
        windows > 0 ? windows + " window(s), " : "", frames,
        cfg.format() == ExportConfig.Format.WEBDATASET ? ", " + shards + " shard(s)" : "",
        r.bytes(), r.byStatus(), silent > 0 ? "; " + silent + " without audio" : "", r.path(),
        r.sampling());
  }

  public static Result process(SparkSession spark, ExportConfig asked) throws Exception {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    Path dataset = TableCommitter.location(asked.output(), "dataset");
    FileSystem dfs = dataset.getFileSystem(hconf);
    Path datasetJson = new Path(dataset, "dataset.json");
    if (!dfs.exists(new Path(dataset, SUCCESS)) || !dfs.exists(datasetJson)) {
      throw new IllegalStateException("export: no complete dataset under " + dataset
          + " (dataset.json and _SUCCESS): run shards first");
    }
    // Shards writes a windows table in every split with --window-seconds, none without.
    boolean hasWindows = false;
    for (String s : SpeakerSplit.NAMES) {
      hasWindows |= dfs.exists(new Path(new Path(dataset, s), WINDOWS));
    }
    if (asked.sample() == ExportConfig.Sample.WINDOW && !hasWindows) {
      throw new IllegalArgumentException("export: --sample window, but the dataset under "
          + dataset + " has no windows table: write it with shards --window-seconds S, or"
          + " export with --sample clip");
    }
    ExportConfig cfg = asked.sample() != null ? asked : asked.withSample(hasWindows
        ? ExportConfig.Sample.WINDOW : ExportConfig.Sample.CLIP);
    String sampling = "one per " + cfg.sample().id() + (asked.sample() != null
        ? " (--sample " + cfg.sample().id() + ")" : hasWindows
        ? " (default: the dataset has a windows table; --sample clip for whole clips)"
        : " (default: the dataset has no windows table)");
    Map<String, Object> keyed = new LinkedHashMap<>();
    keyed.put("dataset_digest", digestIn(dfs, datasetJson));
    keyed.put("parameters", cfg.describe());
    keyed.put("talkset_version", Version.get());
    String exportDigest = Sha256.hex(Json.write(keyed));
    Path target = new Path(cfg.exportOutput());
    TableCommitter committer = new TableCommitter(hconf, target.getParent().toString(),
        target.getName());
    FileSystem fs = files(target, hconf);
    Path description = new Path(target, DESCRIPTION);
    if (fs.exists(new Path(target, SUCCESS)) && fs.exists(description)
        && exportDigest.equals(digestIn(fs, description))) {
      return new Result(true, target.toString(), exportDigest, List.of(), Map.of(), 0,
          sampling);
    }

    // Clips with frame rows, their span on the grid and their metadata, on the driver.
    Dataset<Row> frames = null;
    Dataset<Row> clips = null;
    for (String s : SpeakerSplit.NAMES) {
      Path split = new Path(dataset, s);
      Dataset<Row> f = spark.read().schema(ShardsSchemas.FRAMES.struct())
          .parquet(new Path(split, "frames").toString()).withColumn("split", lit(s));
      Dataset<Row> c = spark.read().schema(ShardsSchemas.CLIPS.struct())
          .parquet(new Path(split, "clips").toString()).withColumn("split", lit(s));
      frames = frames == null ? f : frames.unionByName(f);
      clips = clips == null ? c : clips.unionByName(c);
    }
    Map<String, Row> spans = new HashMap<>();
    for (Row r : frames.groupBy("clip_id").agg(min("frame_index"), max("frame_index"),
        count(lit(1))).collectAsList()) {
      spans.put(r.getString(0), r);
    }
    List<String> ids = new ArrayList<>(spans.keySet());
    Map<String, Long> sizes = new HashMap<>();
    if (!ids.isEmpty()) {
      for (Row r : spark.read().schema(ClipsSchema.SCHEMA.struct())
          .parquet(TableCommitter.location(cfg.output(), ClipsSchema.SCHEMA.table()).toString())
          .filter(col("clip_id").isin(ids.toArray())).select("clip_id", "size")
          .collectAsList()) {
        sizes.put(r.getString(0), r.getLong(1));
      }
    }
    // The clips the sync rule re-timed: their audio is cut shifted, as their features were.
    // A dataset from before curation v2 has no such column: read as null, no clip re-timed.
    Map<String, Integer> shifts = new HashMap<>();
    for (Row r : spark.read().schema(CurationSchemas.CURATION.struct())
        .parquet(new Path(dataset, "curation").toString())
        .filter(col("audio_shift_frames").notEqual(0))
        .select("clip_id", "audio_shift_frames").distinct().collectAsList()) {
      shifts.put(r.getString(0), r.getInt(1));
    }
    String[] clipCols = new String[META.length + 2];
    clipCols[0] = "split";
    clipCols[1] = "path";
    System.arraycopy(META, 0, clipCols, 2, META.length);
    HashMap<String, ClipInfo> info = new HashMap<>();
    for (Row r : clips.select("clip_id", clipCols).collectAsList()) {
      Row span = spans.get(r.getString(0));
      if (span == null) {
        continue; // No face frames (an audio-only clip): nothing to picture.
      }
      LinkedHashMap<String, String> meta = new LinkedHashMap<>();
      for (int i = 0; i < META.length; i++) {
        meta.put(META[i], r.getString(3 + i));
      }
      Long size = sizes.get(r.getString(0));
      info.put(r.getString(0), new ClipInfo(r.getString(1), r.getString(0), r.getString(2),
          size == null ? -1 : size, span.getInt(1), span.getInt(2), meta,
          shifts.getOrDefault(r.getString(0), 0)));
    }

    // Per window: the windows table, one row per (window, frame), its frames joined to it.
    Dataset<Row> windows = null;
    if (cfg.perWindow()) {
      for (String s : SpeakerSplit.NAMES) {
        Path w = new Path(new Path(dataset, s), WINDOWS);
        if (dfs.exists(w)) {
          Dataset<Row> d = spark.read().schema(CurationSchemas.WINDOWS.struct())
              .parquet(w.toString()).withColumn("split", lit(s));
          windows = windows == null ? d : windows.unionByName(d);
        }
      }
    }

    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(hconf));
    Broadcast<HashMap<String, ClipInfo>> infos = jsc.broadcast(info);
    Path staging = committer.newStaging();
    String stagingUri = staging.toString();
    try {
      fs.mkdirs(staging);
      List<Exported> done = new ArrayList<>();
      if (!info.isEmpty()) {
        // A semi join, not an isin list: a dataset may hold many thousands of clips.
        Dataset<Row> wanted = spark.createDataset(new ArrayList<>(info.keySet()),
            org.apache.spark.sql.Encoders.STRING()).toDF("clip_id");
        List<String> columns = new ArrayList<>(ClipWriter.COLUMNS);
        Dataset<Row> rows = frames.join(org.apache.spark.sql.functions.broadcast(wanted),
            seq("clip_id"), "left_semi").select(cols(columns));
        String[] order = {"clip_id", "frame_index"};
        if (cfg.perWindow()) {
          // A frame of overlapping windows goes once into each; a clip's windows stay in one
          // task, one after another, so its audio is decoded once.
          Dataset<Row> perFrame = windows.select(col("window_id"), col("clip_id"), col("segment"),
              col("first_frame").as("window_first"), col("last_frame").as("window_last"))
              .withColumn("frame_index", explode(sequence(col("window_first"),
                  col("window_last"))));
          columns.addAll(ClipWriter.WINDOW_COLUMNS);
          rows = rows.join(perFrame, seq("clip_id", "frame_index"), "inner").select(cols(columns));
          order = new String[] {"clip_id", "window_id", "frame_index"};
        }
        done.addAll(rows
            .repartition(StageTables.slices(jsc, info.size(), cfg.partitions()), col("clip_id"))
            .sortWithinPartitions(order[0], java.util.Arrays.copyOfRange(order, 1, order.length))
            .javaRDD()
            .mapPartitions(it -> ClipWriter.all(it, cfg, infos.value(), stagingUri,
                conf.value()))
            .collect());
      }
      if (cfg.perWindow()) {
        // Every window of the table is a sample: one whose frames are not in the dataset is
        // reported, not lost.
        java.util.Set<String> written = new java.util.HashSet<>();
        done.forEach(e -> written.add(e.windowId()));
        for (Row w : windows.select("split", "clip_id", "window_id", "frames").collectAsList()) {
          if (!written.contains(w.getString(2))) {
            done.add(new Exported(w.getString(0), w.getString(1), "failed", "no frame rows in"
                + " the dataset for this window", w.getInt(3), 0, false, 0, null,
                w.getString(2)));
          }
        }
      }
      // Key order (SPLIT/ID): the order of the shards' samples and of the file lists.
      done.sort(Comparator.comparing(Exported::split).thenComparing(Exported::id));

      Map<String, List<ShardPlan.Shard>> shards = new LinkedHashMap<>();
      Map<String, Map<String, Object>> counts = new LinkedHashMap<>();
      long bytes = 0;
      for (String s : SpeakerSplit.NAMES) {
        List<Exported> ok = done.stream().filter(e -> e.split().equals(s)
            && e.status().equals("ok")).toList();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("clips", ok.stream().map(Exported::clipId).distinct().count());
        if (cfg.perWindow()) {
          c.put("windows", ok.size());
        }
        c.put("frames", ok.stream().mapToLong(Exported::frames).sum());
        c.put("face_frames", ok.stream().mapToLong(Exported::faceFrames).sum());
        c.put("clips_without_audio", ok.stream().filter(e -> !e.audio()).count());
        switch (cfg.format()) {
          case WEBDATASET -> {
            List<ShardPlan.Sample> samples = new ArrayList<>();
            for (Exported e : ok) {
              samples.add(new ShardPlan.Sample(SampleNames.key(s, e.id()), e.file(),
                  e.bytes()));
            }
            List<ShardPlan.Shard> cut = ShardPlan.cut(s, samples, cfg.shardBytes());
            shards.put(s, cut);
            c.put("shards", cut.size());
            c.put("bytes", cut.stream().mapToLong(ShardPlan.Shard::bytes).sum());
          }
          default -> {
            // Lines relative to the list's own folder: Wav2Lip's data_root is the split folder
            // (per window CLIP_ID/WINDOW_ID, as its SPEAKER/VIDEO lines).
            StringBuilder list = new StringBuilder();
            for (Exported e : ok) {
              String name = e.windowId() == null ? e.clipId() : e.clipId() + "/" + e.windowId();
              list.append(cfg.format() == ExportConfig.Format.CLIPS ? name + ".mp4" : name)
                  .append('\n');
            }
            write(fs, new Path(new Path(staging, s), FILELIST), list.toString());
            c.put("bytes", ok.stream().mapToLong(Exported::bytes).sum());
          }
        }
        bytes += (long) c.get("bytes");
        counts.put(s, c);
      }
      if (cfg.format() == ExportConfig.Format.WEBDATASET) {
        List<ShardPlan.Shard> all = new ArrayList<>();
        shards.values().forEach(all::addAll);
        if (!all.isEmpty()) {
          jsc.parallelize(all, Math.max(1, Math.min(all.size(), jsc.defaultParallelism())))
              .foreach(sh -> assemble(sh, stagingUri, conf.value()));
        }
        fs.delete(new Path(staging, SAMPLES), true);
      }

      Map<String, Object> d = new LinkedHashMap<>();
      d.put("export", cfg.format().id());
      d.put("layout", layout(cfg));
      d.put("written_at", Instant.now().toString());
      d.put("talkset_version", Version.get());
      d.put("export_digest", exportDigest);
      d.put("dataset", dataset.toString());
      d.put("dataset_digest", keyed.get("dataset_digest"));
      d.put("parameters", cfg.describe());
      d.put("sample", cfg.sample().id());
      d.put("sampling", sampling);
      d.put("counts", counts);
      if (cfg.format() == ExportConfig.Format.WEBDATASET) {
        Map<String, Object> files = new LinkedHashMap<>();
        shards.forEach((s, l) -> files.put(s, l.stream().map(sh -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("name", sh.name());
          m.put("samples", sh.samples().size());
          m.put("bytes", sh.bytes());
          return m;
        }).toList()));
        d.put("shards", files);
      }
      d.put("failed", done.stream().filter(e -> !e.status().equals("ok"))
          .map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clip_id", e.clipId());
            if (e.windowId() != null) {
              m.put("window_id", e.windowId());
            }
            m.put("error", String.valueOf(e.error()));
            return m;
          }).toList());
      write(fs, new Path(staging, DESCRIPTION), Json.write(d));
      write(fs, new Path(staging, SUCCESS), "");
      committer.swapIn(staging);
      return new Result(false, target.toString(), exportDigest, done, shards, bytes, sampling);
    } finally {
      if (fs.exists(staging)) {
        fs.delete(staging, true);
      }
      infos.destroy();
    }
  }

  /**
   * The file system the export's files are written with: on a local disk the raw one, since
   * Hadoop's checksummed local file system would put a hidden {@code .NAME.crc} beside every
   * JPEG and shard, files no training loader expects.
   */
  static FileSystem files(Path p, Configuration conf) throws IOException {
    FileSystem fs = p.getFileSystem(conf);
    return fs instanceof org.apache.hadoop.fs.LocalFileSystem local ? local.getRawFileSystem()
        : fs;
  }

  /** One shard: its samples' member runs in order, then the end-of-archive blocks. */
  static void assemble(ShardPlan.Shard shard, String staging, HadoopConf conf)
      throws IOException {
    Path to = new Path(staging, shard.name());
    FileSystem fs = files(to, conf.get());
    try (OutputStream out = fs.create(to, true)) {
      for (ShardPlan.Sample s : shard.samples()) {
        try (InputStream in = fs.open(new Path(s.file()))) {
          in.transferTo(out);
        }
      }
      new io.talkset.core.export.TarWriter(out).finish();
    }
  }

  private static scala.collection.immutable.Seq<String> seq(String... names) {
    return scala.jdk.javaapi.CollectionConverters.asScala(List.of(names)).toSeq();
  }

  private static org.apache.spark.sql.Column[] cols(List<String> names) {
    return names.stream().map(org.apache.spark.sql.functions::col)
        .toArray(org.apache.spark.sql.Column[]::new);
  }

  static String layout(ExportConfig cfg) {
    if (cfg.perWindow()) {
      // Per window: a window's frames are video frames 0 .. frames - 1, its audio its own range.
      String w = " (a training window: frames first_frame .. last_frame of the windows table,"
          + " video frame 0 = first_frame)";
      return switch (cfg.format()) {
        case WEBDATASET -> "SPLIT-NNNNNN.tar (POSIX ustar), one sample per window" + w
            + ", samples in key order, key SPLIT/WINDOW_ID; members per sample: "
            + members(cfg);
        case CLIPS -> "SPLIT/CLIP_ID/WINDOW_ID.mp4 (H.264 + AAC 16 kHz)" + w
            + ", SPLIT/filelist.txt (CLIP_ID/WINDOW_ID.mp4 per line, relative to the split"
            + " folder)";
        case FRAMES -> "SPLIT/CLIP_ID/WINDOW_ID/NNNNN.jpg (" + picture(cfg) + " of video frame"
            + " NNNNN)" + w + ", SPLIT/CLIP_ID/WINDOW_ID/audio.wav, .../params.npz,"
            + " .../window.json, SPLIT/filelist.txt (CLIP_ID/WINDOW_ID per line)";
      };
    }
    return switch (cfg.format()) {
      case WEBDATASET -> "SPLIT-NNNNNN.tar (POSIX ustar), samples in key order, key SPLIT/CLIP_ID;"
          + " members per sample: " + members(cfg);
      case CLIPS -> "SPLIT/CLIP_ID.mp4 (H.264 + AAC 16 kHz), SPLIT/filelist.txt (CLIP_ID.mp4"
          + " per line, relative to the split folder)";
      case FRAMES -> "SPLIT/CLIP_ID/NNNNN.jpg (" + picture(cfg) + " of video frame NNNNN),"
          + " SPLIT/CLIP_ID/audio.wav, SPLIT/CLIP_ID/params.npz, SPLIT/CLIP_ID/clip.json,"
          + " SPLIT/filelist.txt (CLIP_ID per line)";
    };
  }

  private static String picture(ExportConfig cfg) {
    return cfg.view() == ExportConfig.View.FACE ? "the stored crop" : "the view";
  }

  private static String members(ExportConfig cfg) {
    return (cfg.media() == ExportConfig.Media.MP4 ? "KEY.mp4"
          : "KEY.NNNNN.jpg (video frame NNNNN" + (cfg.view() == ExportConfig.View.FACE
          ? ")" : ", the view re-encoded)")) + ", KEY.json, KEY.wav, KEY.FIELD.npy for"
          + " frame_index, face, " + String.join(", ", FrameArrays.FIELDS) + " (those present)";
  }

  private static String digestIn(FileSystem fs, Path json) throws IOException {
    try (var in = fs.open(json)) {
      Matcher m = DIGEST.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      return m.find() ? m.group(2) : null;
    }
  }

  private static void write(FileSystem fs, Path p, String text) throws IOException {
    try (OutputStream out = fs.create(p, true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
