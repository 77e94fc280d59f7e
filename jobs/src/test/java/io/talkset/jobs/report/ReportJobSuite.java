package io.talkset.jobs.report;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.media.FfmpegProber;
import io.talkset.core.report.Chart;
import io.talkset.core.report.ContactSheet;
import io.talkset.core.report.Histogram;
import io.talkset.core.report.Html;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.audio.AudioConfig;
import io.talkset.jobs.audio.AudioJob;
import io.talkset.jobs.crawl.CrawlConfig;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.jobs.frames.FramesConfig;
import io.talkset.jobs.frames.FramesJob;
import io.talkset.jobs.pairs.PairsConfig;
import io.talkset.jobs.morphable.MorphableConfig;
import io.talkset.jobs.morphable.MorphableJob;
import io.talkset.jobs.pairs.PairsJob;
import io.talkset.jobs.params.ParamsConfig;
import io.talkset.jobs.params.ParamsJob;
import io.talkset.jobs.shards.ShardsConfig;
import io.talkset.jobs.shards.ShardsJob;
import io.talkset.testing.Chromium;
import io.talkset.testing.Samples;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report stage after every earlier stage on real media (one MEAD-style face video through
 * frames and params, RAVDESS-style speech through pairs, a corrupt file, a generic clip): the
 * numbers on the page against the tables and the media, every picture present and decodable,
 * and the page in headless Chromium.
 */
class ReportJobSuite {
  private static final Pattern CELL = Pattern.compile("<td[^>]*>(.*?)</td>");
  private static final SparkSession spark = SparkTestSession.get();
  @TempDir
  static Path tmp;
  /** The pipeline's output root (once for the suite: the earlier stages take a minute). */
  static Path out;
  static ReportJob.Result result;
  static String html;
  /** A folder name that would be markup if a page took it as HTML. */
  static final String ODD = "odd <b>&\"name'";

  static ReportConfig config(Path out, String... extra) {
    String[] args = Stream.concat(Stream.of("--output", out.toString()), Stream.of(extra))
        .toArray(String[]::new);
    return ReportConfig.from(ReportConfig.options().parse(args));
  }

  static List<Path> speech() {
    return List.of(Samples.get("speech/allison/confbridge-begin-glorious-a.wav"),
        Samples.get("speech/allison/confbridge-begin-glorious-b.wav"),
        Samples.get("speech/allison/confbridge-begin-glorious-c.wav"));
  }

  static void dataset(Path in) throws Exception {
    Path mead = Files.createDirectories(in.resolve("MEAD/M001/video/front/neutral/level_1"));
    Files.copy(Samples.get("video/forensics/movie-hello.mp4"), mead.resolve("001.mp4"));
    // RAVDESS actor 01: neutral, angry, happy (strong) say statement 01; a corrupt take.
    Path actor = Files.createDirectories(in.resolve("Actor_01"));
    List<Path> speech = speech();
    Files.copy(speech.get(0), actor.resolve("03-01-01-01-01-01-01.wav"));
    Files.copy(speech.get(1), actor.resolve("03-01-05-01-01-01-01.wav"));
    Files.copy(speech.get(2), actor.resolve("03-01-03-02-01-01-01.wav"));
    Files.write(actor.resolve("03-01-04-01-01-01-01.wav"),
        "RIFF\0\0\0\0WAVEnot really".getBytes(StandardCharsets.ISO_8859_1));
    // No known layout: dataset null, shown as generic; its folder, the clip's speaker, has a
    // name that is markup (aFolderNamedLikeMarkup... checks it).
    Path odd = Files.createDirectories(in.resolve(ODD));
    Files.copy(Samples.get("speech/allison/confbridge-has-joined.wav"), odd.resolve("x.wav"));
  }

  static void pipeline(Path in, Path out) throws Exception {
    CrawlJob.crawl(spark, new CrawlConfig(List.of(in.toString()), out.toString(),
        MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
        FfmpegProber.FrameCount.ESTIMATE, 0, false));
    AudioJob.process(spark, new AudioConfig(out.toString(), false, 120_000, 0));
    String[] models = {"--output", out.toString(), "--models", Samples.models().toString()};
    FramesJob.process(spark, FramesConfig.from(FramesConfig.options().parse(models)));
    ParamsJob.process(spark, ParamsConfig.from(ParamsConfig.options().parse(models)));
    PairsJob.process(spark, PairsConfig.from(PairsConfig.options().parse(
        new String[] {"--output", out.toString()})));
    MorphableJob.process(spark, MorphableConfig.from(MorphableConfig.options().parse(
        new String[] {"--output", out.toString()})));
  }

