package io.talkset.jobs.shards;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.talkset.core.curate.CurationRules;
import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.curate.Rule;
import io.talkset.core.media.FfmpegProber;
import io.talkset.core.shards.SpeakerSplit;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.TalkingDataset;
import io.talkset.jobs.audio.AudioConfig;
import io.talkset.jobs.audio.AudioJob;
import io.talkset.jobs.crawl.CrawlConfig;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.jobs.export.ExportConfig;
import io.talkset.jobs.export.ExportJob;
import io.talkset.jobs.frames.FramesConfig;
import io.talkset.jobs.frames.FramesJob;
import io.talkset.jobs.params.ParamsConfig;
import io.talkset.jobs.params.ParamsJob;
import io.talkset.jobs.sync.SyncConfig;
import io.talkset.jobs.sync.SyncJob;
import io.talkset.schemas.FramesSchemas;
import io.talkset.testing.Python;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The curation rules on a real talking face (movie-hello and two copies whose audio ffmpeg moved
 * by +5 and -2 frames, through crawl, frames, params and sync): every rule removes exactly the
 * frames that break it, as a second implementation in Python (pyarrow over the same stage
 * tables, written from the README's definitions) says; the dataset holds exactly the kept
 * frames; the curation table and dataset.json add up to the frames in and out; the training
 * windows are the reference's, of kept frames only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CurationSuite {
  private final SparkSession spark = SparkTestSession.get();
  private final ObjectMapper json = new ObjectMapper();
  @TempDir static Path tmp;
  private Path out;
  private JsonNode ref;

  @BeforeAll
  void stages() throws Exception {
    TalkingDataset d = TalkingDataset.get();
    out = tmp.resolve("out");
    // A copy: this suite writes OUTPUT/dataset, which the shared dataset's readers do not expect.
    org.apache.commons.io.FileUtils.copyDirectory(d.root.toFile(), out.toFile());
    SyncJob.process(spark, SyncConfig.from(SyncConfig.options().parse(
        new String[] {"--output", out.toString()})));
    Path script = tmp.resolve("curation_reference.py");
    try (var s = CurationSuite.class.getResourceAsStream("/reference/curation_reference.py")) {
      Files.write(script, s.readAllBytes());
    }
    ref = json.readTree(Tools.run(Python.venv().toString(), script.toString(), out.toString()));
  }

  /** {@code --curate none} and one option per limit, as a user would write them. */
  ShardsConfig config(Map<String, Double> limits, String... extra) {
    List<String> a = new ArrayList<>(List.of("--output", out.toString(), "--curate", "none",
        "--shard-audio", "none"));
    limits.forEach((rule, v) -> a.addAll(List.of("--" + Rule.of(rule).option(),
        Double.toString(v))));
    a.addAll(List.of(extra));
    return ShardsConfig.from(ShardsConfig.options().parse(a.toArray(new String[0])));
  }

  static Map<String, Double> limits(JsonNode n) {
    Map<String, Double> m = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      m.put(e.getKey(), e.getValue().asDouble());
    }
    return m;
  }

  static Map<String, String> strings(JsonNode n) {
    Map<String, String> m = new TreeMap<>();
    n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }

  /** "clip/frame" to the removing rule, for every frame the job's curation removes. */
  Map<String, String> removed(CurationRules rules) throws Exception {
    Curation.Result r = Curation.apply(spark, out.toString(), rules,
        ShardsJob.readOk(spark, out.toString(), FramesSchemas.FRAMES)
            .withColumn("split", lit("train")));
    try {
      assertEquals(Map.of(), r.skipped(), "every stage ran");
      Map<String, String> m = new TreeMap<>();
      for (Row v : r.verdicts().filter(col("outcome").notEqual(Curation.KEPT))
          .select("clip_id", "frame_index", "outcome").collectAsList()) {
        m.put(v.getString(0) + "/" + v.getInt(1), v.getString(2));
      }
      assertEquals(ref.get("frames").asLong(), r.verdicts().count(), "one verdict per frame");
      return m;
    } finally {
      r.close();
    }
  }

  @Test
  void eachRuleAloneRemovesExactlyTheFramesThatBreakIt() throws Exception {
    long frames = ref.get("frames").asLong();
    int bite = 0;
    int any = 0;
    for (Rule rule : Rule.values()) {
      JsonNode c = ref.get("alone").get(rule.label());
      double limit = c.get("limit").asDouble();
      Map<String, String> expected = strings(c.get("removed"));
      Map<String, String> actual = removed(CurationRules.none().with(rule, limit));
      System.out.printf(Locale.ROOT, "curation %-15s limit %-10s removes %4d of %d frames%n",
          rule.label(), CurationRules.number(limit), actual.size(), frames);
      assertEquals(expected, actual, rule.label() + " at " + limit);
      if (!actual.isEmpty() && actual.size() < frames) {
        bite++;
      }
      any += actual.isEmpty() ? 0 : 1;
    }
    // The medians leave frames on both sides of seven rules; identity spread, upscale, outside
    // share and faces are the same on the three copies of one video, so their limits sit just
    // under that value and the rule removes every frame (outside: where not exactly 0).
    assertTrue(bite >= 7, bite + " rules removed some frames but not all");
    assertTrue(any >= 10, any + " rules removed frames");
  }

  @Test
  void shortRunsLeftBetweenBlurryFramesAreCutAsTheReferenceCutsThem() throws Exception {
    JsonNode c = ref.get("blur_then_runs");
    CurationRules rules = CurationRules.none();
    for (Map.Entry<String, Double> e : limits(c.get("limits")).entrySet()) {
      rules = rules.with(Rule.of(e.getKey()), e.getValue());
    }
    Map<String, String> actual = removed(rules);
    assertEquals(strings(c.get("removed")), actual);
    assertTrue(actual.containsValue("segment_length"), "blur leaves short runs: " + actual
        .values().stream().filter("segment_length"::equals).count());
  }

  @Test
  void theDatasetHoldsTheKeptFramesAndTheCurationTableAddsUp() throws Exception {
    Map<String, Double> limits = limits(ref.get("together").get("limits"));
    Map<String, String> expected = strings(ref.get("together").get("removed"));
    ShardsJob.Result r = ShardsJob.process(spark, config(limits, "--window-seconds", "2",
        "--window-hop", "1"));
    assertFalse(r.skipped());
    System.out.println("curation together: " + r.curation());

    // The frames tables hold every frame but the removed ones, once.
    Map<String, Integer> segmentFrames = new HashMap<>();
    ref.get("segments").fields().forEachRemaining(e -> segmentFrames.put(e.getKey(),
        e.getValue().asInt()));
    TreeSet<String> kept = new TreeSet<>();
    Map<String, Integer> keptPerClip = new HashMap<>();
    for (String s : SpeakerSplit.NAMES) {
      for (Row x : spark.read().parquet(out.resolve("dataset").resolve(s).resolve("frames")
          .toString()).select("clip_id", "frame_index").collectAsList()) {
        assertTrue(kept.add(x.getString(0) + "/" + x.getInt(1)));
        keptPerClip.merge(x.getString(0), 1, Integer::sum);
      }
      for (Row c : spark.read().parquet(out.resolve("dataset").resolve(s).resolve("clips")
          .toString()).select("clip_id", "shard_frames").collectAsList()) {
        assertEquals(keptPerClip.getOrDefault(c.getString(0), 0), c.getInt(1), c.getString(0));
      }
    }
    long frames = ref.get("frames").asLong();
    assertEquals(frames - expected.size(), kept.size());
    for (String k : kept) {
      assertFalse(expected.containsKey(k), k + " was to be removed by " + expected.get(k));
    }
    assertTrue(kept.size() > 0 && !expected.isEmpty(), kept.size() + " kept");

    // The curation table: per segment, its rows add up to the segment's frames; per outcome
    // and rule, the reference's counts; kept rows equal the dataset's rows.
    Map<String, Long> want = new TreeMap<>();
    for (String seg : segmentFrames.keySet()) {
      want.put(seg + " kept", 0L);
    }
    Map<String, String> segmentOf = new HashMap<>();
    for (Row f : ShardsJob.readOk(spark, out.toString(), FramesSchemas.FRAMES)
        .select("clip_id", "frame_index", "segment").collectAsList()) {
      segmentOf.put(f.getString(0) + "/" + f.getInt(1), f.getString(0) + "/" + f.getInt(2));
    }
    segmentOf.forEach((frame, seg) -> want.merge(seg + " " + expected.getOrDefault(frame,
        "kept"), 1L, Long::sum));
    want.values().removeIf(v -> v == 0);
    Map<String, Long> got = new TreeMap<>();
    Map<String, Long> sums = new HashMap<>();
    List<Row> table = spark.read().parquet(out.resolve("dataset/curation").toString())
        .collectAsList();
    for (Row c : table) {
      String seg = c.getString(c.fieldIndex("clip_id")) + "/" + c.getInt(c.fieldIndex("segment"));
      String outcome = c.getString(c.fieldIndex("outcome"));
      int n = c.getInt(c.fieldIndex("frames"));
      got.merge(seg + " " + outcome, (long) n, Long::sum);
      sums.merge(seg, (long) n, Long::sum);
      assertEquals(segmentFrames.get(seg), c.getInt(c.fieldIndex("segment_frames")), seg);
      assertEquals(outcome.equals("kept"), c.isNullAt(c.fieldIndex("reason")), seg);
      assertEquals(outcome.equals("kept"), c.isNullAt(c.fieldIndex("level")), seg);
      assertTrue(c.getInt(c.fieldIndex("last_frame")) - c.getInt(c.fieldIndex("first_frame"))
          >= n - 1);
      assertEquals("train", c.getString(c.fieldIndex("split")), "one speaker: train");
    }
    assertEquals(want, got);
    // Re-timing: each clip's audio shift, on every row of the clip, is the reference's.
    Map<String, Integer> shifts = new TreeMap<>();
    for (Row c : table) {
      Integer before = shifts.put(c.getString(c.fieldIndex("clip_id")),
          c.getInt(c.fieldIndex("audio_shift_frames")));
      assertTrue(before == null || before == c.getInt(c.fieldIndex("audio_shift_frames")));
    }
    Map<String, Integer> wantShifts = new TreeMap<>();
    ref.get("together_shifts").fields().forEachRemaining(e -> wantShifts.put(e.getKey(),
        e.getValue().asInt()));
    System.out.println("curation together: audio shifts " + shifts);
    assertEquals(wantShifts, shifts);
    assertTrue(shifts.values().stream().anyMatch(x -> x != 0), "a clip is re-timed");
    for (Map.Entry<String, Integer> e : segmentFrames.entrySet()) {
      assertEquals((long) e.getValue(), sums.get(e.getKey()), e.getKey());
    }

    // dataset.json: the rules as given, the counts in and out.
    JsonNode d = json.readTree(out.resolve("dataset/dataset.json").toFile());
    JsonNode cur = d.get("curation");
    assertEquals(frames, cur.get("frames_in").asLong());
    assertEquals(kept.size(), cur.get("frames_kept").asLong());
    long removedSum = 0;
    for (Rule rule : Rule.values()) {
      long n = expected.values().stream().filter(rule.label()::equals).count();
      assertEquals(n, cur.get("frames_removed_by_rule").get(rule.label()).asLong(),
          rule.label());
      removedSum += n;
      assertEquals(limits.get(rule.label()), cur.get("rules").get(rule.label()).get("limit")
          .asDouble(), rule.label());
      assertEquals(limits.get(rule.label()), d.get("parameters").get("curation")
          .get(rule.label()).get("limit").asDouble());
    }
    assertEquals(frames, kept.size() + removedSum);
    assertEquals(frames, cur.get("by_split").get("train").get("frames_in").asLong());
    assertEquals(0, cur.get("skipped").size());
    assertEquals(table.size() > 0 ? 1 : 0, cur.get("files").asInt());
    assertEquals(3, cur.get("face_clips_in").asLong());

    // Training windows of 2 s every 1 s over the kept frames: the reference's windows, each
    // of kept frames only, with its audio range at 640 samples a frame.
    List<String> windows = new ArrayList<>();
    for (String s : SpeakerSplit.NAMES) {
      for (Row w : spark.read().parquet(out.resolve("dataset").resolve(s).resolve("windows")
          .toString()).collectAsList()) {
        String clip = w.getString(w.fieldIndex("clip_id"));
        int segment = w.getInt(w.fieldIndex("segment"));
        int first = w.getInt(w.fieldIndex("first_frame"));
        int last = w.getInt(w.fieldIndex("last_frame"));
        windows.add(clip + "/" + segment + "/" + first + "/" + last);
        assertEquals(String.format(Locale.ROOT, "%s_%d_%06d", clip, segment, first),
            w.getString(w.fieldIndex("window_id")));
        assertEquals(50, w.getInt(w.fieldIndex("frames")));
        assertEquals(640L * first, w.getLong(w.fieldIndex("first_sample")));
        assertEquals(640L * (last + 1), w.getLong(w.fieldIndex("end_sample")));
        assertEquals(first / 25.0, w.getDouble(w.fieldIndex("start_s")), 1e-12);
        assertEquals(shifts.get(clip), w.getInt(w.fieldIndex("audio_shift_frames")), clip);
        assertEquals((last + 1) / 25.0, w.getDouble(w.fieldIndex("end_s")), 1e-12);
        for (int f = first; f <= last; f++) {
          assertTrue(kept.contains(clip + "/" + f), clip + "/" + f + " in a window, not kept");
        }
      }
    }
    windows.sort(null);
    List<String> wantWindows = new ArrayList<>();
    ref.get("together").get("windows_2s_hop_1s").forEach(n -> wantWindows.add(n.asText()));
    assertEquals(wantWindows, windows);
    assertTrue(windows.size() >= 3, windows.toString());
    assertEquals(windows.size(), d.get("windows").get("counts").get("train").asLong());
    assertEquals(50, d.get("windows").get("frames").asInt());
    assertEquals(25, d.get("windows").get("hop_frames").asInt());
  }

  /**
   * The copy whose audio ffmpeg delayed by 5 frames ({@code late.mp4}), and that copy with its
   * audio moved back by the offset the sync stage measured on it ({@code back.mp4}: offset 0 by
   * construction; ffmpeg copies the same AAC packets, only their timestamps move), through
   * crawl, audio, frames, params and sync; built once for the tests that read it.
   *
   * @param offset the sync stage's offset on the delayed copy (the original's)
   * @param file clip id to file name
   */
  record Shifted(Path root, int offset, Map<String, String> file) {
    String id(String name) {
      return file.entrySet().stream().filter(e -> e.getValue().equals(name)).findFirst()
          .orElseThrow().getKey();
    }
  }

  private Shifted shifted;

  synchronized Shifted shifted() throws Exception {
    if (shifted != null) {
      return shifted;
    }
    TalkingDataset d = TalkingDataset.get();
    Path late = d.input.resolve(TalkingDataset.name(5));
    Row measured = spark.read().parquet(out.resolve("sync").toString())
        .filter(col("clip_id").equalTo(d.clipIds.get(TalkingDataset.name(5)))
            .and(col("frames").gt(100))).first();
    int offset = measured.getInt(measured.fieldIndex("offset_frames"));
    assertTrue(Math.abs(offset) > 2, "the delayed copy is out of sync: " + offset);
    Path in = Files.createDirectories(tmp.resolve("shifted-in"));
    Files.copy(late, in.resolve("late.mp4"));
    Tools.ffmpeg("-i", late.toString(), "-itsoffset", String.valueOf(-offset / 25.0), "-i",
        late.toString(), "-map", "0:v", "-map", "1:a", "-c", "copy",
        in.resolve("back.mp4").toString());
    Path root = tmp.resolve("shifted-out");
    CrawlJob.crawl(spark, new CrawlConfig(List.of(in.toString()), root.toString(),
        MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
        FfmpegProber.FrameCount.ESTIMATE, 0, false));
    // With every frame's samples, so the re-timed audio can be compared sample by sample.
    AudioJob.process(spark, new AudioConfig(root.toString(), true, 120_000, 0));
    String[] models = {"--output", root.toString(), "--models", Samples.models().toString()};
    FramesJob.process(spark, FramesConfig.from(FramesConfig.options().parse(models)));
    ParamsJob.process(spark, ParamsConfig.from(ParamsConfig.options().parse(models)));
    SyncJob.process(spark, SyncConfig.from(SyncConfig.options().parse(
        new String[] {"--output", root.toString()})));
    Map<String, String> file = new HashMap<>();
    for (Row c : spark.read().parquet(root.resolve("clips").toString())
        .select("clip_id", "path").collectAsList()) {
      file.put(c.getString(0), Path.of(c.getString(1)).getFileName().toString());
    }
    shifted = new Shifted(root, offset, file);
    return shifted;
  }

  @Test
  void theSyncRuleDropsAClipWhoseAudioFfmpegMovedAndKeepsTheCopyMovedBack() throws Exception {
    // The copy whose audio ffmpeg delayed by 5 frames, and that copy with its audio moved back
    // by the offset the sync stage measured on it: offset 0 by construction.
    Shifted sh = shifted();
    Path root = sh.root();
    int offset = sh.offset();

    // The hd sync limits alone (the webcam face fails the picture rules).
    ShardsJob.Result r = ShardsJob.process(spark, ShardsConfig.from(ShardsConfig.options().parse(
        new String[] {"--output", root.toString(), "--curate", "none", "--shard-audio", "none",
            "--curate-sync-max-offset", "2", "--curate-sync-min-confidence", "0.1"})));
    Map<String, String> file = sh.file();
    Map<String, Long> kept = new TreeMap<>();
    Map<String, Long> removed = new TreeMap<>();
    Map<String, Integer> syncOffset = new TreeMap<>();
    for (Row c : spark.read().parquet(root.resolve("dataset/curation").toString())
        .collectAsList()) {
      String name = file.get(c.getString(c.fieldIndex("clip_id")));
      String outcome = c.getString(c.fieldIndex("outcome"));
      (outcome.equals("kept") ? kept : removed).merge(name, (long) c.getInt(c.fieldIndex(
          "frames")), Long::sum);
      assertEquals(0, c.getInt(c.fieldIndex("audio_shift_frames")), "re-timing off");
      if (!outcome.equals("kept") && c.getInt(c.fieldIndex("segment_frames")) > 100) {
        assertEquals("sync_offset", outcome);
        assertEquals(String.format(Locale.ROOT, "audio offset %+d frames, beyond ±2", offset),
            c.getString(c.fieldIndex("reason")));
      }
    }
    for (Row s : spark.read().parquet(root.resolve("sync").toString()).filter(col("frames")
        .gt(100)).collectAsList()) {
      syncOffset.put(file.get(s.getString(0)), s.getInt(s.fieldIndex("offset_frames")));
    }
    System.out.println("sync rule: offsets " + syncOffset + ", kept " + kept + ", removed "
        + removed);
    assertEquals(Map.of("back.mp4", 0, "late.mp4", offset), syncOffset);
    assertTrue(kept.getOrDefault("back.mp4", 0L) > 150, "the copy moved back is kept: " + kept);
    assertEquals(0L, kept.getOrDefault("late.mp4", 0L), "the delayed copy is dropped");
    assertTrue(removed.get("late.mp4") > 150);
    assertEquals((long) r.curation().get("frames_kept"), kept.values().stream()
        .mapToLong(Long::longValue).sum());
  }

  @Test
  void reTimingKeepsTheDelayedCopyWithItsAudioMovedBackByTheMeasuredOffset() throws Exception {
    Shifted sh = shifted();
    Path root = sh.root();
    int offset = sh.offset();
    String late = sh.id("late.mp4");
    String back = sh.id("back.mp4");
    ShardsJob.Result r = ShardsJob.process(spark, ShardsConfig.from(ShardsConfig.options().parse(
        new String[] {"--output", root.toString(), "--curate", "none", "--shard-audio",
            "evp,wav2lip,hdtf,samples", "--curate-sync-max-offset", "2",
            "--curate-sync-min-confidence", "0.1", "--curate-sync-retime", "15"})));
    System.out.println("sync re-timing: offset " + offset + ", curation " + r.curation());

    // The curation table: the delayed copy is re-timed by minus the sync stage's offset, the
    // copy moved back not at all; each segment's rows add up to its frames, all to the frames in.
    Map<String, Integer> grid = new HashMap<>();
    for (Row g : spark.read().parquet(root.resolve("frames_clips").toString())
        .filter(col("status").equalTo("ok")).select("clip_id", "grid_frames").collectAsList()) {
      grid.put(g.getString(0), g.getInt(1));
    }
    Map<String, Integer> segmentOf = new HashMap<>();
    Map<String, Integer> segmentFrames = new HashMap<>();
    for (Row f : ShardsJob.readOk(spark, root.toString(), FramesSchemas.FRAMES)
        .select("clip_id", "frame_index", "segment").collectAsList()) {
      segmentOf.put(f.getString(0) + "/" + f.getInt(1), f.getInt(2));
      segmentFrames.merge(f.getString(0) + "/" + f.getInt(2), 1, Integer::sum);
    }
    Map<String, Long> sums = new HashMap<>();
    Map<String, Long> byOutcome = new TreeMap<>();
    Row edge = null;
    for (Row c : spark.read().parquet(root.resolve("dataset/curation").toString())
        .collectAsList()) {
      String clip = c.getString(c.fieldIndex("clip_id"));
      String seg = clip + "/" + c.getInt(c.fieldIndex("segment"));
      long n = c.getInt(c.fieldIndex("frames"));
      sums.merge(seg, n, Long::sum);
      byOutcome.merge(sh.file().get(clip) + " " + c.getString(c.fieldIndex("outcome")), n,
          Long::sum);
      assertEquals(segmentFrames.get(seg), c.getInt(c.fieldIndex("segment_frames")), seg);
      assertEquals(clip.equals(late) ? -offset : 0, c.getInt(c.fieldIndex("audio_shift_frames")),
          seg);
      if (c.getString(c.fieldIndex("outcome")).equals("sync_retime")) {
        assertEquals(null, edge, "one run of edge frames");
        edge = c;
      }
    }
    System.out.println("sync re-timing: frames by clip and outcome " + byOutcome);
    assertEquals(segmentFrames.keySet(), sums.keySet());
    segmentFrames.forEach((seg, n) -> assertEquals((long) n, sums.get(seg), seg));
    long in = segmentOf.size();
    assertEquals(in, byOutcome.values().stream().mapToLong(Long::longValue).sum());
    assertTrue(byOutcome.getOrDefault("late.mp4 kept", 0L) > 150, "re-timed and kept: "
        + byOutcome);
    assertEquals(r.curation().get("frames_kept"), byOutcome.get("late.mp4 kept")
        + byOutcome.get("back.mp4 kept"));
    // The edge: audio `offset` frames late, moved earlier, leaves the last `offset` frames of
    // the grid (of the kept segment) without audio; exactly those are cut, with the reason.
    int lastGrid = grid.get(late) - 1;
    long wantEdge = segmentOf.keySet().stream().filter(k -> k.startsWith(late + "/"))
        .mapToInt(k -> Integer.parseInt(k.substring(late.length() + 1)))
        .filter(t -> t + offset > lastGrid || t + offset < 0)
        .filter(t -> segmentOf.get(late + "/" + t) == edgeSegment(root, late))
        .count();
    assertTrue(wantEdge > 0, "the kept segment reaches the clip's end");
    assertEquals(wantEdge, edge == null ? 0 : edge.getInt(edge.fieldIndex("frames")));
    assertEquals(late, edge.getString(edge.fieldIndex("clip_id")));
    assertTrue(offset > 0, "the delayed copy's audio is late: " + offset);
    assertEquals(grid.get(late) - offset, edge.getInt(edge.fieldIndex("first_frame")));
    assertEquals(String.format(Locale.ROOT, "no audio after re-timing the clip by %+d frames",
        -offset), edge.getString(edge.fieldIndex("reason")));

    // dataset.json: the re-timed clip, its shift, the frames it kept and lost at its edge.
    JsonNode cur = json.readTree(root.resolve("dataset/dataset.json").toFile()).get("curation");
    JsonNode retimed = cur.get("retimed");
    assertEquals(1, retimed.get("clips").asInt());
    assertEquals(1, retimed.get("clips_by_shift_frames").get(String.format(Locale.ROOT, "%+d",
        -offset)).asInt());
    assertEquals(byOutcome.get("late.mp4 kept"), retimed.get("frames_kept").asLong());
    assertEquals(wantEdge, retimed.get("frames_removed_at_edges").asLong());
    assertEquals(wantEdge, cur.get("frames_removed_by_rule").get("sync_retime").asLong());
    assertEquals(in, cur.get("frames_in").asLong());
    assertEquals(15, cur.get("rules").get("sync_retime").get("limit").asInt());

    // The dataset's per-frame audio: the re-timed copy's equals the copy moved back over the
    // frames both kept, while the audio stage's own rows (unchanged) differ.
    Map<String, Map<Integer, Row>> rows = new HashMap<>();
    for (String s : SpeakerSplit.NAMES) {
      for (Row f : spark.read().parquet(root.resolve("dataset").resolve(s).resolve("frames")
          .toString()).select("clip_id", "frame_index", "evp", "wav2lip", "hdtf", "samples")
          .collectAsList()) {
        rows.computeIfAbsent(f.getString(0), k -> new TreeMap<>()).put(f.getInt(1), f);
      }
    }
    Map<Integer, Row> stage = new HashMap<>();
    for (Row a : spark.read().parquet(root.resolve("audio").toString())
        .filter(col("clip_id").equalTo(late)).select("clip_id", "frame_index", "evp", "wav2lip",
            "hdtf", "samples").collectAsList()) {
      stage.put(a.getInt(1), a);
    }
    TreeSet<Integer> shared = new TreeSet<>(rows.get(late).keySet());
    shared.retainAll(rows.get(back).keySet());
    assertTrue(shared.size() > 150, shared.size() + " frames in both");
    // Both copies decode the same AAC packets (ffmpeg copied them, only their timestamps moved),
    // so the 16 kHz samples are bit-identical but for the first frame of the moved-back copy,
    // where the audio stage's resampler starts (measured 1.4e-4, about 5 LSB of 16-bit audio).
    // EVP's and HDTF's windows, on 10 ms hops (0.56 s is 56 of them), are then identical too
    // wherever they lie inside both copies' audio: EVP's 0.12 s padding and window reach 4
    // frames, HDTF's one, past each end of the moved-back copy's audio (measured: 0 inside).
    // Wav2Lip's mel rows are 12.5 ms apart, so a 14-frame shift (44.8 rows) samples every
    // window 10 ms apart and no row can be equal: it is checked against the neighbouring
    // shifts instead.
    int first = shared.first();
    int last = shared.last();
    Map<String, Integer> margin = Map.of("samples", 0, "evp", 4, "hdtf", 1);
    for (String column : List.of("samples", "evp", "hdtf")) {
      int m = margin.get(column);
      double worst = 0;
      double unshifted = 0;
      for (int t : shared) {
        double d = maxDiff(rows.get(late).get(t), rows.get(back).get(t), column);
        unshifted = Math.max(unshifted, maxDiff(stage.get(t), rows.get(back).get(t), column));
        if (column.equals("samples") && t == first) {
          assertTrue(d < 2e-4, "the resampler's start: " + d);
        } else if (t >= first + m && t <= last - m) {
          worst = Math.max(worst, d);
        }
      }
      System.out.printf(Locale.ROOT, "sync re-timing: %-7s frames %d..%d: re-timed vs moved"
          + " back max |diff| %.3g; the stage's unshifted rows %.3g%n", column, first + m,
          last - m, worst, unshifted);
      assertEquals(0.0, worst, 1e-6, column);
      assertTrue(unshifted > 0.1, column + ": unshifted rows differ");
    }
    double[] mean = new double[3];
    int n = 0;
    for (int t = first + 1; t <= last - 6; t++) {
      Row b = rows.get(back).get(t);
      if (b == null || !shared.contains(t) || !stage.containsKey(t + offset + 1) || !stage.containsKey(t + offset - 1)) {
        continue;
      }
      mean[0] += meanDiff(rows.get(late).get(t), b, "wav2lip");
      mean[1] += meanDiff(stage.get(t + offset - 1), b, "wav2lip");
      mean[2] += meanDiff(stage.get(t + offset + 1), b, "wav2lip");
      n++;
    }
    System.out.printf(Locale.ROOT, "sync re-timing: wav2lip mean |diff| to the moved-back copy"
        + " over %d frames: re-timed %.3f, one frame less %.3f, one frame more %.3f%n", n,
        mean[0] / n, mean[1] / n, mean[2] / n);
    assertTrue(n > 150 && mean[0] < 0.5 * Math.min(mean[1], mean[2]), "wav2lip");

    // The export cuts the re-timed clip's WAV by the same shift: its samples equal the moved-back
    // copy's over the frames both exported.
    Path exported = tmp.resolve("retimed-frames");
    ExportJob.process(spark, ExportConfig.from(ExportConfig.options().parse(new String[] {
        "--output", root.toString(), "--format", "frames", "--export-output",
        exported.toString()})));
    JsonNode lateJson = json.readTree(exported.resolve("train").resolve(late).resolve("clip.json")
        .toFile());
    JsonNode backJson = json.readTree(exported.resolve("train").resolve(back).resolve("clip.json")
        .toFile());
    assertEquals(-offset, lateJson.get("audio_shift_frames").asInt());
    assertEquals(0, backJson.get("audio_shift_frames").asInt());
    short[] lateWav = pcm(exported.resolve("train").resolve(late).resolve("audio.wav"));
    short[] backWav = pcm(exported.resolve("train").resolve(back).resolve("audio.wav"));
    int lateFirst = lateJson.get("first_frame").asInt();
    int backFirst = backJson.get("first_frame").asInt();
    int from = Math.max(lateFirst, backFirst);
    int to = Math.min(lateJson.get("last_frame").asInt(), backJson.get("last_frame").asInt());
    assertTrue(to - from > 150, from + ".." + to);
    int worstWav = 0;
    int worstUnshifted = 0;
    long differing = 0;
    for (int t = from; t <= to; t++) {
      for (int k = 0; k < 640; k++) {
        int d = Math.abs(lateWav[640 * (t - lateFirst) + k] - backWav[640 * (t - backFirst) + k]);
        worstWav = Math.max(worstWav, d);
        differing += d == 0 ? 0 : 1;
        if (t + offset <= to) {
          worstUnshifted = Math.max(worstUnshifted, Math.abs(lateWav[640 * (t - lateFirst) + k]
              - backWav[640 * (t + offset - backFirst) + k]));
        }
      }
    }
    System.out.printf(Locale.ROOT, "sync re-timing: exported WAVs over frames %d..%d: max |diff|"
        + " %d LSB, %d samples differ; shifted by the offset again %d LSB%n", from, to, worstWav,
        differing, worstUnshifted);
    // The same AAC packets, decoded as the audio stage decodes: equal but for the resampler's
    // start on the moved-back copy (5 samples within 5 LSB measured; 8 allowed, in one frame).
    assertTrue(worstWav <= 8 && differing <= 640, worstWav + " LSB, " + differing + " samples");
    assertTrue(worstUnshifted > 1000, "without the shift the WAVs differ: " + worstUnshifted);
  }

  private static double meanDiff(Row a, Row b, String column) {
    List<Float> x = a.getList(a.fieldIndex(column));
    List<Float> y = b.getList(b.fieldIndex(column));
    double m = 0;
    for (int i = 0; i < x.size(); i++) {
      m += Math.abs(x.get(i) - y.get(i));
    }
    return m / x.size();
  }

  /** The 16-bit samples of a WAV the export wrote (a 44-byte header, then the data). */
  private static short[] pcm(Path wav) throws Exception {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(wav))
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    assertEquals("data", new String(Files.readAllBytes(wav), 36, 4,
        java.nio.charset.StandardCharsets.US_ASCII));
    short[] s = new short[b.getInt(40) / 2];
    for (int i = 0; i < s.length; i++) {
      s[i] = b.getShort(44 + 2 * i);
    }
    return s;
  }

  /** The segment of the re-timed clip that the sync rule keeps (its longest). */
  private int edgeSegment(Path root, String clip) {
    return spark.read().parquet(root.resolve("sync").toString())
        .filter(col("clip_id").equalTo(clip)).orderBy(col("frames").desc()).first()
        .getInt(1);
  }

  private static double maxDiff(Row a, Row b, String column) {
    List<Float> x = a.getList(a.fieldIndex(column));
    List<Float> y = b.getList(b.fieldIndex(column));
    assertEquals(x.size(), y.size(), column);
    double m = 0;
    for (int i = 0; i < x.size(); i++) {
      m = Math.max(m, Math.abs(x.get(i) - y.get(i)));
    }
    return m;
  }

  @Test
  void noneKeepsEveryFrameAndTheHdDefaultsAddUp() throws Exception {
    long frames = ref.get("frames").asLong();
    ShardsJob.Result none = ShardsJob.process(spark, config(Map.of()));
    assertEquals(frames, (long) none.counts().get("train").get("frames"));
    assertEquals(frames, none.curation().get("frames_kept"));
    assertEquals(1L, spark.read().parquet(out.resolve("dataset/curation").toString())
        .select("outcome").distinct().count(), "only kept rows");

    // The HD defaults on a 64 px webcam face: its numbers, for the README; whatever they
    // remove, the counts add up and the dataset holds the rest.
    ShardsJob.Result hd = ShardsJob.process(spark, ShardsConfig.from(ShardsConfig.options()
        .parse(new String[] {"--output", out.toString(), "--shard-audio", "none"})));
    System.out.println("curation hd: " + hd.curation());
    long removed = Curation.removed(hd.curation()).values().stream().mapToLong(x -> x).sum();
    assertEquals(frames, (long) hd.curation().get("frames_kept") + removed);
    assertEquals((long) hd.curation().get("frames_kept"), hd.counts().get("train").get("frames")
        + hd.counts().get("val").get("frames") + hd.counts().get("test").get("frames"));
    assertEquals(CurationRules.hd(), ShardsConfig.curation(ShardsConfig.options().parse(
        new String[] {"--output", "x"})));
  }
}
