package io.talkset.jobs.shards;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.media.FfmpegProber;
import io.talkset.core.shards.SpeakerSplit;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.audio.AudioConfig;
import io.talkset.jobs.audio.AudioJob;
import io.talkset.jobs.crawl.CrawlConfig;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.jobs.frames.FramesConfig;
import io.talkset.jobs.frames.FramesJob;
import io.talkset.jobs.pairs.PairsConfig;
import io.talkset.jobs.pairs.PairsJob;
import io.talkset.jobs.params.ParamsConfig;
import io.talkset.jobs.io.StageTables;
import io.talkset.jobs.io.TableCommitter;
import io.talkset.jobs.morphable.MorphableConfig;
import io.talkset.jobs.morphable.MorphableJob;
import io.talkset.jobs.params.ParamsJob;
import io.talkset.schemas.ParamsSchemas;
import io.talkset.testing.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shards stage after every real stage (crawl, audio, frames, params, pairs) on real media:
 * four speakers in RAVDESS names (Allison's takes as audio-only speech; movie-hello's MP4 and
 * AVI encodings as one actor's neutral and angry video takes) plus a generic video, so there
 * are pairs with and without face frames, and speakers enough to fill three splits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShardsJobSuite {
  private final SparkSession spark = SparkTestSession.get();
  @TempDir static Path in;
  @TempDir static Path out;
  /** A salt that puts the four speakers into all three splits (found from SpeakerSplit). */
  private String salt;
  private static final double[] RATIOS = {0.5, 0.25, 0.25};
  /** The prompt list's text of the neutral take, as its sidecar transcript. */
  private static final String TRANSCRIPT =
      "the conference will begin when our glorious leader arrives";
  private static final List<String[]> SPEAKERS = List.of(new String[] {"ravdess", "Actor_01"},
      new String[] {"ravdess", "Actor_02"}, new String[] {"ravdess", "Actor_03"},
      new String[] {"generic", "talks"});

  /** Every face frame kept: this suite checks the join, split and files, not curation. */
  static ShardsConfig config(Path out, String... extra) {
    String[] args = Stream.concat(Stream.of("--output", out.toString(), "--curate", "none"),
        Stream.of(extra)).toArray(String[]::new);
    return ShardsConfig.from(ShardsConfig.options().parse(args));
  }

  @BeforeAll
  void stages() throws Exception {
    Path a1 = Files.createDirectories(in.resolve("Actor_01"));
    Files.copy(Samples.get("speech/allison/confbridge-begin-glorious-a.wav"),
        a1.resolve("03-01-01-01-01-01-01.wav"));
    Files.copy(Samples.get("speech/allison/confbridge-begin-glorious-b.wav"),
        a1.resolve("03-01-05-01-01-01-01.wav"));
    Files.writeString(a1.resolve("03-01-01-01-01-01-01.txt"), TRANSCRIPT);
    Path a2 = Files.createDirectories(in.resolve("Actor_02"));
    Files.copy(Samples.get("video/forensics/movie-hello.mp4"),
        a2.resolve("01-01-01-01-01-01-02.mp4"));
    Files.copy(Samples.get("video/forensics/movie-hello.avi"),
        a2.resolve("01-01-05-01-01-01-02.avi"));
    Path a3 = Files.createDirectories(in.resolve("Actor_03"));
    Files.copy(Samples.get("speech/allison/confbridge-begin-glorious-c.wav"),
        a3.resolve("03-01-01-01-01-01-03.wav"));
    Files.copy(Samples.get("speech/allison/confbridge-begin-leader.wav"),
        a3.resolve("03-01-04-01-01-01-03.wav"));
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"),
        Files.createDirectories(in.resolve("talks")).resolve("movie.avi"));

    CrawlJob.crawl(spark, new CrawlConfig(List.of(in.toString()), out.toString(),
        MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
        FfmpegProber.FrameCount.ESTIMATE, 0, false));
    AudioJob.process(spark, new AudioConfig(out.toString(), false, 120_000, 0));
    String models = Samples.models().toString();
    FramesJob.process(spark, FramesConfig.from(FramesConfig.options().parse(
        new String[] {"--output", out.toString(), "--models", models})));
    ParamsJob.process(spark, ParamsConfig.from(ParamsConfig.options().parse(
        new String[] {"--output", out.toString(), "--models", models})));
    PairsJob.process(spark, PairsConfig.from(PairsConfig.options().parse(
        new String[] {"--output", out.toString()})));
    for (int i = 0; salt == null; i++) {
      Set<String> hit = new HashSet<>();
      for (String[] s : SPEAKERS) {
        hit.add(new SpeakerSplit(RATIOS, "s" + i).splitOf(s[0], s[1]));
      }
      if (hit.size() == 3) {
        salt = "s" + i;
      }
    }
  }

  Dataset<Row> split(String s, String table) {
    return spark.read().parquet(out.resolve("dataset").resolve(s).resolve(table).toString());
  }

  /** Parquet files of a split's table, in part order. */
  List<Path> parts(String s, String table) throws Exception {
    try (Stream<Path> l = Files.list(out.resolve("dataset").resolve(s).resolve(table))) {
      return l.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
  }

  /** A row's list of floats, or null. */
  static List<Object> list(Row r, String column) {
    return r.isNullAt(r.fieldIndex(column)) ? null : r.getList(r.fieldIndex(column));
  }

  static String key(String clip, int frame) {
    return String.format("%s/%08d", clip, frame);
  }

  @Test
  void splitsBySpeakerAndKeepsEverySourceRowOnceSortedAndJoined() throws Exception {
    long t0 = System.nanoTime();
    ShardsJob.Result r = ShardsJob.process(spark, config(out, "--split-ratios", "0.5,0.25,0.25",
        "--split-salt", salt));
    assertFalse(r.skipped());
    System.out.printf("shards: %.1f s; counts %s; speakers %s%n", (System.nanoTime() - t0) / 1e9,
        r.counts(), r.speakers());

    // The sources, collected once (a few hundred frames).
    Map<String, Row> sourceFrames = new HashMap<>();
    for (Row x : spark.read().parquet(out.resolve("frames").toString())
        .select("clip_id", "frame_index", "jpeg", "yaw_deg").collectAsList()) {
      sourceFrames.put(key(x.getString(0), x.getInt(1)), x);
    }
    Map<String, Row> params = new HashMap<>();
    for (Row x : spark.read().parquet(out.resolve("face_params").toString())
        .select("clip_id", "frame_index", "landmarks_crop", "yaw_deg", "mesh", "mesh_confidence")
        .collectAsList()) {
      params.put(key(x.getString(0), x.getInt(1)), x);
    }
    Map<String, Row> audio = new HashMap<>();
    for (Row x : spark.read().parquet(out.resolve("audio").toString())
        .select("clip_id", "frame_index", "hdtf", "evp").collectAsList()) {
      audio.put(key(x.getString(0), x.getInt(1)), x);
    }
    long okClips = spark.read().parquet(out.resolve("clips").toString())
        .filter(col("status").equalTo("ok")).count();
    Map<String, Row> okPairs = new HashMap<>();
    for (Row p : spark.read().parquet(out.resolve("pairs").toString())
        .filter(col("status").equalTo("ok")).collectAsList()) {
      okPairs.put(p.getString(0), p);
    }
    assertEquals(3, okPairs.size(), "Actor_01 angry, Actor_02 angry, Actor_03 sad vs neutral");

    Map<String, String> splitOfSpeaker = new HashMap<>();
    Set<String> framesSeen = new HashSet<>();
    Set<String> pairsSeen = new HashSet<>();
    long clips = 0;
    long pairFrames = 0;
    for (String s : SpeakerSplit.NAMES) {
      // No speaker in two splits, and each where its hash puts it.
      List<Row> clipRows = split(s, "clips").collectAsList();
      assertEquals((long) r.counts().get(s).get("clips"), clipRows.size());
      clips += clipRows.size();
      for (Row c : clipRows) {
        String path = c.getString(c.fieldIndex("path"));
        assertEquals(path.endsWith("/03-01-01-01-01-01-01.wav") ? TRANSCRIPT : null,
            c.getString(c.fieldIndex("transcript")), path);
        String sp = c.getString(c.fieldIndex("dataset")) + "/"
            + c.getString(c.fieldIndex("speaker"));
        String before = splitOfSpeaker.put(sp, s);
        assertTrue(before == null || before.equals(s), sp + " in " + before + " and " + s);
        assertEquals(new SpeakerSplit(RATIOS, salt).splitOf(c.getString(c.fieldIndex("dataset")),
            c.getString(c.fieldIndex("speaker"))), s);
      }

      // Frames: sorted by clip and frame across the split's files, each clip in one file, each
      // row the source frame with its params and the selected audio.
      List<String> order = new ArrayList<>();
      Map<String, Integer> fileOfClip = new HashMap<>();
      List<Path> files = parts(s, "frames");
      for (int f = 0; f < files.size(); f++) {
        for (Row x : spark.read().parquet(files.get(f).toString()).collectAsList()) {
          String clip = x.getString(x.fieldIndex("clip_id"));
          String k = key(clip, x.getInt(x.fieldIndex("frame_index")));
          order.add(k);
          Integer before = fileOfClip.put(clip, f);
          assertTrue(before == null || before == f, "clip " + clip + " in two files");
          assertEquals(s, splitOfSpeaker.get(x.getString(x.fieldIndex("dataset")) + "/"
              + x.getString(x.fieldIndex("speaker"))));
          Row src = sourceFrames.get(k);
          assertNotNull(src, k);
          assertArrayEquals((byte[]) src.get(2), (byte[]) x.get(x.fieldIndex("jpeg")), k);
          assertEquals(src.get(3), x.get(x.fieldIndex("detector_yaw_deg")));
          Row p = params.get(k);
          assertNotNull(p, "every face frame has params: " + k);
          assertEquals(p.getList(2), list(x, "landmarks_crop"));
          assertEquals(p.get(3), x.get(x.fieldIndex("yaw_deg")));
          // face_params v2's mesh travels with the frame.
          assertEquals(1404, p.getList(4).size(), k);
          assertEquals(p.getList(4), list(x, "mesh"));
          assertEquals(p.get(5), x.get(x.fieldIndex("mesh_confidence")));
          Row a = audio.get(k);
          assertNotNull(a, "every face frame has audio: " + k);
          assertEquals(a.getList(2), list(x, "hdtf"));
          assertEquals(a.getList(3), list(x, "evp"));
          assertTrue(x.isNullAt(x.fieldIndex("wav2lip")), "wav2lip not selected");
        }
      }
      assertEquals((long) r.counts().get(s).get("frames"), order.size());
      List<String> sorted = new ArrayList<>(order);
      sorted.sort(null);
      assertEquals(sorted, order, s + " frames not sorted by clip_id, frame_index");
      framesSeen.addAll(order);

      // pair_frames: one row per reference frame of each pair, the other frame from the map.
      Map<String, List<Row>> byPair = new HashMap<>();
      for (Row x : split(s, "pair_frames").collectAsList()) {
        byPair.computeIfAbsent(x.getString(0), k -> new ArrayList<>()).add(x);
        pairFrames++;
      }
      for (Row p : split(s, "pairs").collectAsList()) {
        String id = p.getString(p.fieldIndex("pair_id"));
        assertTrue(pairsSeen.add(id));
        assertEquals(s, splitOfSpeaker.get(p.getString(p.fieldIndex("dataset")) + "/"
            + p.getString(p.fieldIndex("speaker"))));
        List<Integer> map = p.getList(p.fieldIndex("reference_map"));
        List<Row> rows = byPair.remove(id);
        assertEquals(p.getInt(p.fieldIndex("reference_frames")), rows.size());
        for (int i = 0; i < rows.size(); i++) {
          Row x = rows.get(i);
          assertEquals(i, x.getInt(x.fieldIndex("reference_frame_index")), "sorted by frame");
          assertEquals(map.get(i), x.getInt(x.fieldIndex("other_frame_index")));
          assertEquals(p.getString(p.fieldIndex("other_clip_id")),
              x.getString(x.fieldIndex("other_clip_id")));
        }
      }
      assertEquals(Map.of(), byPair, "pair_frames of pairs not in the split");
    }
    // Counts match the source tables: every ok clip, face frame and ok pair exactly once.
    assertEquals(4, splitOfSpeaker.size());
    assertEquals(okClips, clips);
    assertEquals(sourceFrames.keySet(), framesSeen);
    assertTrue(framesSeen.size() > 400, "three face videos: " + framesSeen.size());
    assertEquals(okPairs.keySet(), pairsSeen);
    assertEquals(okPairs.values().stream().mapToLong(p -> p.getInt(p.fieldIndex(
        "reference_frames"))).sum(), pairFrames);

    // The training view over a split: both sides' crops by reference, equal to the sources.
    String videoSplit = splitOfSpeaker.get("ravdess/Actor_02");
    List<Row> view = TrainingView.pairFrames(spark,
        out.resolve("dataset").resolve(videoSplit).toString(), "jpeg", "landmarks_crop", "hdtf")
        .filter(col("speaker").equalTo("Actor_02")).collectAsList();
    assertTrue(view.size() > 150, "movie-hello has ~208 frames: " + view.size());
    int both = 0;
    for (Row v : view) {
      Row ref = sourceFrames.get(key(v.getString(v.fieldIndex("reference_clip_id")),
          v.getInt(v.fieldIndex("reference_frame_index"))));
      Row oth = sourceFrames.get(key(v.getString(v.fieldIndex("other_clip_id")),
          v.getInt(v.fieldIndex("other_frame_index"))));
      assertEquals(ref == null, v.isNullAt(v.fieldIndex("reference_jpeg")));
      assertEquals(oth == null, v.isNullAt(v.fieldIndex("other_jpeg")));
      if (ref != null && oth != null) {
        both++;
        assertArrayEquals((byte[]) ref.get(2), (byte[]) v.get(v.fieldIndex("reference_jpeg")));
        assertArrayEquals((byte[]) oth.get(2), (byte[]) v.get(v.fieldIndex("other_jpeg")));
      }
    }
    assertTrue(both > view.size() * 0.8, both + " of " + view.size() + " have two crops");
    // The same view straight from the stage tables: the same rows.
    Dataset<Row> fromStages = TrainingView.pairFramesFromStages(spark, out.toString(), "jpeg",
        "landmarks_crop", "hdtf");
    Dataset<Row> viewDf = TrainingView.pairFrames(spark,
        out.resolve("dataset").resolve(videoSplit).toString(), "jpeg", "landmarks_crop", "hdtf");
    Dataset<Row> sameSpeakers = fromStages.select(viewDf.columns()[0],
        java.util.Arrays.copyOfRange(viewDf.columns(), 1, viewDf.columns().length))
        .filter(col("speaker").isin(r.speakers().get(videoSplit).stream()
            .map(k -> k.substring(k.indexOf('/') + 1)).toArray()));
    assertEquals(0, viewDf.exceptAll(sameSpeakers).count());
    assertEquals(viewDf.count(), sameSpeakers.count());
    // Audio-only pairs keep their keys, with no crop.
    assertEquals(okPairs.values().stream().filter(p -> !p.getString(p.fieldIndex("speaker"))
        .equals("Actor_02")).mapToLong(p -> p.getInt(p.fieldIndex("reference_frames"))).sum(),
        fromStages.filter(col("speaker").notEqual("Actor_02").and(col("reference_jpeg")
            .isNull())).count());

    // dataset.json last, then _SUCCESS; with the digest, counts and speakers.
    Path dataset = out.resolve("dataset");
    long newestPart = 0;
    for (String s : SpeakerSplit.NAMES) {
      for (String t : ShardsJob.TABLES) {
        for (Path p : parts(s, t)) {
          newestPart = Math.max(newestPart, Files.getLastModifiedTime(p).toMillis());
        }
      }
    }
    long described = Files.getLastModifiedTime(dataset.resolve("dataset.json")).toMillis();
    assertTrue(described >= newestPart);
    assertTrue(Files.getLastModifiedTime(dataset.resolve("_SUCCESS")).toMillis() >= described);
    JsonNode d = new ObjectMapper().readTree(dataset.resolve("dataset.json").toFile());
    assertEquals(r.manifestDigest(), d.get("manifest_digest").asText());
    assertEquals(64, d.get("manifest_digest").asText().length());
    assertEquals(r.inputDigest(), d.get("input_digest").asText());
    assertEquals(3, d.get("schema_versions").get("shard_frames").asInt(),
        "morph_* columns: v3");
    assertEquals(1, d.get("schema_versions").get("shard_clips").asInt());
    assertEquals(salt, d.get("parameters").get("split_salt").asText());
    assertEquals("[\"evp\",\"hdtf\"]", d.get("parameters").get("audio_columns").toString());
    // --curate none: every face frame in, every one kept, one kept row per segment.
    assertEquals(sourceFrames.size(), d.get("curation").get("frames_in").asLong());
    assertEquals(sourceFrames.size(), d.get("curation").get("frames_kept").asLong());
    assertEquals("none", d.get("curation").get("applied").asText());
    for (String s : SpeakerSplit.NAMES) {
      for (String t : ShardsJob.TABLES) {
        assertEquals((long) r.counts().get(s).get(t), d.get("counts").get(s).get(t).asLong());
      }
      for (JsonNode sp : d.get("speakers").get(s)) {
        assertEquals(s, splitOfSpeaker.get(sp.asText()));
      }
    }
    assertTrue(d.get("talkset_version").asText().length() > 0);
    try (Stream<Path> l = Files.list(out)) {
      assertEquals(List.of(), l.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(".dataset")).toList(), "no staging left");
    }
  }

  /** SHA-256 over every row of a split table's files, in file and row order. */
  String rowsDigest(String table) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (String s : SpeakerSplit.NAMES) {
      for (Path p : parts(s, table)) {
        for (Row x : spark.read().parquet(p.toString()).collectAsList()) {
          for (int i = 0; i < x.size(); i++) {
            Object v = x.get(i);
            // Binary values print as array identities: digest the JPEG bytes themselves.
            md.update(v instanceof byte[] b ? b : String.valueOf(v).getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
          }
        }
      }
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  /** SHA-256 of every file's bytes under the dataset but dataset.json, with its name. */
  String filesDigest() throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (Stream<Path> all = Files.walk(out.resolve("dataset"))) {
      for (Path p : all.filter(Files::isRegularFile).sorted().toList()) {
        String name = out.resolve("dataset").relativize(p).toString();
        if (!name.equals("dataset.json") && !name.endsWith(".crc")) {
          md.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
          md.update(Files.readAllBytes(p));
        }
      }
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  @Test
  void sameInputsAndSettingsGiveTheSameRowsAndRowGroupsFollowTheSetting() throws Exception {
    String[] small = {"--split-ratios", "0.5,0.25,0.25", "--split-salt", salt,
        "--row-group-mb", "1", "--shard-max-bytes", "4m", "--shard-audio", "hdtf,evp"};
    ShardsJob.Result first = ShardsJob.process(spark, config(out, small));
    assertFalse(first.skipped());
    String bytes = filesDigest();
    String frames = rowsDigest("frames");
    long written = Files.getLastModifiedTime(out.resolve("dataset/dataset.json")).toMillis();

    // Unchanged inputs and settings: kept as is.
    ShardsJob.Result again = ShardsJob.process(spark, config(out, small));
    assertTrue(again.skipped());
    assertEquals(first.inputDigest(), again.inputDigest());
    assertEquals(written,
        Files.getLastModifiedTime(out.resolve("dataset/dataset.json")).toMillis());

    // Rebuilt from scratch: the same files, byte for byte.
    org.apache.commons.io.FileUtils.deleteDirectory(out.resolve("dataset").toFile());
    ShardsJob.Result rebuilt = ShardsJob.process(spark, config(out, small));
    assertFalse(rebuilt.skipped());
    assertEquals(first.inputDigest(), rebuilt.inputDigest());
    assertEquals(bytes, filesDigest());

    // Row groups near 1 MiB, files of whole clips cut near 4 MiB (estimated).
    Configuration conf = new Configuration();
    int groups = 0;
    int files = 0;
    for (String s : SpeakerSplit.NAMES) {
      for (Path p : parts(s, "frames")) {
        files++;
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
            new org.apache.hadoop.fs.Path(p.toString()), conf))) {
          List<BlockMetaData> blocks = reader.getFooter().getBlocks();
          for (int b = 0; b < blocks.size(); b++) {
            long size = blocks.get(b).getTotalByteSize();
            groups++;
            assertTrue(size < 1.3 * (1 << 20), p + " row group " + b + ": " + size + " bytes");
            if (b < blocks.size() - 1) {
              assertTrue(size > 0.6 * (1 << 20), p + " row group " + b + ": " + size);
            }
          }
          String md = reader.getFooter().getFileMetaData().getKeyValueMetaData()
              .get("org.apache.spark.sql.parquet.row.metadata");
          assertNotNull(md);
          assertTrue(md.contains("\"talkset.table\":\"shard_frames\""), md);
        }
      }
    }
    System.out.println("shards: " + files + " frames files, " + groups + " row groups");
    assertTrue(groups > files, "1 MiB row groups split the files");

    // Other file and row-group settings: the same rows in the same order.
    ShardsJob.Result other = ShardsJob.process(spark, config(out, "--split-ratios",
        "0.5,0.25,0.25", "--split-salt", salt, "--shard-audio", "evp,hdtf"));
    assertFalse(other.skipped(), "the row-group size differs");
    assertEquals(frames, rowsDigest("frames"));
  }

  @Test
  void landmarkMeshAndJpegColumnsAreWrittenWithoutADictionaryOthersKeepIt(@TempDir Path tmp)
      throws Exception {
    // Values that repeat, so Parquet would keep a dictionary wherever it is allowed one: only
    // the per-column setting can leave it out, which shows its column paths are the ones
    // Parquet uses for arrays (name.list.element).
    org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
        .add("jpeg", org.apache.spark.sql.types.DataTypes.BinaryType)
        .add("mesh", org.apache.spark.sql.types.DataTypes.createArrayType(
            org.apache.spark.sql.types.DataTypes.FloatType))
        .add("landmarks", org.apache.spark.sql.types.DataTypes.createArrayType(
            org.apache.spark.sql.types.DataTypes.FloatType))
        .add("evp", org.apache.spark.sql.types.DataTypes.createArrayType(
            org.apache.spark.sql.types.DataTypes.FloatType));
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      List<Float> v = List.of((float) (i % 3), 0.5f, (float) (i % 7));
      rows.add(RowFactory.create(new byte[] {(byte) (i % 5)}, v, v, v));
    }
    Path to = tmp.resolve("t");
    spark.createDataFrame(rows, schema).coalesce(1).write()
        .options(ShardsJob.parquet(config(tmp))).parquet(to.toString());
    Map<String, Boolean> dictionary = new HashMap<>();
    try (Stream<Path> files = Files.list(to)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".parquet")).toList()) {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
            new org.apache.hadoop.fs.Path(p.toString()), new Configuration()))) {
          for (BlockMetaData b : reader.getFooter().getBlocks()) {
            b.getColumns().forEach(c -> dictionary.put(c.getPath().toDotString(),
                c.hasDictionaryPage()));
          }
        }
      }
    }
    assertEquals(Map.of("jpeg", false, "mesh.list.element", false,
        "landmarks.list.element", false, "evp.list.element", true), dictionary);
  }

  /** The shard frames' morph_* columns by (clip, frame): the expression coefficients. */
  private Map<String, List<Object>> morphInShards(Path root) {
    Map<String, List<Object>> m = new HashMap<>();
    for (Row f : spark.read().parquet(root.resolve("dataset").resolve("*").resolve("frames")
        .toString()).select("clip_id", "frame_index", "morph_exp_coeffs", "morph_model_id")
        .collectAsList()) {
      m.put(key(f.getString(0), f.getInt(1)), f.isNullAt(2) ? null : f.getList(2));
    }
    return m;
  }

  @Test
  void morphableCoefficientsJoinWhenMadeFromTheseParamsAndStayNullWhenStale(
      @TempDir Path tmp) throws Exception {
    // A copy of the stage tables, so this test's extra runs leave the other tests' root alone.
    Path root = tmp.resolve("root");
    try (Stream<Path> all = Files.walk(out)) {
      for (Path p : all.filter(p -> !out.relativize(p).toString().startsWith("dataset"))
          .toList()) {
        Path to = root.resolve(out.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    String[] at = {"--output", root.toString()};
    MorphableJob.Result learned = MorphableJob.process(spark, MorphableConfig.from(
        MorphableConfig.options().parse(at)));
    assertEquals(null, learned.skipped());
    ShardsJob.process(spark, config(root));

    // Every frame the morphable table has is in the shards with its coefficients, exactly.
    Map<String, List<Object>> table = new HashMap<>();
    for (Row m : spark.read().parquet(root.resolve("face_morphable").toString())
        .select("clip_id", "frame_index", "exp_coeffs").collectAsList()) {
      table.put(key(m.getString(0), m.getInt(1)), m.getList(2));
    }
    Map<String, List<Object>> shards = morphInShards(root);
    assertTrue(table.size() > 100, table.size() + " frames with coefficients");
    for (Map.Entry<String, List<Object>> e : shards.entrySet()) {
      assertEquals(table.get(e.getKey()), e.getValue(), e.getKey());
    }
    assertTrue(shards.keySet().containsAll(table.keySet()));
    assertEquals(1, spark.read().parquet(root.resolve("dataset/train/frames").toString())
        .filter(col("morph_model_id").isNotNull()).select("morph_model_id").distinct().count());
    JsonNode d = new ObjectMapper().readTree(root.resolve("dataset/dataset.json").toFile());
    assertTrue(d.get("morphable").get("current").asBoolean());
    assertEquals(learned.modelId(), d.get("morphable").get("model_id").asText());

    // The params stage runs one clip again (its last attempt failed; retried by default): the
    // coefficients belong to rows that are no longer the current ones, so none is joined.
    Row clip = spark.read().parquet(root.resolve("face_params_clips").toString())
        .filter(col("status").equalTo("ok").and(col("frames").gt(0))).first();
    String batch = StageTables.newBatchId();
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    new TableCommitter(hconf, root.toUri().toString(), ParamsSchemas.PARAMS.table())
        .appendBatch(spark.createDataFrame(List.of(), ParamsSchemas.PARAMS.struct()), batch,
            "{}");
    Object[] failed = new Object[ParamsSchemas.CLIPS.struct().size()];
    failed[0] = clip.getString(0);
    failed[1] = "failed";
    failed[ParamsSchemas.CLIPS.struct().fieldIndex("processed_at")] =
        new java.sql.Timestamp(System.currentTimeMillis());
    new TableCommitter(hconf, root.toUri().toString(), ParamsSchemas.CLIPS.table())
        .appendBatch(spark.createDataFrame(List.of(RowFactory.create(failed)),
            ParamsSchemas.CLIPS.struct()), batch, "{}");
    String[] params = {"--output", root.toString(), "--models", Samples.models().toString()};
    assertEquals(1, ParamsJob.process(spark, ParamsConfig.from(ParamsConfig.options()
        .parse(params))).processed(), "the failed clip is retried");
    ShardsJob.process(spark, config(root));
    assertTrue(morphInShards(root).values().stream().allMatch(v -> v == null),
        "stale coefficients are not joined");
    d = new ObjectMapper().readTree(root.resolve("dataset/dataset.json").toFile());
    assertFalse(d.get("morphable").get("current").asBoolean());
    assertTrue(d.get("morphable").get("columns").asText().contains("params ran again"),
        d.get("morphable").toString());

    // The morphable stage sees the new params batch and learns again; the shards follow.
    MorphableJob.Result again = MorphableJob.process(spark, MorphableConfig.from(
        MorphableConfig.options().parse(at)));
    assertEquals(null, again.skipped(), "learned again");
    ShardsJob.process(spark, config(root));
    long joined = morphInShards(root).values().stream().filter(v -> v != null).count();
    assertEquals(spark.read().parquet(root.resolve("face_morphable").toString()).count(),
        joined);
  }
}
