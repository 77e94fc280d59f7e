package io.talkset.jobs.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.TalkingDataset;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The sync stage on a real talking face with speech and on copies of it whose audio ffmpeg
 * moved by a known number of frames: the stored offsets differ from the original's by exactly
 * those numbers.
 */
class SyncJobSuite {
  private final SparkSession spark = SparkTestSession.get();

  static SyncConfig config(String out, String... extra) {
    String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("--output", out),
        java.util.stream.Stream.of(extra)).toArray(String[]::new);
    return SyncConfig.from(SyncConfig.options().parse(args));
  }

  @Test
  void storedOffsetsRecoverKnownAudioShiftsAndReRunsSkipDoneClips() throws Exception {
    TalkingDataset d = TalkingDataset.get();
    String out = d.root.toString();
    SyncJob.Result r = SyncJob.process(spark, config(out));
    assertEquals(3, r.processed());
    assertEquals(Map.of("ok", 3L), r.byStatus());
    Map<String, Row> byClip = new HashMap<>();
    List<Row> rows = spark.read().parquet(d.root.resolve("sync").toString())
        .orderBy("clip_id", "segment").collectAsList();
    for (Row s : rows) {
      System.out.printf(Locale.ROOT, "sync %s segment %d: frames %d-%d (%d used), %s, offset %s,"
          + " r %s, confidence %s%n", s.getString(0).substring(0, 8), s.getInt(1),
          s.getInt(s.fieldIndex("first_frame")), s.getInt(s.fieldIndex("last_frame")),
          s.getInt(s.fieldIndex("frames_used")), s.getString(s.fieldIndex("status")),
          s.get(s.fieldIndex("offset_frames")), s.get(s.fieldIndex("correlation")),
          s.get(s.fieldIndex("confidence")));
      if (s.getInt(s.fieldIndex("frames")) > 100) {
        byClip.putIfAbsent(s.getString(0), s);
      }
    }
    Row base = byClip.get(d.clipIds.get(TalkingDataset.name(0)));
    assertEquals("ok", base.getString(base.fieldIndex("status")));
    int offset = base.getInt(base.fieldIndex("offset_frames"));
    // No truth for the original itself (see the README: its curve has two peaks a syllable
    // apart); what is known is how far each copy's audio was moved.
    assertTrue(base.getDouble(base.fieldIndex("confidence")) > 0.2);
    assertEquals(31, base.getList(base.fieldIndex("correlations")).size());
    for (int k : TalkingDataset.SHIFTS) {
      Row s = byClip.get(d.clipIds.get(TalkingDataset.name(k)));
      assertEquals("ok", s.getString(s.fieldIndex("status")));
      assertEquals(offset + k, s.getInt(s.fieldIndex("offset_frames")), "audio moved by " + k);
      assertEquals((offset + k) / 25.0, s.getDouble(s.fieldIndex("offset_s")), 1e-12);
      assertEquals(s.getDouble(s.fieldIndex("correlation")), s.<Double>getList(
          s.fieldIndex("correlations")).get(offset + k + 15), 1e-12);
    }
    // The README's recipe: keep in-sync segments, or correct the others by their offset.
    long outOfSync = spark.read().parquet(d.root.resolve("sync").toString())
        .filter("status = 'ok' AND abs(offset_frames) > 2 AND confidence > 0.1").count();
    long expected = java.util.stream.IntStream.of(0, 5, -2)
        .filter(k -> Math.abs(offset + k) > 2).count();
    assertEquals(expected, outOfSync);

    SyncJob.Result again = SyncJob.process(spark, config(out));
    assertEquals(0, again.processed());
    assertEquals(3, again.skipped());
    assertEquals(rows.size(), spark.read().parquet(d.root.resolve("sync").toString()).count());
  }
}
