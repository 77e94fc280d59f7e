package io.talkset.jobs.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.export.Wav;
import io.talkset.core.media.FfmpegProber;
import io.talkset.jobs.ChildTalkset;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.crawl.CrawlConfig;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.testing.Samples;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale, not size: 2,000 short clips of real speech through the audio stage in a child JVM
 * with a 1 GiB heap (issue 18's check of the streaming stage). Before the stage streamed, a
 * task built every clip of its partition before returning, and partitions grow with the
 * collection: here each of the two tasks holds 1,000 clips.
 */
class ManyClipsSuite {
  private static final int CLIPS = 2_000;
  private static final int RATE = 16_000;
  private final SparkSession spark = SparkTestSession.get();

  @Test
  void twoThousandShortClipsAllOkInAOneGibHeap(@TempDir Path in, @TempDir Path out,
      @TempDir Path logs) throws Exception {
    // One second each, cut from LibriVox's readings at different offsets (so no two files
    // are the same bytes: the crawl would merge copies into one clip).
    float[] speech = readings();
    int len = RATE;
    long step = (speech.length - len) / CLIPS;
    assertTrue(step > 0, "samples: " + speech.length);
    for (int i = 0; i < CLIPS; i++) {
      float[] clip = new float[len];
      System.arraycopy(speech, (int) (i * step), clip, 0, len);
      Files.write(in.resolve(String.format("take-%04d.wav", i)), Wav.pcm16(clip, RATE));
    }
    CrawlJob.crawl(spark, new CrawlConfig(List.of(in.toString()), out.toString(),
        MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
        FfmpegProber.FrameCount.ESTIMATE, 2, false));
    assertEquals(CLIPS, spark.read().parquet(out.resolve("clips").toString())
        .filter(functions.col("status").equalTo("ok")).count());

    long t0 = System.nanoTime();
    Path log = logs.resolve("audio.log");
    ChildTalkset.Run run = ChildTalkset.run(log, List.of("-Dspark.master=local[2]"), 900,
        "audio", "--output", out.toString(), "--partitions", "2");
    double secs = (System.nanoTime() - t0) / 1e9;
    assertEquals(0, run.code(), ChildTalkset.tail(run.log()));

    List<Row> status = spark.read().parquet(out.resolve("audio_clips").toString())
        .select("status", "frames").collectAsList();
    Map<String, Long> byStatus = status.stream()
        .collect(Collectors.groupingBy(r -> r.getString(0), Collectors.counting()));
    long rows = spark.read().parquet(out.resolve("audio").toString()).count();
    System.out.printf("many clips: %d clips through audio in a 1 GiB child JVM (local[2], 2"
        + " tasks) in %.1f s; by status %s; %d frame rows%n", CLIPS, secs, byStatus, rows);
    assertEquals(Map.of("ok", (long) CLIPS), byStatus);
    // One second at 25 fps: 25 frames each, every one written.
    long frames = status.stream().mapToLong(r -> r.getInt(1)).sum();
    assertEquals(25L * CLIPS, frames);
    assertEquals(frames, rows);
  }

  /** The LibriVox readings (16 kHz mono PCM) end to end, as floats. */
  static float[] readings() throws Exception {
    List<float[]> parts = new ArrayList<>();
    int total = 0;
    for (String n : new String[] {"0870", "0880", "0890", "0920", "0930"}) {
      byte[] b = Files.readAllBytes(Samples.get(
          "speech/librivox/sense_and_sensibility_01_austen_64kb-" + n + ".wav"));
      float[] f = pcm16(b);
      parts.add(f);
      total += f.length;
    }
    float[] all = new float[total];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  /** The samples of a 16-bit PCM WAV file's data chunk. */
  static float[] pcm16(byte[] wav) {
    ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
    int at = 12;
    while (at + 8 <= wav.length) {
      String id = new String(wav, at, 4, StandardCharsets.US_ASCII);
      int size = b.getInt(at + 4);
      if (id.equals("data")) {
        int n = Math.min(size, wav.length - at - 8) / 2;
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
          f[i] = b.getShort(at + 8 + 2 * i) / 32768f;
        }
        return f;
      }
      at += 8 + size + (size & 1);
    }
    throw new IllegalArgumentException("no data chunk");
  }
}
