package io.talkset.jobs.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.TalkingDataset;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluation job on "generated" videos made from the dataset's own crops of a real talking
 * face with Debian's ffmpeg: near-lossless, blurred, heavily compressed, with audio moved by a
 * known number of frames, matched by file name; plus a corrupt file and an unmatched one.
 */
class EvaluateJobSuite {
  private final SparkSession spark = SparkTestSession.get();

  static EvalConfig config(String... args) {
    return EvalConfig.from(EvalConfig.options().parse(Stream.concat(Stream.of(args),
        Stream.of("--models", Samples.models().toString())).toArray(String[]::new)));
  }

  /** The clip's crops as numbered JPEG files for frames 0..last (gaps: the previous crop). */
  static int writeCrops(SparkSession spark, Path root, String clipId, Path dir) throws Exception {
    List<Row> rows = spark.read().parquet(root.resolve("frames").toString())
        .filter("clip_id = '" + clipId + "'").orderBy("frame_index")
        .select("frame_index", "jpeg").collectAsList();
    byte[] last = (byte[]) rows.get(0).get(1);
    int next = 0;
    for (Row r : rows) {
      for (; next <= r.getInt(0); next++) {
        last = next == r.getInt(0) ? (byte[]) r.get(1) : last;
        Files.write(dir.resolve(String.format(Locale.ROOT, "f%05d.jpg", next)), last);
      }
    }
    return next;
  }

