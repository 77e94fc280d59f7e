package io.talkset.jobs.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.media.FfmpegProber;
import io.talkset.core.export.FaceViews;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.audio.AudioConfig;
import io.talkset.jobs.audio.AudioJob;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.cli.UsageException;
import io.talkset.jobs.crawl.CrawlConfig;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.jobs.frames.FramesConfig;
import io.talkset.jobs.frames.FramesJob;
import io.talkset.jobs.morphable.MorphableConfig;
import io.talkset.jobs.morphable.MorphableJob;
import io.talkset.jobs.params.ParamsConfig;
import io.talkset.jobs.params.ParamsJob;
import io.talkset.jobs.shards.ShardsConfig;
import io.talkset.jobs.shards.ShardsJob;
import io.talkset.testing.Python;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export job on a dataset built by the real stages (crawl, audio with samples kept, frames,
 * params, shards) from real media: movie-hello as MP4 and as AVI (two video takes of one
 * speaker) and an audio-only take of the same speaker, which has no face frames and so no
 * sample. Each export is read back by the reference readers (Python's tarfile with WebDataset's
 * grouping rule, numpy, wave, pyarrow for the dataset's rows) and by Debian's ffprobe.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportJobSuite {
  private final SparkSession spark = SparkTestSession.get();
  @TempDir static Path in;
  @TempDir static Path out;
  /** A copy of {@code out}'s stage tables whose dataset has training windows. */
  @TempDir static Path windowedOut;
  /** The dataset's face clips: clip id to (split, frames on the grid). */
  private final Map<String, Row> clips = new TreeMap<>();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  void dataset() throws Exception {
    Path a2 = Files.createDirectories(in.resolve("Actor_02"));
    Files.copy(Samples.get("video/forensics/movie-hello.mp4"),
        a2.resolve("01-01-01-01-01-01-02.mp4"));
    Files.copy(Samples.get("video/forensics/movie-hello.avi"),
        a2.resolve("01-01-05-01-01-01-02.avi"));
    Files.copy(Samples.get("speech/allison/confbridge-begin-glorious-a.wav"),
        a2.resolve("03-01-01-01-01-01-02.wav"));
    CrawlJob.crawl(spark, new CrawlConfig(List.of(in.toString()), out.toString(),
        MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
        FfmpegProber.FrameCount.ESTIMATE, 0, false));
    AudioJob.process(spark, new AudioConfig(out.toString(), true, 120_000, 0));
    String models = Samples.models().toString();
    FramesJob.process(spark, FramesConfig.from(FramesConfig.options().parse(
        new String[] {"--output", out.toString(), "--models", models})));
    ParamsJob.process(spark, ParamsConfig.from(ParamsConfig.options().parse(
        new String[] {"--output", out.toString(), "--models", models})));
    // The learned morphable model, so the shards and the exports carry its coefficients.
    MorphableJob.process(spark, MorphableConfig.from(MorphableConfig.options().parse(
        new String[] {"--output", out.toString()})));
    ShardsJob.process(spark, ShardsConfig.from(ShardsConfig.options().parse(new String[] {
        "--output", out.toString(), "--shard-audio", "hdtf,evp,samples", "--curate", "none"})));
    for (String s : List.of("train", "val", "test")) {
      for (Row r : spark.read().parquet(out.resolve("dataset").resolve(s).resolve("frames")
          .toString()).groupBy("clip_id").agg(org.apache.spark.sql.functions.lit(s),
          org.apache.spark.sql.functions.min("frame_index"),
          org.apache.spark.sql.functions.max("frame_index"),
          org.apache.spark.sql.functions.count("*")).collectAsList()) {
        clips.put(r.getString(0), r);
      }
    }
    System.out.printf("export dataset: %s%n", clips.values());
    assertEquals(2, clips.size(), "the two video takes have face frames, the WAV none");
  }

  ExportJob.Result export(Path to, String... extra) throws Exception {
    String[] args = Stream.concat(Stream.of("--output", out.toString(), "--export-output",
        to.toString()), Stream.of(extra)).toArray(String[]::new);
    return ExportJob.process(spark, ExportConfig.from(ExportConfig.options().parse(args)));
  }

  /** The reference reader's report on an export. */
  JsonNode read(String format, Path root, Path extract) throws Exception {
    return read(format, root, extract, "face", 0);
  }

  /** The same for a warped view whose pictures are {@code side} pixels. */
  JsonNode read(String format, Path root, Path extract, String view, int side)
      throws Exception {
    return read(format, root, out, extract, view, side);
  }

  /** The reference reader's report on an export of the dataset under {@code output}. */
  JsonNode read(String format, Path root, Path output, Path extract, String view, int side)
      throws Exception {
    Path script = extract.resolveSibling("export_reader.py");
    try (var s = ExportJobSuite.class.getResourceAsStream("/reference/export_reader.py")) {
      Files.write(script, s.readAllBytes());
    }
    return json.readTree(Tools.run(Python.venv().toString(), script.toString(), format,
        root.toString(), output.resolve("dataset").toString(), extract.toString(), view,
        Integer.toString(side)));
  }

  private int frames(String clip) {
    Row r = clips.get(clip);
    return r.getInt(3) - r.getInt(2) + 1;
  }

  /** Every array equal to the dataset's column, shaped (frames, ...), and the WAV's PCM too. */
  private void assertSampleEqualsTheDataset(JsonNode s) {
    String clip = s.get("clip_id").asText();
    int frames = frames(clip);
    assertEquals(frames, s.get("frames").asInt(), clip);
    assertEquals(clips.get(clip).getInt(2), s.get("first_frame").asInt());
    assertEquals(clips.get(clip).getLong(4), s.get("rows").asLong());
    assertTrue(s.get("frame_index_ok").asBoolean(), s.toString());
    assertTrue(s.get("face_ok").asBoolean(), s.toString());
    JsonNode f = s.get("fields");
    Map<String, String> shapes = Map.of("landmarks", "[" + frames + ",68,2]",
        "pose", "[" + frames + ",6]", "expression", "[" + frames + ",7]",
        "hdtf", "[" + frames + ",4,15]", "evp", "[" + frames + ",28,12]",
        "samples", "[" + frames + ",640]");
    shapes.forEach((name, shape) -> {
      assertTrue(f.get(name).isObject(), name + ": " + f.get(name));
      assertEquals(shape, f.get(name).get("shape").toString(), name);
      assertEquals("float32", f.get(name).get("dtype").asText(), name);
      assertTrue(f.get(name).get("equal").asBoolean(), name + " equals the Parquet column");
    });
    // The face mesh (params' default --mesh facemesh), in the picture's pixels.
    assertEquals("[" + frames + ",468,3]", f.get("mesh").get("shape").toString());
    assertTrue(f.get("mesh").get("equal").asBoolean(), "mesh: " + f.get("mesh"));
    assertEquals("[" + frames + "]", f.get("mesh_confidence").get("shape").toString());
    assertTrue(f.get("mesh_confidence").get("equal").asBoolean());
    // The learned morphable model's coefficients and pose, as the dataset stores them.
    for (String m : List.of("morph_id", "morph_exp", "morph_pose", "morph_fit")) {
      assertTrue(f.get(m).isObject() && f.get(m).get("equal").asBoolean(), m + ": " + f.get(m));
      assertEquals(frames, f.get(m).get("shape").get(0).asInt(), m);
    }
    assertEquals("[" + frames + ",7]", f.get("morph_pose").get("shape").toString());
    assertEquals("[" + frames + "]", f.get("morph_fit").get("shape").toString());
    // 3DMM coefficients only when the params stage had a 3DMM model.
    assertTrue(f.get("params").isTextual() ? f.get("params").asText().equals("absent")
        : f.get("params").get("equal").asBoolean(), f.get("params").toString());
    assertEquals("[]", s.get("extra_fields").toString());
    JsonNode w = s.get("wav");
    assertNotNull(w, "a WAV: " + s);
    assertEquals(1, w.get("channels").asInt());
    assertEquals(2, w.get("width").asInt());
    assertEquals(16000, w.get("rate").asInt());
    assertEquals(640L * frames, w.get("samples").asLong());
    assertEquals(s.get("rows").asInt(), w.get("frames_compared").asInt());
    assertEquals(0.0, w.get("max_diff").asDouble(), 0.0,
        "the WAV is the audio table's samples of each frame, as 16-bit PCM");
  }

  /** ffprobe on an exported MP4: H.264 at 25 fps, one picture per frame, 16 kHz AAC as long. */
  private void assertVideo(Path mp4, int frames, int side) {
    JsonNode probe = Tools.ffprobe(mp4, "-count_frames");
    JsonNode v = null;
    JsonNode a = null;
    for (JsonNode st : probe.get("streams")) {
      if (st.get("codec_type").asText().equals("video")) {
        v = st;
      } else if (st.get("codec_type").asText().equals("audio")) {
        a = st;
      }
    }
    assertNotNull(v, probe.toString());
    assertNotNull(a, "an audio track: " + probe);
    System.out.printf(Locale.ROOT, "  %s: %s %dx%d %s, %s frames; %s %s Hz %.3f s%n",
        mp4.getFileName(), v.get("codec_name").asText(), v.get("width").asInt(),
        v.get("height").asInt(), v.get("avg_frame_rate").asText(),
        v.get("nb_read_frames").asText(), a.get("codec_name").asText(),
        a.get("sample_rate").asText(), a.get("duration").asDouble());
    assertEquals("h264", v.get("codec_name").asText());
    assertEquals(side, v.get("width").asInt());
    assertEquals(side, v.get("height").asInt());
    assertEquals("25/1", v.get("avg_frame_rate").asText());
    assertEquals(frames, v.get("nb_read_frames").asInt());
    assertEquals("aac", a.get("codec_name").asText());
    assertEquals(16000, a.get("sample_rate").asInt());
    assertEquals(1, a.get("channels").asInt());
    assertEquals(frames / 25.0, a.get("duration").asDouble(), 0.08, "audio as long as video");
  }

  private static String sha256(Path p) throws Exception {
    return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(p)));
  }

  @Test
  void webdatasetShardsHoldWholeSamplesInKeyOrderEqualToTheDataset(@TempDir Path tmp)
      throws Exception {
    Path to = tmp.resolve("wds");
    long t0 = System.nanoTime();
    // A 1 MB limit: each ~1 MB sample gets a shard of its own.
    ExportJob.Result r = export(to, "--format", "webdataset", "--size", "128", "--shard-mb",
        "1");
    System.out.printf(Locale.ROOT, "webdataset mp4: %.1f s, %s, %d bytes, shards %s%n",
        (System.nanoTime() - t0) / 1e9, r.byStatus(), r.bytes(), r.shards());
    assertFalse(r.skipped());
    assertEquals(Map.of("ok", 2L), r.byStatus(), r.clips().toString());
    String split = clips.values().iterator().next().getString(1);
    List<String> ids = new ArrayList<>(clips.keySet());

    JsonNode rep = read("webdataset", to, tmp.resolve("extract"));
    List<String> names = new ArrayList<>();
    rep.get("shards").forEach(s -> names.add(s.get("name").asText()));
    assertEquals(List.of(split + "-000000.tar", split + "-000001.tar"), names);
    // Shards in name order hold the samples in clip id order, each whole, in one shard.
    assertEquals("[\"" + split + "/" + ids.get(0) + "\",\"" + split + "/" + ids.get(1) + "\"]",
        rep.get("keys").toString());
    java.util.Set<String> emotions = new java.util.TreeSet<>();
    for (int i = 0; i < 2; i++) {
      JsonNode s = rep.get("samples").get(i);
      assertEquals(names.get(i), s.get("shard").asText());
      String key = split + "/" + ids.get(i);
      List<String> members = new ArrayList<>();
      rep.get("shards").get(i).get("members").forEach(m -> members.add(m.asText()));
      List<String> expected = new ArrayList<>(List.of(key + ".mp4", key + ".json", key + ".wav",
          key + ".frame_index.npy", key + ".face.npy", key + ".landmarks.npy",
          key + ".pose.npy", key + ".expression.npy"));
      if (s.get("fields").get("params").isObject()) {
        expected.add(key + ".params.npy");
      }
      expected.addAll(List.of(key + ".mesh.npy", key + ".mesh_confidence.npy",
          key + ".morph_id.npy", key + ".morph_exp.npy", key + ".morph_pose.npy",
          key + ".morph_fit.npy", key + ".hdtf.npy", key + ".evp.npy", key + ".samples.npy"));
      assertEquals(expected, members);
      assertSampleEqualsTheDataset(s);
      JsonNode meta = s.get("meta");
      assertEquals(ids.get(i), meta.get("clip_id").asText());
      assertEquals("ravdess", meta.get("dataset").asText());
      assertEquals("Actor_02", meta.get("speaker").asText());
      emotions.add(meta.get("emotion").asText());
      assertEquals(25, meta.get("fps").asInt());
      assertEquals(640L * frames(ids.get(i)), meta.get("audio_samples").asLong());
      assertVideo(Path.of(s.get("mp4").asText()), frames(ids.get(i)), 128);
    }
    assertEquals(java.util.Set.of("angry", "neutral"), emotions);
    JsonNode d = json.readTree(to.resolve("export.json").toFile());
    assertEquals(2, d.get("counts").get(split).get("clips").asInt());
    assertEquals(r.bytes(), Files.size(to.resolve(names.get(0)))
        + Files.size(to.resolve(names.get(1))));
    try (Stream<Path> l = Files.list(to)) {
      assertEquals(List.of("_SUCCESS", "export.json", names.get(0), names.get(1)),
          l.map(p -> p.getFileName().toString()).sorted().toList(), "no staging left");
    }

    // A re-run on the same dataset and settings keeps the export; another folder gets the
    // same bytes.
    Map<String, String> before = new HashMap<>();
    for (String n : names) {
      before.put(n, sha256(to.resolve(n)));
    }
    assertTrue(export(to, "--format", "webdataset", "--size", "128", "--shard-mb", "1")
        .skipped());
    Path again = tmp.resolve("again");
    export(again, "--format", "webdataset", "--size", "128", "--shard-mb", "1");
    for (String n : names) {
      assertEquals(before.get(n), sha256(again.resolve(n)), n + " written twice, same bytes");
    }
  }

  @Test
  void webdatasetJpgSamplesCarryTheStoredJpegsFrameByFrame(@TempDir Path tmp) throws Exception {
    Path to = tmp.resolve("wds-jpg");
    ExportJob.Result r = export(to, "--format", "webdataset", "--media", "jpg");
    assertEquals(Map.of("ok", 2L), r.byStatus(), r.clips().toString());
    String split = clips.values().iterator().next().getString(1);
    JsonNode rep = read("webdataset", to, tmp.resolve("extract"));
    assertEquals(1, rep.get("shards").size(), "both samples fit 1000 MB");
    assertEquals(split + "-000000.tar", rep.get("shards").get(0).get("name").asText());
    int at = 0;
    JsonNode members = rep.get("shards").get(0).get("members");
    for (JsonNode s : rep.get("samples")) {
      String clip = s.get("clip_id").asText();
      String key = split + "/" + clip;
      assertSampleEqualsTheDataset(s);
      assertEquals(s.get("rows").asInt(), s.get("jpgs").asInt());
      assertTrue(s.get("jpgs_equal").asBoolean(), "the stored JPEG bytes, not re-encoded");
      // The frames first, in frame order, then the description, the sound and the arrays.
      for (int j = 0; j < s.get("rows").asInt(); j++) {
        assertEquals(key + "." + String.format(Locale.ROOT, "%05d", j) + ".jpg",
            members.get(at++).asText());
      }
      assertEquals(key + ".json", members.get(at++).asText());
      assertEquals(key + ".wav", members.get(at++).asText());
      assertEquals(key + ".frame_index.npy", members.get(at++).asText());
      while (at < members.size() && members.get(at).asText().startsWith(key + ".")) {
        at++;
      }
    }
    assertEquals(members.size(), at);
  }

  @Test
  void clipsExportWritesOneVideoPerClipAndAFileListPerSplit(@TempDir Path tmp)
      throws Exception {
    Path to = tmp.resolve("clips");
    // Through the command's entry point: the summary line a user reads.
    Options.Parsed args = ExportConfig.options().parse(new String[] {"--output", out.toString(),
        "--export-output", to.toString(), "--format", "clips"});
    String summary = new ExportJob().run(spark, args);
    long frames = clips.keySet().stream().mapToLong(this::frames).sum();
    assertTrue(summary.startsWith("export clips (face): 2 clip(s), " + frames + " frames, "),
        summary);
    assertTrue(summary.contains(" bytes; by status {ok=2}\n  export: " + to), summary);
    assertTrue(new ExportJob().run(spark, args).startsWith("export: dataset and settings"
        + " unchanged"), "a re-run keeps the export");
    String split = clips.values().iterator().next().getString(1);
    List<String> lines = Files.readAllLines(to.resolve(split).resolve("filelist.txt"));
    assertEquals(clips.keySet().stream().map(c -> c + ".mp4").toList(), lines);
    for (String line : lines) {
      Path mp4 = to.resolve(split).resolve(line);
      assertTrue(Files.isRegularFile(mp4), line);
      String clip = line.substring(0, line.length() - 4);
      // The crops' own size: the frames stage's default 512.
      assertVideo(mp4, frames(clip), 512);
    }
    for (String other : List.of("train", "val", "test")) {
      if (!other.equals(split)) {
        assertEquals(List.of(), Files.readAllLines(to.resolve(other).resolve("filelist.txt")));
      }
    }
  }

  @Test
  void framesExportCopiesTheJpegsAndWritesAudioAndParamsPerClip(@TempDir Path tmp)
      throws Exception {
    Path to = tmp.resolve("frames");
    ExportJob.Result r = export(to, "--format", "frames");
    assertEquals(Map.of("ok", 2L), r.byStatus(), r.clips().toString());
    String split = clips.values().iterator().next().getString(1);
    JsonNode rep = read("frames", to, tmp.resolve("extract"));
    assertEquals(new ArrayList<>(clips.keySet()).toString().replace(", ", "\",\"")
        .replace("[", "[\"").replace("]", "\"]"), rep.get("filelists").get(split).toString());
    assertEquals(2, rep.get("samples").size());
    for (JsonNode s : rep.get("samples")) {
      assertSampleEqualsTheDataset(s);
      assertTrue(s.get("jpgs_equal").asBoolean(), "byte for byte the dataset's JPEGs");
      assertEquals(s.get("rows").asInt() + 3, s.get("files").size(),
          "NNNNN.jpg per frame, audio.wav, clip.json, params.npz: " + s.get("files"));
    }
  }

  @Test
  void optionsNameWhatIsWrong() {
    assertTrue(assertThrows(UsageException.class, () -> ExportConfig.from(ExportConfig.options()
        .parse(new String[] {"--output", "x", "--format", "tfrecord"}))).getMessage()
        .contains("--format must be one of webdataset, clips, frames"));
    assertTrue(assertThrows(UsageException.class, () -> ExportConfig.from(ExportConfig.options()
        .parse(new String[] {"--output", "x", "--format", "clips", "--view", "nose"})))
        .getMessage().contains("--view must be one of face, aligned, mouth"));
    assertTrue(assertThrows(UsageException.class, () -> ExportConfig.from(ExportConfig.options()
        .parse(new String[] {"--output", "x", "--format", "clips", "--size", "255"})))
        .getMessage().contains("--size must be 0 or even"));
    ExportConfig c = ExportConfig.from(ExportConfig.options().parse(new String[] {"--output",
        "hdfs://nn/data/ds1/", "--format", "webdataset"}));
    assertEquals("hdfs://nn/data/ds1/exports/webdataset", c.exportOutput());
    assertEquals(1_000_000_000L, c.shardBytes());
    assertArrayEquals(new Object[] {ExportConfig.Media.MP4, ExportConfig.View.FACE},
        new Object[] {c.media(), c.view()});
    ExportConfig m = ExportConfig.from(ExportConfig.options().parse(new String[] {"--output",
        "x", "--format", "frames", "--view", "mouth"}));
    assertEquals(96, m.side(512));
    assertEquals(256, ExportConfig.from(ExportConfig.options().parse(new String[] {"--output",
        "x", "--format", "frames", "--view", "aligned"})).side(512));
    assertEquals(512, c.side(512));
  }

  /** A warped view's sample: arrays as the reference computes them, every picture too. */
  private void assertViewSample(JsonNode s, int side) {
    String clip = s.get("clip_id").asText();
    int frames = frames(clip);
    JsonNode f = s.get("fields");
    assertEquals("[" + frames + ",68,2]", f.get("landmarks").get("shape").toString());
    assertTrue(f.get("landmarks").get("equal").asBoolean(), "landmarks in view pixels: " + f);
    assertEquals("[" + frames + ",2,3]", f.get("affine").get("shape").toString());
    assertTrue(f.get("affine").get("equal").asBoolean(), "affine: " + f.get("affine"));
    assertTrue(f.get("mesh").get("equal").asBoolean(), "mesh in view pixels: " + f.get("mesh"));
    assertTrue(f.get("pose").get("equal").asBoolean());
    assertEquals("[]", s.get("extra_fields").toString());
    assertEquals(s.get("rows").asInt(), s.get("jpgs").asInt(), "a picture per row");
    assertTrue(s.get("jpgs_frames_ok").asBoolean());
    assertEquals("[[" + side + "," + side + ",3]]", s.get("view_shapes").toString());
    // Re-encoded at quality 95: the warp of the stored crop to within JPEG's loss.
    assertTrue(s.get("view_mean_diff").asDouble() < 2.0, "view pictures: " + s);
    System.out.printf(Locale.ROOT, "  %s: %d view pictures %dx%d, worst mean |diff| from"
        + " scikit-image's warp %.2f, mouth centroid off centre by at most %.4f px%n", clip,
        s.get("jpgs").asInt(), side, side, s.get("view_mean_diff").asDouble(),
        s.get("mouth_centroid_max_off").asDouble());
  }

  @Test
  void mouthViewsAreCentredOnTheMouthInWebDatasetJpgSamples(@TempDir Path tmp)
      throws Exception {
    Path to = tmp.resolve("wds-mouth");
    ExportJob.Result r = export(to, "--format", "webdataset", "--media", "jpg", "--view",
        "mouth");
    assertEquals(Map.of("ok", 2L), r.byStatus(), r.clips().toString());
    JsonNode rep = read("webdataset", to, tmp.resolve("extract"), "mouth", 96);
    assertEquals(2, rep.get("samples").size());
    for (JsonNode s : rep.get("samples")) {
      assertViewSample(s, 96);
      assertEquals(0, s.get("mouth_centroid_max_off").asDouble(), 0.01,
          "the mouth points' centroid at the view's centre");
      assertEquals("mouth", s.get("meta").get("picture").asText());
    }
    JsonNode d = json.readTree(to.resolve("export.json").toFile());
    assertTrue(d.get("parameters").get("view_geometry").asText().startsWith("96x96 px"), d
        .toString());
  }

  /**
   * Second differences of where a view's centre lands in the picture, frame to frame within a
   * segment: RMS in source pixels (the steady part of the head's motion cancels out).
   */
  private static double viewJitter(List<float[]> points, List<Integer> frames, int side) {
    double sum = 0;
    int n = 0;
    double[][] c = new double[points.size()][];
    for (int i = 0; i < c.length; i++) {
      double[] m = FaceViews.affine(FaceViews.View.MOUTH, points.get(i), side);
      // The inverse of [u, v] = A [x, y, 1] at the view's centre.
      double det = m[0] * m[4] - m[1] * m[3];
      double u = side / 2.0 - m[2];
      double v = side / 2.0 - m[5];
      c[i] = new double[] {(m[4] * u - m[1] * v) / det, (-m[3] * u + m[0] * v) / det};
    }
    for (int i = 2; i < c.length; i++) {
      if (frames.get(i) - frames.get(i - 2) != 2) {
        continue;
      }
      for (int k = 0; k < 2; k++) {
        double d = c[i][k] - 2 * c[i - 1][k] + c[i - 2][k];
        sum += d * d;
      }
      n++;
    }
    return Math.sqrt(sum / n);
  }

  @Test
  void mouthViewsFollowTheSmoothedPointsAndAreSteadierThanTheRawOnes() {
    // The view is placed from the dataset's smoothed landmarks; the same view placed from the
    // raw points shakes more: the export's mouth crops are steadier than the raw points.
    for (String clip : clips.keySet()) {
      List<float[]> smooth = new ArrayList<>();
      List<float[]> raw = new ArrayList<>();
      List<Integer> index = new ArrayList<>();
      for (Row r : spark.read().parquet(out.resolve("dataset").resolve("*").resolve("frames")
          .toString()).filter(org.apache.spark.sql.functions.col("clip_id").equalTo(clip))
          .select("frame_index", "landmarks", "landmarks_raw").orderBy("frame_index")
          .collectAsList()) {
        index.add(r.getInt(0));
        smooth.add(floats(r.getList(1)));
        raw.add(floats(r.getList(2)));
      }
      double s = viewJitter(smooth, index, 96);
      double w = viewJitter(raw, index, 96);
      System.out.printf(Locale.ROOT, "  %s: mouth view centre jitter %.3f px from the smoothed"
          + " points, %.3f px from the raw ones (%d frames)%n", clip, s, w, index.size());
      assertTrue(index.size() > 100, clip);
      assertTrue(s < 0.75 * w, clip + ": smoothed " + s + " vs raw " + w);
    }
  }

  private static float[] floats(List<Object> l) {
    float[] f = new float[l.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = ((Number) l.get(i)).floatValue();
    }
    return f;
  }

  @Test
  void alignedViewsGoIntoFramesFoldersAndClips(@TempDir Path tmp) throws Exception {
    Path frames = tmp.resolve("frames-aligned");
    ExportJob.Result r = export(frames, "--format", "frames", "--view", "aligned", "--size",
        "128");
    assertEquals(Map.of("ok", 2L), r.byStatus(), r.clips().toString());
    JsonNode rep = read("frames", frames, tmp.resolve("extract"), "aligned", 128);
    for (JsonNode s : rep.get("samples")) {
      assertViewSample(s, 128);
      assertEquals(s.get("rows").asInt() + 3, s.get("files").size());
    }
    Path clipsOut = tmp.resolve("clips-aligned");
    r = export(clipsOut, "--format", "clips", "--view", "aligned");
    assertEquals(Map.of("ok", 2L), r.byStatus(), r.clips().toString());
    String split = clips.values().iterator().next().getString(1);
    for (String clip : clips.keySet()) {
      assertVideo(clipsOut.resolve(split).resolve(clip + ".mp4"), frames(clip), 256);
    }
  }

  // ---- Per window: a dataset written with training windows. ----

  /** The windowed dataset's root, built once by {@link #windowed()}. */
  private Path windowedRoot;

  /**
   * The same stage tables with the dataset written again by shards with 2 s windows every
   * 1 s (--curate none): a copy of the output without its dataset, so the suite's own dataset
   * keeps no windows and its exports stay per clip.
   */
  private Path windowed() throws Exception {
    if (windowedRoot != null) {
      return windowedRoot;
    }
    Path root = windowedOut;
    try (Stream<Path> all = Files.walk(out)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path rel = out.relativize(p);
        if (rel.getNameCount() > 0 && rel.getName(0).toString().equals("dataset")) {
          continue;
        }
        Path to = root.resolve(rel.toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    ShardsJob.process(spark, ShardsConfig.from(ShardsConfig.options().parse(new String[] {
        "--output", root.toString(), "--shard-audio", "hdtf,evp,samples", "--curate", "none",
        "--window-seconds", "2", "--window-hop", "1"})));
    windowedRoot = root;
    return root;
  }

  /** The windowed dataset's windows table: window id to (split, clip, first, last, frames). */
  private Map<String, Row> windows() throws Exception {
    Map<String, Row> w = new TreeMap<>();
    for (String s : List.of("train", "val", "test")) {
      for (Row r : spark.read().parquet(windowed().resolve("dataset").resolve(s)
          .resolve("windows").toString()).select(org.apache.spark.sql.functions.lit(s),
          org.apache.spark.sql.functions.col("clip_id"),
          org.apache.spark.sql.functions.col("first_frame"),
          org.apache.spark.sql.functions.col("last_frame"),
          org.apache.spark.sql.functions.col("frames"),
          org.apache.spark.sql.functions.col("first_sample"),
          org.apache.spark.sql.functions.col("end_sample"),
          org.apache.spark.sql.functions.col("window_id")).collectAsList()) {
        w.put(r.getString(7), r);
      }
    }
    // movie-hello is about 8.3 s: several 2 s windows a clip, overlapping by 1 s.
    assertTrue(w.size() >= 6, "windows: " + w.keySet());
    return w;
  }

  private ExportJob.Result exportWindowed(Path to, String... extra) throws Exception {
    String[] args = Stream.concat(Stream.of("--output", windowed().toString(),
        "--export-output", to.toString()), Stream.of(extra)).toArray(String[]::new);
    return ExportJob.process(spark, ExportConfig.from(ExportConfig.options().parse(args)));
  }

  /** A per-window sample against its row of the windows table and the dataset's rows. */
  private void assertWindowSample(JsonNode s, Row w) {
    int frames = w.getInt(4);
    JsonNode meta = s.get("meta");
    assertEquals(w.getString(7), meta.get("window_id").asText());
    assertEquals(w.getString(1), meta.get("clip_id").asText());
    assertEquals(w.getString(1), s.get("clip_id").asText());
    assertEquals(w.getInt(2), meta.get("first_frame").asInt());
    assertEquals(w.getInt(3), meta.get("last_frame").asInt());
    assertEquals(frames, meta.get("frames").asInt());
    assertEquals(w.getLong(5), meta.get("first_sample").asLong());
    assertEquals(w.getLong(6), meta.get("end_sample").asLong());
    // Every frame of a window is a kept frame, so a dataset row each.
    assertEquals(frames, s.get("rows").asInt(), s.toString());
    assertTrue(s.get("frame_index_ok").asBoolean(), s.toString());
    assertTrue(s.get("face_ok").asBoolean(), s.toString());
    assertEquals(frames, s.get("jpgs").asInt());
    assertTrue(s.get("jpgs_equal").asBoolean(), "the shards' JPEGs of the window's frames");
    JsonNode f = s.get("fields");
    assertEquals("[" + frames + ",68,2]", f.get("landmarks").get("shape").toString());
    for (String name : List.of("landmarks", "pose", "hdtf", "evp", "samples", "mesh")) {
      assertTrue(f.get(name).get("equal").asBoolean(), name + " cut to the window: " + f);
    }
    JsonNode wav = s.get("wav");
    assertEquals(16000, wav.get("rate").asInt());
    assertEquals(640L * frames, wav.get("samples").asLong());
    assertEquals(w.getLong(6) - w.getLong(5), wav.get("samples").asLong());
    assertEquals(frames, wav.get("frames_compared").asInt());
    assertEquals(0.0, wav.get("max_diff").asDouble(), 0.0, "the window's own audio");
  }

  @Test
  void sampleWindowNeedsADatasetWithWindows() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> export(out.resolve("none"),
        "--format", "frames", "--sample", "window")).getMessage()
        .contains("has no windows table"));
    assertTrue(assertThrows(UsageException.class, () -> ExportConfig.from(ExportConfig
        .options().parse(new String[] {"--output", "x", "--format", "clips", "--sample",
        "segment"}))).getMessage().contains("--sample must be one of window, clip"));
  }

  @Test
  void webdatasetPerWindowHoldsOneCompleteSamplePerWindowRow(@TempDir Path tmp)
      throws Exception {
    Map<String, Row> windows = windows();
    Path to = tmp.resolve("wds-windows");
    long t0 = System.nanoTime();
    // The default on a dataset with windows; said in the summary.
    Options.Parsed args = ExportConfig.options().parse(new String[] {"--output",
        windowed().toString(), "--export-output", to.toString(), "--format", "webdataset",
        "--media", "jpg", "--shard-mb", "10"});
    String summary = new ExportJob().run(spark, args);
    System.out.printf(Locale.ROOT, "webdataset jpg per window: %.1f s, %s", (System.nanoTime()
        - t0) / 1e9, summary);
    assertTrue(summary.contains(" " + windows.size() + " window(s), "), summary);
    assertTrue(summary.contains("by status {ok=" + windows.size() + "}"), summary);
    assertTrue(summary.contains("\n  samples: one per window (default: the dataset has a"
        + " windows table"), summary);

    JsonNode rep = read("webdataset", to, windowed(), tmp.resolve("extract"), "face", 0);
    List<String> keys = new ArrayList<>();
    rep.get("keys").forEach(k -> keys.add(k.asText()));
    // One sample per row of the windows table, in key order: grouped as WebDataset groups
    // (a consecutive run of one key), no key twice, so no sample split or repeated.
    List<String> want = windows.values().stream().map(w -> w.getString(0) + "/"
        + w.getString(7)).sorted().toList();
    assertEquals(want, keys);
    int at = 0;
    for (JsonNode s : rep.get("samples")) {
      String key = s.get("key").asText();
      Row w = windows.get(key.substring(key.indexOf('/') + 1));
      assertWindowSample(s, w);
      List<String> fields = new ArrayList<>();
      s.get("fields_in_order").forEach(x -> fields.add(x.asText()));
      for (int j = 0; j < w.getInt(4); j++) {
        assertEquals(String.format(Locale.ROOT, "%05d.jpg", j), fields.get(j));
      }
      assertEquals(List.of("json", "wav", "frame_index.npy", "face.npy"),
          fields.subList(w.getInt(4), w.getInt(4) + 4));
      at++;
    }
    assertEquals(windows.size(), at);
    JsonNode d = json.readTree(to.resolve("export.json").toFile());
    assertEquals("window", d.get("sample").asText());
    assertEquals("window", d.get("parameters").get("sample").asText());
    assertTrue(d.get("layout").asText().contains("key SPLIT/WINDOW_ID"), d.toString());
    long shardSamples = 0;
    List<String> names = new ArrayList<>();
    for (String split : List.of("train", "val", "test")) {
      long n = windows.values().stream().filter(w -> w.getString(0).equals(split)).count();
      assertEquals(n, d.get("counts").get(split).get("windows").asLong(), split);
      for (JsonNode sh : d.get("shards").get(split)) {
        names.add(sh.get("name").asText());
        shardSamples += sh.get("samples").asLong();
        assertEquals(sh.get("bytes").asLong(), Files.size(to.resolve(sh.get("name").asText())));
        // 10 MB shards of ~2.8 MB samples (50 JPEGs of 512 px): a few whole samples each.
        assertTrue(sh.get("bytes").asLong() <= 10_000_000, sh.toString());
      }
    }
    assertEquals(windows.size(), shardSamples);
    assertTrue(names.size() < windows.size(), "shards of several samples: " + names);
    System.out.printf(Locale.ROOT, "  %d windows in shards %s%n", windows.size(), names);

    // Another folder, same inputs and settings: the same shards, byte for byte.
    Path again = tmp.resolve("again");
    exportWindowed(again, "--format", "webdataset", "--media", "jpg", "--shard-mb", "10");
    for (String n : names) {
      assertEquals(sha256(to.resolve(n)), sha256(again.resolve(n)), n + " written twice");
    }
    assertTrue(new ExportJob().run(spark, args).startsWith("export: dataset and settings"
        + " unchanged"), "a re-run keeps the export");

    // KEY.mp4 per window: the window's frames and audio, as ffprobe sees them.
    Path mp4 = tmp.resolve("wds-windows-mp4");
    ExportJob.Result r = exportWindowed(mp4, "--format", "webdataset", "--size", "64");
    assertEquals(Map.of("ok", (long) windows.size()), r.byStatus(), r.clips().toString());
    JsonNode videos = read("webdataset", mp4, windowed(), tmp.resolve("extract-mp4"), "face", 0);
    assertEquals(want, StreamSupport.stream(videos.get("keys").spliterator(), false)
        .map(JsonNode::asText).toList());
    for (JsonNode s : videos.get("samples")) {
      Row w = windows.get(s.get("meta").get("window_id").asText());
      assertEquals(s.get("key").asText(), w.getString(0) + "/" + w.getString(7));
      assertEquals(640L * w.getInt(4), s.get("wav").get("samples").asLong());
      assertEquals(0.0, s.get("wav").get("max_diff").asDouble(), 0.0);
      assertVideo(Path.of(s.get("mp4").asText()), w.getInt(4), 64);
    }
  }

  @Test
  void clipsPerWindowWriteAVideoAndAFileListLinePerWindow(@TempDir Path tmp) throws Exception {
    Map<String, Row> windows = windows();
    Path to = tmp.resolve("clips-windows");
    ExportJob.Result r = exportWindowed(to, "--format", "clips", "--size", "128");
    assertEquals(Map.of("ok", (long) windows.size()), r.byStatus(), r.clips().toString());
    assertTrue(r.sampling().startsWith("one per window (default"), r.sampling());
    List<String> all = new ArrayList<>();
    for (String split : List.of("train", "val", "test")) {
      List<String> lines = Files.readAllLines(to.resolve(split).resolve("filelist.txt"));
      List<String> want = windows.values().stream().filter(w -> w.getString(0).equals(split))
          .map(w -> w.getString(1) + "/" + w.getString(7) + ".mp4").sorted().toList();
      assertEquals(want, lines, split);
      for (String line : lines) {
        Row w = windows.get(line.substring(line.indexOf('/') + 1, line.length() - 4));
        assertVideo(to.resolve(split).resolve(line), w.getInt(4), 128);
        all.add(split + "/" + line);
      }
    }
    assertEquals(windows.size(), all.size());
    Path again = tmp.resolve("again");
    exportWindowed(again, "--format", "clips", "--size", "128");
    for (String f : all) {
      assertEquals(sha256(to.resolve(f)), sha256(again.resolve(f)), f + " written twice");
    }
    // Whole clips when asked, from the same dataset.
    ExportJob.Result perClip = exportWindowed(tmp.resolve("clips-whole"), "--format", "clips",
        "--size", "128", "--sample", "clip");
    assertEquals(Map.of("ok", 2L), perClip.byStatus());
    assertEquals("one per clip (--sample clip)", perClip.sampling());
  }

  @Test
  void framesPerWindowWriteAFolderPerWindowWithTheShardsJpegs(@TempDir Path tmp)
      throws Exception {
    Map<String, Row> windows = windows();
    Path to = tmp.resolve("frames-windows");
    ExportJob.Result r = exportWindowed(to, "--format", "frames");
    assertEquals(Map.of("ok", (long) windows.size()), r.byStatus(), r.clips().toString());
    JsonNode rep = read("frames", to, windowed(), tmp.resolve("extract"), "face", 0);
    assertEquals(windows.size(), rep.get("samples").size());
    for (JsonNode s : rep.get("samples")) {
      String line = s.get("line").asText();
      Row w = windows.get(line.substring(line.indexOf('/') + 1));
      assertEquals(w.getString(1) + "/" + w.getString(7), line);
      assertWindowSample(s, w);
      assertEquals(w.getInt(4) + 3, s.get("files").size(),
          "NNNNN.jpg per frame, audio.wav, window.json, params.npz: " + s.get("files"));
      assertTrue(s.get("files").toString().contains("\"window.json\""), s.get("files")
          .toString());
    }
  }

  @Test
  void aWindowWithoutFrameRowsIsReportedNotDropped(@TempDir Path tmp) throws Exception {
    Map<String, Row> windows = windows();
    // A copy of the windowed output whose train windows table has one more row, past the
    // clip's last frame, so no dataset row joins it.
    Path root = tmp.resolve("out");
    try (Stream<Path> all = Files.walk(windowed())) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path to = root.resolve(windowed().relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    Row any = windows.values().iterator().next();
    String ghost = any.getString(1) + "_0_900000";
    spark.createDataFrame(List.of(org.apache.spark.sql.RowFactory.create(ghost,
        any.getString(1), 0, 900_000, 900_049, 50, 900_000L * 640, 900_050L * 640, 36000.0,
        36002.0, 0)), io.talkset.schemas.CurationSchemas.WINDOWS.struct()).coalesce(1).write()
        .parquet(tmp.resolve("ghost").toString());
    try (Stream<Path> parts = Files.list(tmp.resolve("ghost"))) {
      Path part = parts.filter(p -> p.getFileName().toString().endsWith(".parquet"))
          .findFirst().orElseThrow();
      Files.copy(part, root.resolve("dataset/train/windows/part-99999.parquet"));
    }
    Path to = tmp.resolve("frames");
    ExportJob.Result r = ExportJob.process(spark, ExportConfig.from(ExportConfig.options()
        .parse(new String[] {"--output", root.toString(), "--export-output", to.toString(),
            "--format", "frames"})));
    assertEquals(Map.of("ok", (long) windows.size(), "failed", 1L), r.byStatus());
    JsonNode d = json.readTree(to.resolve("export.json").toFile());
    assertEquals(1, d.get("failed").size(), d.toString());
    assertEquals(ghost, d.get("failed").get(0).get("window_id").asText());
    assertTrue(d.get("failed").get(0).get("error").asText().contains("no frame rows"));
    assertEquals(windows.size(), d.get("counts").get("train").get("windows").asInt());
    assertEquals(windows.size(), Files.readAllLines(to.resolve("train/filelist.txt")).size());
    assertFalse(Files.exists(to.resolve("train").resolve(any.getString(1)).resolve(ghost)));
  }
}