  /** The cells of the first table row whose first cell is {@code first}. */
  static List<String> row(String html, String first) {
    Matcher m = Pattern.compile("<tr><td>" + Pattern.quote(Html.escape(first))
        + "</td>(.*?)</tr>").matcher(html);
    assertTrue(m.find(), "no row for " + first);
    List<String> cells = new ArrayList<>(List.of(first));
    Matcher c = CELL.matcher(m.group(1));
    while (c.find()) {
      cells.add(c.group(1));
    }
    return cells;
  }

  @BeforeAll
  static void runEveryStageThenTheReport() throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    dataset(in);
    // An output root whose name needs escaping on the page.
    out = tmp.resolve("out <&> 'x'");
    pipeline(in, out);
    // The shards stage at its defaults, for the curation chart (no sync stage: its rules are
    // skipped, the others judge the sample faces).
    ShardsJob.process(spark, ShardsConfig.from(ShardsConfig.options().parse(
        new String[] {"--output", out.toString()})));
    Files.write(Files.createDirectories(out.resolve("report")).resolve("stale.png"),
        new byte[] {1});
    result = ReportJob.process(spark, config(out));
    html = Files.readString(out.resolve("report/index.html"), StandardCharsets.UTF_8);
  }

  @Test
  void aRunReplacesTheWholeFolderAndNamesTheRun() throws Exception {
    assertEquals(List.of("generic", "mead", "ravdess"), result.datasets());
    assertEquals(List.of(), result.missing());
    assertFalse(Files.exists(out.resolve("report/stale.png")), "a run replaces the folder");
    try (Stream<Path> s = Files.list(out)) {
      assertEquals(List.of(), s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(".report")).toList(), "no staging left");
    }
    try (Stream<Path> s = Files.list(out.resolve("report"))) {
      assertEquals(List.of(), s.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(".")).toList(), "no hidden files (checksums) beside the page");
    }
    assertTrue(html.contains(Html.escape(out.toString())), "output root shown, escaped");
    assertFalse(html.contains("<&>"));
    assertFalse(html.contains(">Evaluation</h2>"), "no evaluation under the root: no section");
    assertTrue(html.contains(Html.escape(io.talkset.jobs.runtime.Version.get())));
  }

  @Test
  void aFolderNamedLikeMarkupIsCountedAndNeverReachesThePageAsMarkup() throws Exception {
    // The name reaches the data the page is built from: the generic layout's speaker.
    Row x = spark.read().parquet(out.resolve("clips").toString())
        .filter(col("path").endsWith("/x.wav")).first();
    assertEquals(ODD, x.getString(x.fieldIndex("speaker")));
    assertEquals("ok", x.getString(x.fieldIndex("status")));
    // The page counts the clip and its speaker in the generic row...
    List<String> generic = row(html, "generic");
    assertEquals(List.of("generic", "1", "1"), generic.subList(0, 3));
    assertEquals("1", generic.get(4), "speakers");
    assertEquals("1", generic.get(5), "audio ok");
    // ...and the name never appears as markup: no <b> element anywhere, no raw name.
    assertFalse(html.contains(ODD));
    assertFalse(Pattern.compile("(?i)<b[\\s>]").matcher(html).find());
  }

  @Test
  void thePageShowsTheTablesNumbersPerDataset() throws Exception {
    ReportJob.Result r = result;
    // Overview numbers, each from the tables by a query of its own.
    Dataset<Row> clips = spark.read().parquet(out.resolve("clips").toString())
        .withColumn("ds", coalesce(col("dataset"), lit("generic")));
    Dataset<Row> ok = clips.filter(col("status").equalTo("ok"));
    Map<String, Long> frames = sumBy(out, "frames_clips", "frames_written");
    Map<String, Long> paramFrames = sumBy(out, "face_params_clips", "frames");
    for (String ds : r.datasets()) {
      List<String> cells = row(html, ds);
      Dataset<Row> okHere = ok.filter(col("ds").equalTo(ds));
      double seconds = okHere.agg(org.apache.spark.sql.functions.sum("duration_s")).first()
          .getDouble(0);
      assertEquals(Long.toString(clips.filter(col("ds").equalTo(ds)).count()), cells.get(1), ds);
      assertEquals(Long.toString(okHere.count()), cells.get(2), ds);
      assertEquals(String.format(Locale.ROOT, "%.3f", seconds / 3600), cells.get(3), ds);
      assertEquals(Long.toString(okHere.select("speaker").distinct().count()), cells.get(4), ds);
      assertEquals(Long.toString(okStatus(out, "audio_clips", okHere)), cells.get(5), ds);
      assertEquals(Long.toString(okStatus(out, "frames_clips", okHere)), cells.get(6), ds);
      assertEquals(Long.toString(frames.getOrDefault(ds, 0L)), cells.get(7), ds);
      assertEquals(Long.toString(okStatus(out, "face_params_clips", okHere)), cells.get(8), ds);
      assertEquals(Long.toString(paramFrames.getOrDefault(ds, 0L)), cells.get(9), ds);
      assertEquals(Long.toString(spark.read().parquet(out.resolve("pairs").toString())
          .filter(coalesce(col("dataset"), lit("generic")).equalTo(ds)
              .and(col("status").equalTo("ok"))).count()), cells.get(10), ds);
    }
    // And against what is known of the media: three readable RAVDESS takes of Allison's
    // speech (their length from the WAV headers), two of them paired with the neutral one; one
    // MEAD clip with face frames.
    List<String> ravdess = row(html, "ravdess");
    assertEquals(List.of("ravdess", "4", "3"), ravdess.subList(0, 3));
    assertEquals("2", ravdess.get(10));
    double wavSeconds = 0;
    for (Path wav : speech()) {
      AudioFileFormat f = AudioSystem.getAudioFileFormat(wav.toFile());
      wavSeconds += f.getFrameLength() / (double) f.getFormat().getFrameRate();
    }
    Matcher said = Pattern.compile("<p>4 clips, 3 ok: [0-9.]+ h \\(([0-9.]+) s\\)").matcher(html);
    assertTrue(said.find(), "ravdess summary line");
    System.out.printf(Locale.ROOT, "report: ravdess %s s on the page, %.3f s in the WAV"
        + " headers%n", said.group(1), wavSeconds);
    assertEquals(wavSeconds, Double.parseDouble(said.group(1)), 0.06);
    List<String> mead = row(html, "mead");
    assertEquals(List.of("mead", "1", "1"), mead.subList(0, 3));
    assertTrue(Long.parseLong(mead.get(7)) > 10, "mead face frames: " + mead.get(7));
    assertEquals(mead.get(7), mead.get(9), "one params row per face frame");

    // Emotion x intensity and status rows of the RAVDESS section, from the clips table.
    String section = html.substring(html.indexOf(">Dataset: ravdess</h2>"));
    section = section.substring(0, Math.max(section.indexOf("<h2", 5), 0) > 0
        ? section.indexOf("<h2", 5) : section.length());
    for (Row e : ok.filter(col("ds").equalTo("ravdess")).groupBy("emotion", "intensity")
        .count().collectAsList()) {
      List<String> cells = row(section, e.getString(0));
      assertTrue(cells.contains(Long.toString(e.getLong(2))), cells.toString());
      assertTrue(section.contains("<th>intensity " + Html.escape(e.getString(1)) + "</th>"));
    }
    assertEquals(3, ok.filter(col("ds").equalTo("ravdess")).select("emotion").distinct()
        .count());
    for (Row s : clips.filter(col("ds").equalTo("ravdess")).groupBy("status", "error_code")
        .count().collectAsList()) {
      String expected = "<tr><td>clips</td><td>" + Html.escape(s.getString(0)) + "</td><td>"
          + Html.escape(s.isNullAt(1) ? "" : s.getString(1)) + "</td><td class=\"num\">"
          + s.getLong(2) + "</td></tr>";
      assertTrue(section.contains(expected), expected + " in " + section);
    }
    assertTrue(section.contains("<td>clips</td><td>rejected</td>")
        || section.contains("<td>clips</td><td>failed</td>"), "the corrupt take is counted");
  }

  /** Every picture the page names, decoded, by name. */
  static Map<String, BufferedImage> images() throws Exception {
    Path dir = out.resolve("report");
    Matcher img = Pattern.compile("<img src=\"([^\"]+)\" width=\"(\\d+)\" height=\"(\\d+)\"")
        .matcher(html);
    Map<String, BufferedImage> images = new TreeMap<>();
    while (img.find()) {
      BufferedImage im = ImageIO.read(dir.resolve(img.group(1)).toFile());
      assertNotNull(im, img.group(1));
      assertEquals(Integer.parseInt(img.group(2)), im.getWidth(), img.group(1));
      assertEquals(Integer.parseInt(img.group(3)), im.getHeight(), img.group(1));
      images.put(img.group(1), im);
    }
    return images;
  }

  @Test
  void everyPictureExistsDecodesAndShowsItsData() throws Exception {
    ReportJob.Result r = result;
    Map<String, BufferedImage> images = images();
    for (String expected : List.of("d2-face-px.png", "d2-yaw.png", "d2-pitch.png",
        "d2-roll.png", "d2-crops.png", "d2-status.png", "d3-dtw-cost.png", "d3-dtw-paths.png",
        "d3-status.png", "d1-status.png", "d2-morph-exp1.png", "d2-morph-fit.png")) {
      assertTrue(images.containsKey(expected), expected + " among " + images.keySet());
    }
    assertEquals(images.size(), r.images());
    // The MEAD contact sheet: crops with landmark dots on them.
    BufferedImage sheet = images.get("d2-crops.png");
    int green = 0;
    for (int y = 0; y < sheet.getHeight(); y++) {
      for (int x = 0; x < sheet.getWidth(); x++) {
        green += sheet.getRGB(x, y) == ContactSheet.LANDMARK.getRGB() ? 1 : 0;
      }
    }
    assertTrue(green > 12 * 60, green + " landmark pixels on the sheet");

    // Spark's binning (floor((x - lo) / width), clamped) counts what Java's does.
    List<Double> px = new ArrayList<>();
    for (Row f : spark.read().parquet(out.resolve("frames").toString()).select("face_px")
        .collectAsList()) {
      px.add((double) f.getFloat(0));
    }
    Map<String, ReportJob.Stats> stats = new TreeMap<>();
    Dataset<Row> withSet = spark.read().parquet(out.resolve("frames").toString())
        .withColumn("dataset", lit("all"));
    ReportJob.histograms(withSet, "face_px", 30, stats);
    Histogram expected = Histogram.of(px.stream().mapToDouble(Double::doubleValue).toArray(), 30);
    assertArrayEquals(expected.counts(), stats.get("all").histograms.get("face_px").counts());
    assertEquals(expected.lo(), stats.get("all").histograms.get("face_px").lo());

    // The morphable chart's values: each frame's first expression coefficient.
    List<Double> exp1 = new ArrayList<>();
    for (Row m : spark.read().parquet(out.resolve("face_morphable").toString())
        .select("exp_coeffs").collectAsList()) {
      exp1.add(((Number) m.getList(0).get(0)).doubleValue());
    }
    assertTrue(exp1.size() > 100, exp1.size() + " frames with coefficients");
    Map<String, ReportJob.Stats> morph = new TreeMap<>();
    ReportJob.histograms(spark.read().parquet(out.resolve("face_morphable").toString())
        .select(org.apache.spark.sql.functions.try_element_at(col("exp_coeffs"), lit(1))
            .as("e1")).withColumn("dataset", lit("all")), "e1", 30, morph);
    Histogram e = Histogram.of(exp1.stream().mapToDouble(Double::doubleValue).toArray(), 30);
    assertArrayEquals(e.counts(), morph.get("all").histograms.get("e1").counts());
  }

  @Test
  void theCurationChartShowsTheFramesKeptAndRemovedPerRule() throws Exception {
    // From the curation table, per outcome, for the one dataset with face frames (MEAD).
    Dataset<Row> ds = spark.read().parquet(out.resolve("clips").toString())
        .select(col("clip_id"), coalesce(col("dataset"), lit("generic")).as("ds"));
    Map<String, Long> want = new TreeMap<>();
    for (Row x : spark.read().parquet(out.resolve("dataset/curation").toString())
        .join(ds, "clip_id").groupBy("ds", "outcome")
        .agg(org.apache.spark.sql.functions.sum("frames")).collectAsList()) {
      assertEquals("mead", x.getString(0), "only MEAD has face frames");
      want.put(x.getString(1), x.getLong(2));
    }
    long in = want.values().stream().mapToLong(Long::longValue).sum();
    assertEquals(spark.read().parquet(out.resolve("frames").toString()).count(), in);
    System.out.println("report curation: " + want);
    for (Map.Entry<String, Long> e : want.entrySet()) {
      List<String> cells = row(html, e.getKey());
      assertEquals(Long.toString(e.getValue()), cells.get(1), e.getKey());
      assertEquals(String.format(Locale.ROOT, "%.1f %%", 100.0 * e.getValue() / in),
          cells.get(2));
    }
    assertTrue(images().containsKey("d2-curation.png"));
    assertFalse(html.contains("No curation table"), "the table exists");
  }

  @Test
  void inABrowserEveryImageLoadsAndThePageIsNotBlank(@TempDir Path work) throws Exception {
    ReportJob.Result r = result;
    Map<String, BufferedImage> images = images();
    Chromium.Rendered shown = Chromium.render(out.resolve("report"), work, 1280, 2400);
    assertEquals(List.of(), shown.broken(), "images that did not load");
    assertEquals(images.size(), shown.loaded().size());
    double[] inkSpread = Chromium.inkAndSpread(shown.screenshot());
    // The charts themselves reached the screen: their bar colour, within rounding.
    long bars = Chromium.pixelsNear(shown.screenshot(), Chart.BAR, 6);
    System.out.printf(Locale.ROOT, "report: %d datasets, %d images all loaded in chromium;"
        + " screenshot %.1f%% ink, luma spread %.1f, %d bar pixels%n", r.datasets().size(),
        shown.loaded().size(), 100 * inkSpread[0], inkSpread[1], bars);
    assertTrue(bars > 1000, bars + " bar-coloured pixels on screen");
    assertTrue(inkSpread[0] > 0.03, "screenshot nearly blank: " + inkSpread[0]);
    assertTrue(inkSpread[1] > 20, "screenshot nearly uniform: " + inkSpread[1]);
  }

  @Test
  void anEmptyRootGivesAReportThatSaysWhatIsMissing(@TempDir Path out) throws Exception {
    ReportJob.Result r = ReportJob.process(spark, config(out));
    assertEquals(List.of(), r.datasets());
    assertEquals(List.of("clips", "audio_clips", "frames", "frames_clips", "face_params",
        "face_params_clips", "pairs", "face_morphable"), r.missing());
    assertEquals(0, r.images());
    String html = Files.readString(out.resolve("report/index.html"), StandardCharsets.UTF_8);
    assertTrue(html.contains("Table clips is missing or empty"), html);
    assertTrue(html.contains("No clips and no pairs found"), html);
    assertEquals(List.of("clips", "missing", "0"), row(html, "clips"));
  }

  /** Sum of a status table's column per dataset (through the manifest). */
  private static Map<String, Long> sumBy(Path out, String table, String column) {
    Dataset<Row> clips = spark.read().parquet(out.resolve("clips").toString())
        .select(col("clip_id"), coalesce(col("dataset"), lit("generic")).as("ds"));
    Map<String, Long> m = new HashMap<>();
    for (Row r : spark.read().parquet(out.resolve(table).toString()).join(clips, "clip_id")
        .groupBy("ds").agg(org.apache.spark.sql.functions.sum(column)).collectAsList()) {
      m.put(r.getString(0), r.isNullAt(1) ? 0 : r.getLong(1));
    }
    return m;
  }

  /** Clips of {@code okClips} whose status in a stage's table is ok. */
  private static long okStatus(Path out, String table, Dataset<Row> okClips) {
    return spark.read().parquet(out.resolve(table).toString())
        .filter(col("status").equalTo("ok")).join(okClips.select("clip_id"), "clip_id").count();
  }
}