  /**
   * The clip's audio as the pipeline aligns it (sample 0 at the video's first frame), moved
   * later by {@code shiftFrames}, as a 16 kHz 16-bit WAV. A generated video's track must start at
   * its first frame: copying the source's AAC track as is would keep the source's own gap
   * between audio and video start (13 frames in movie-hello.mp4).
   */
  static Path wav(Path video, int shiftFrames, Path out) throws Exception {
    float[] y;
    try (io.talkset.core.media.FileSource s = new io.talkset.core.media.FileSource(video)) {
      y = new io.talkset.core.audio.AudioDecoder(16000).decodeAll(s, video.getFileName()
          .toString(), System.nanoTime() + 60_000_000_000L, null);
    }
    int pad = shiftFrames * 640;
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(44 + 2 * (y.length + pad))
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes()).putInt(36 + 2 * (y.length + pad)).put("WAVEfmt ".getBytes())
        .putInt(16).putShort((short) 1).putShort((short) 1).putInt(16000).putInt(32000)
        .putShort((short) 2).putShort((short) 16).put("data".getBytes())
        .putInt(2 * (y.length + pad));
    for (int i = 0; i < pad; i++) {
      b.putShort((short) 0);
    }
    for (float v : y) {
      b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
    }
    Files.write(out, b.array());
    return out;
  }

  /** Encodes the first {@code frames} crops at 256 px with a filter chain and x264 settings. */
  static void encode(Path crops, int frames, String filters, String crf, Path wav, Path out) {
    List<String> a = new ArrayList<>(List.of("-framerate", "25", "-i",
        crops.resolve("f%05d.jpg").toString()));
    if (wav != null) {
      a.addAll(List.of("-i", wav.toString(), "-map", "0:v", "-map", "1:a", "-c:a",
          "pcm_s16le"));
    }
    a.addAll(List.of("-frames:v", String.valueOf(frames), "-vf",
        "scale=256:256:flags=area" + filters, "-c:v", "libx264", "-crf", crf, "-pix_fmt",
        "yuv444p", out.toString()));
    Tools.ffmpeg(a.toArray(new String[0]));
  }

  @Test
  void scoresGeneratedVideosAndGivesUnusableFilesAStatus(@TempDir Path tmp) throws Exception {
    TalkingDataset d = TalkingDataset.get();
    String id = d.clipIds.get(TalkingDataset.name(0));
    Path crops = Files.createDirectories(tmp.resolve("crops"));
    int frames = writeCrops(spark, d.root, id, crops);
    Path gen = Files.createDirectories(tmp.resolve("generated"));
    Path audio = d.input.resolve(TalkingDataset.name(0));
    encode(crops, frames, "", "4", wav(audio, 0, tmp.resolve("a0.wav")),
        gen.resolve(id + "_lossless.mkv"));
    encode(crops, 75, ",gblur=sigma=2.5", "4", null, gen.resolve("blur_" + id + ".mp4"));
    encode(crops, 75, "", "45", null, gen.resolve(id.toUpperCase(Locale.ROOT) + "_crf45.mp4"));
    // The same pictures as the near-lossless one: only the audio differs.
    encode(crops, frames, "", "4", wav(audio, 5, tmp.resolve("a5.wav")),
        gen.resolve(id + "_late5.mkv"));
    // Matched by the clip's file name; short: no sync estimate (under --sync-min-frames).
    encode(crops, 25, "", "4", null, gen.resolve(TalkingDataset.name(0)));
    byte[] noise = new byte[20_000];
    new java.util.Random(7).nextBytes(noise);
    Files.write(gen.resolve(id + "_corrupt.mp4"), noise);
    Files.copy(audio, gen.resolve("not&matched <0123456789abcdef0123456789abcdef>.mp4"));
    Files.write(gen.resolve("_SUCCESS"), new byte[0]);

    EvalConfig cfg = config("--generated", gen.toString(), "--output", d.root.toString());
    EvaluateJob.Result r = EvaluateJob.process(spark, cfg);
    System.out.printf(Locale.ROOT, "evaluate: %s, %d frames, descriptor Frechet %.4f%n",
        r.byStatus(), r.frames(), r.frechet());
    assertEquals(7, r.files(), "hidden files are not generated videos");
    assertEquals(Map.of("ok", 5L, "failed", 1L, "unmatched", 1L), r.byStatus());
    Path eval = d.root.resolve("evaluation");
    Map<String, Row> byName = new HashMap<>();
    for (Row c : spark.read().parquet(eval.resolve("eval_clips").toString()).collectAsList()) {
      byName.put(c.getString(c.fieldIndex("name")), c);
      System.out.printf(Locale.ROOT, "  %-44s %-9s frames %s, SSIM %s, PSNR %s, CPBD %s (real"
          + " %s), LMD mouth %s, LVD mouth %s, identity %s, sync %s (%s, confidence %s; real"
          + " %s)%n",
          c.getString(1), c.getString(c.fieldIndex("status")), c.get(c.fieldIndex(
              "frames_compared")), f(c, "ssim"), f(c, "psnr"), f(c, "cpbd"), f(c, "cpbd_real"),
          f(c, "lmd_mouth"), f(c, "lvd_mouth"), f(c, "identity_cosine"),
          c.get(c.fieldIndex("sync_offset_frames")), c.get(c.fieldIndex("sync_audio")),
          f(c, "sync_confidence"), c.get(c.fieldIndex("sync_real_offset_frames")));
    }
    Row lossless = byName.get(id + "_lossless.mkv");
    Row blur = byName.get("blur_" + id + ".mp4");
    Row crf45 = byName.get(id.toUpperCase(Locale.ROOT) + "_crf45.mp4");
    Row late = byName.get(id + "_late5.mkv");
    Row byFile = byName.get(TalkingDataset.name(0));
    assertEquals("clip_id", lossless.getString(lossless.fieldIndex("matched_by")));
    assertEquals("file_name", byFile.getString(byFile.fieldIndex("matched_by")));
    assertEquals(id, byFile.getString(byFile.fieldIndex("clip_id")));
    assertEquals(frames, lossless.getInt(lossless.fieldIndex("generated_frames")));
    assertEquals(256, lossless.getInt(lossless.fieldIndex("compared_size")));
    assertEquals(75, blur.getInt(blur.fieldIndex("frames_compared")));

    // Near-lossless: the real crops themselves.
    assertTrue(d(lossless, "ssim") > 0.97, "SSIM " + d(lossless, "ssim"));
    assertTrue(d(lossless, "psnr") > 38, "PSNR " + d(lossless, "psnr"));
    assertTrue(d(lossless, "lmd_mouth") < 0.5, "LMD " + d(lossless, "lmd_mouth"));
    assertTrue(d(lossless, "identity_cosine") > 0.995, "identity "
        + d(lossless, "identity_cosine"));
    assertEquals(d(lossless, "cpbd_real"), d(lossless, "cpbd"), 0.03);
    // Blurred: less similar and less sharp; compressed: less similar.
    assertTrue(d(blur, "ssim") < d(lossless, "ssim") - 0.05);
    assertTrue(d(blur, "psnr") < d(lossless, "psnr") - 5);
    assertTrue(d(blur, "cpbd") < d(blur, "cpbd_real") - 0.1, "blur lowers CPBD");
    assertTrue(d(blur, "lmd_mouth") > d(lossless, "lmd_mouth"));
    assertTrue(d(crf45, "ssim") < d(lossless, "ssim") - 0.05);
    assertTrue(d(crf45, "psnr") < d(lossless, "psnr") - 5);
    assertEquals("dataset", blur.getString(blur.fieldIndex("sync_audio")));
    // Generated and real offsets come from the same estimate: the near-lossless copy with the
    // clip's audio agrees with its real crops, the copy whose audio is 5 frames late is 5
    // frames later.
    assertEquals("generated", late.getString(late.fieldIndex("sync_audio")));
    int base = lossless.getInt(lossless.fieldIndex("sync_offset_frames"));
    int real = lossless.getInt(lossless.fieldIndex("sync_real_offset_frames"));
    assertEquals(real, base);
    assertEquals(real, late.getInt(late.fieldIndex("sync_real_offset_frames")));
    assertEquals(real + 5, late.getInt(late.fieldIndex("sync_offset_frames")));
    assertTrue(byFile.isNullAt(byFile.fieldIndex("sync_offset_frames")), "25 frames: too short");
    assertTrue(blur.isNullAt(blur.fieldIndex("sync_offset_frames")), "75 frames: too short");

    Row corrupt = byName.get(id + "_corrupt.mp4");
    assertEquals("failed", corrupt.getString(corrupt.fieldIndex("status")));
    assertNotNull(corrupt.getString(corrupt.fieldIndex("error_code")));
    Row unmatched = byName.get("not&matched <0123456789abcdef0123456789abcdef>.mp4");
    assertEquals("unmatched", unmatched.getString(unmatched.fieldIndex("status")));
    assertTrue(unmatched.getString(unmatched.fieldIndex("error_message"))
        .contains("0123456789abcdef0123456789abcdef"));
    assertNull(unmatched.get(unmatched.fieldIndex("clip_id")));

    // Frames: one row per compared frame; the summary's percentiles are numpy's linear ones.
    List<Row> fr = spark.read().parquet(eval.resolve("eval_frames").toString())
        .select("ssim", "identity_cosine", "lvd_mouth").collectAsList();
    long compared = 0;
    for (Row c : byName.values()) {
      compared += c.isNullAt(c.fieldIndex("frames_compared")) ? 0
          : c.getInt(c.fieldIndex("frames_compared"));
    }
    assertEquals(compared, fr.size());
    assertEquals(compared, r.frames());
    double[] ssim = fr.stream().mapToDouble(x -> x.getDouble(0)).sorted().toArray();
    Map<String, Row> summary = new HashMap<>();
    for (Row s : spark.read().parquet(eval.resolve("eval_summary").toString()).collectAsList()) {
      summary.put(s.getString(0) + "/" + s.getString(1), s);
    }
    Row ss = summary.get("ssim/frame");
    assertEquals(ssim.length, ss.getLong(2));
    assertEquals(percentile(ssim, 0.5), ss.getDouble(7), 1e-12);
    assertEquals(percentile(ssim, 0.05), ss.getDouble(5), 1e-12);
    assertEquals(5, summary.get("ssim/clip").getLong(2), "one value per ok video");
    assertEquals(2, summary.get("sync_offset_frames/clip").getLong(2),
        "sync on the two videos of at least --sync-min-frames (100)");
    // Generated minus real offset: 0 and 5.
    assertEquals(2.5, summary.get("sync_offset_vs_real_frames/clip").getDouble(3), 1e-12);
    Row fd = summary.get("descriptor_frechet_distance/set");
    assertTrue(fd.getDouble(3) > 0 && Double.isFinite(fd.getDouble(3)));
    assertEquals(r.frechet(), fd.getDouble(3), 1e-12);

    String page = Files.readString(eval.resolve("index.html"));
    assertTrue(page.contains("not&amp;matched &lt;0123456789abcdef0123456789abcdef&gt;.mp4"),
        "names are escaped");
    // The page's summary shows the table's numbers (4 significant digits).
    int shown = 0;
    for (Row s : summary.values()) {
      List<String> cells = pageRow(page, s.getString(0), s.getString(1));
      assertEquals(Long.toString(s.getLong(2)), cells.get(0), s.toString());
      for (int i = 3; i < 10; i++) {
        String c = cells.get(i - 2);
        if (s.isNullAt(i)) {
          assertEquals("", c, s.toString());
        } else {
          assertEquals(s.getDouble(i), Double.parseDouble(c), 5e-4 * Math.abs(s.getDouble(i))
              + 1e-300, s + " column " + i);
          shown++;
        }
      }
    }
    System.out.printf(Locale.ROOT, "evaluation page: %d summary rows, %d numbers equal the"
        + " table%n", summary.size(), shown);
    // One histogram per frame metric, each a PNG that decodes, with every finite value binned
    // (ssim: every compared frame).
    List<Path> charts;
    try (Stream<Path> l = Files.list(eval)) {
      charts = l.filter(p -> p.getFileName().toString().endsWith(".png")).sorted().toList();
    }
    assertEquals(EvaluateJob.HISTOGRAMS.size(), charts.size(), charts.toString());
    for (Path c : charts) {
      java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(c.toFile());
      assertNotNull(img, c.toString());
      assertTrue(page.contains("<img src=\"" + c.getFileName() + "\" width=\"" + img.getWidth()
          + "\" height=\"" + img.getHeight() + "\""), c.toString());
    }
    assertTrue(page.contains(">Unmatched and failed</h2>") && page.contains(id + "_corrupt.mp4"));
    // The dataset report gains an Evaluation section with the same summary and a link.
    io.talkset.jobs.report.ReportJob.process(spark, io.talkset.jobs.report.ReportConfig.from(
        io.talkset.jobs.report.ReportConfig.options().parse(new String[] {"--output",
            d.root.toString(), "--report-samples", "0"})));
    String report = Files.readString(d.root.resolve("report/index.html"));
    assertTrue(report.contains(">Evaluation</h2>"), "evaluation section");
    assertTrue(report.contains("<a href=\"../evaluation/index.html\">"), "link to the page");
    assertEquals(pageRow(page, "ssim", "frame"), pageRow(report, "ssim", "frame"));
    assertEquals(pageRow(page, "descriptor_frechet_distance", "set"),
        pageRow(report, "descriptor_frechet_distance", "set"));

    // talkset run without --generated: the job says so and does nothing.
    EvaluateJob.Result skipped = EvaluateJob.process(spark, config("--output",
        d.root.toString()));
    assertNotNull(skipped.skipped());
    assertTrue(new EvaluateJob().run(spark, EvalConfig.options().parse(new String[] {"--output",
        d.root.toString()})).startsWith("evaluate: skipped"));

    // Last, so that a machine without chromium (a skip outside CI) still ran every check above.
    // In a browser every chart loads and reaches the screen.
    io.talkset.testing.Chromium.Rendered browser = io.talkset.testing.Chromium.render(eval,
        Files.createDirectories(tmp.resolve("chromium")), 1280, 2400);
    assertEquals(List.of(), browser.broken(), "images that did not load");
    assertEquals(charts.size(), browser.loaded().size());
    long bars = io.talkset.testing.Chromium.pixelsNear(browser.screenshot(),
        io.talkset.core.report.Chart.BAR, 6);
    System.out.printf(Locale.ROOT, "evaluation page: %d charts, all loaded in chromium, %d bar"
        + " pixels on screen%n", browser.loaded().size(), bars);
    assertTrue(bars > 1000, bars + " bar-coloured pixels");
  }

  /**
   * The evaluation root is one commit: a run that dies after writing its tables (here, while
   * writing the page) leaves the previous evaluation whole (all three tables and the page), and
   * the next run replaces all of it.
   */
  @Test
  void aRunThatDiesHalfWayLeavesThePreviousEvaluationWhole(@TempDir Path tmp) throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    org.apache.hadoop.conf.Configuration hconf = spark.sparkContext().hadoopConfiguration();
    new io.talkset.jobs.io.TableCommitter(hconf, root.toString(), "frames").appendBatch(
        spark.createDataFrame(List.of(), io.talkset.schemas.FramesSchemas.FRAMES.struct()),
        "20261204T000000Z-aaaaaa", "{}\n");
    new io.talkset.jobs.io.TableCommitter(hconf, root.toString(), "clips").write(
        spark.createDataFrame(List.of(), io.talkset.schemas.ClipsSchema.SCHEMA.struct()),
        "{}\n");
    Path gen = Files.createDirectories(tmp.resolve("generated"));
    Files.write(gen.resolve("first.mp4"), new byte[100]);
    Path eval = root.resolve("evaluation");
    String[] args = {"--generated", gen.toString(), "--output", root.toString(),
        "--eval-output", "faulty://" + eval};
    EvaluateJob.Result first = EvaluateJob.process(spark, config(args));
    assertEquals(Map.of("unmatched", 1L), first.byStatus());
    String page = Files.readString(eval.resolve("index.html"));
    List<Row> summary = spark.read().parquet(eval.resolve("eval_summary").toString())
        .collectAsList();

    Files.write(gen.resolve("second.mp4"), new byte[100]);
    io.talkset.jobs.FaultyFileSystem.failCreating = "index.html";
    try {
      org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
          () -> EvaluateJob.process(spark, config(args)));
    } finally {
      io.talkset.jobs.FaultyFileSystem.failCreating = null;
    }
    // Its tables were written before the page failed; readers still see the first run's.
    assertEquals(List.of("first.mp4"), names(eval));
    assertEquals(summary, spark.read().parquet(eval.resolve("eval_summary").toString())
        .collectAsList());
    assertEquals(page, Files.readString(eval.resolve("index.html")));
    try (Stream<Path> l = Files.list(root)) {
      assertEquals(List.of(), l.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("eval")).filter(n -> !n.equals("evaluation")).toList(),
          "nothing but the evaluation root is visible beside it");
    }

    EvaluateJob.Result third = EvaluateJob.process(spark, config(args));
    assertEquals(Map.of("unmatched", 2L), third.byStatus());
    assertEquals(List.of("first.mp4", "second.mp4"), names(eval));
    assertTrue(Files.readString(eval.resolve("index.html")).contains("second.mp4"));
    try (Stream<Path> l = Files.list(root)) {
      assertEquals(List.of(), l.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(".evaluation.")).toList(), "staging and old copies gone");
    }
  }

  private List<String> names(Path eval) {
    List<String> n = new ArrayList<>();
    for (Row r : spark.read().parquet(eval.resolve("eval_clips").toString()).select("name")
        .orderBy("name").collectAsList()) {
      n.add(r.getString(0));
    }
    return n;
  }

  /** The cells after metric and scope of a summary row on a page (empty string: no value). */
  static List<String> pageRow(String html, String metric, String scope) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("<tr><td>" + metric
        + "</td><td>" + scope + "</td>(.*?)</tr>").matcher(html);
    assertTrue(m.find(), "no summary row " + metric + "/" + scope);
    List<String> cells = new ArrayList<>();
    java.util.regex.Matcher c = java.util.regex.Pattern.compile("<td[^>]*>(.*?)</td>")
        .matcher(m.group(1));
    while (c.find()) {
      cells.add(c.group(1));
    }
    assertEquals(8, cells.size(), m.group());
    return cells;
  }

  /** numpy's default (linear) percentile of sorted values. */
  static double percentile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  static double d(Row r, String column) {
    return r.getDouble(r.fieldIndex(column));
  }

  static String f(Row r, String column) {
    int i = r.fieldIndex(column);
    return r.isNullAt(i) ? "-" : String.format(Locale.ROOT, "%.3f", r.getDouble(i));
  }
}
