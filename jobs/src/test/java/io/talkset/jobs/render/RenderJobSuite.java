package io.talkset.jobs.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.TalkingDataset;
import io.talkset.jobs.eval.EvalConfig;
import io.talkset.jobs.eval.EvaluateJob;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The render job on the shared talking-face dataset: one clip's crops as an MP4 (checked with
 * Debian's ffprobe), then scored by the evaluate job as a generated video: the copy baseline.
 */
class RenderJobSuite {
  private final SparkSession spark = SparkTestSession.get();

  @Test
  void rendersACropVideoThatEvaluatesAsItsOwnClip(@TempDir Path tmp) throws Exception {
    TalkingDataset d = TalkingDataset.get();
    String id = d.clipIds.get(TalkingDataset.name(0));
    Path renders = tmp.resolve("renders");
    RenderJob.Result r = RenderJob.process(spark, RenderConfig.from(RenderConfig.options().parse(
        new String[] {"--output", d.root.toString(), "--render-output", renders.toString(),
            "--render-clips", "0", "--render-size", "256"})));
    Row span = spark.read().parquet(d.root.resolve("frames").toString())
        .filter("clip_id = '" + id + "'").selectExpr("max(frame_index)", "count(*)").first();
    int frames = span.getInt(0) + 1;
    RenderJob.Rendered one = r.clips().stream().filter(c -> c.clipId().equals(id)).findFirst()
        .orElseThrow();
    System.out.printf(Locale.ROOT, "render: %s; %s: %d frames (%d crops), %.3f s audio%n",
        r.byStatus(), TalkingDataset.name(0), one.frames(), one.crops(), one.audioSeconds());
    assertEquals(Map.of("ok", (long) r.clips().size()), r.byStatus(), r.toString());
    assertEquals(frames, one.frames());
    assertEquals(span.getLong(1), one.crops());
    Path video = renders.resolve(id + ".mp4");
    assertTrue(Files.isRegularFile(video));

    JsonNode probe = Tools.ffprobe(video, "-count_frames");
    JsonNode v = null;
    JsonNode a = null;
    for (JsonNode s : probe.get("streams")) {
      if (s.get("codec_type").asText().equals("video")) {
        v = s;
      } else if (s.get("codec_type").asText().equals("audio")) {
        a = s;
      }
    }
    assertNotNull(v, probe.toString());
    assertNotNull(a, "an audio track: " + probe);
    System.out.printf(Locale.ROOT, "  ffprobe: %s %dx%d %s fps, %s frames; %s %s Hz%n",
        v.get("codec_name").asText(), v.get("width").asInt(), v.get("height").asInt(),
        v.get("avg_frame_rate").asText(), v.get("nb_read_frames").asText(),
        a.get("codec_name").asText(), a.get("sample_rate").asText());
    assertEquals("h264", v.get("codec_name").asText());
    assertEquals(256, v.get("width").asInt());
    assertEquals(256, v.get("height").asInt());
    assertEquals("25/1", v.get("avg_frame_rate").asText());
    assertEquals(frames, v.get("nb_read_frames").asInt());
    assertEquals("aac", a.get("codec_name").asText());
    assertEquals(16000, a.get("sample_rate").asInt());
    assertEquals(frames / 25.0, a.get("duration").asDouble(), 0.08, "audio as long as the video");

    // The first 50 frames only, again under the same name: the file is replaced.
    RenderJob.Result shortRun = RenderJob.process(spark, RenderConfig.from(RenderConfig.options()
        .parse(new String[] {"--output", d.root.toString(), "--render-output",
            tmp.resolve("short").toString(), "--render-clips", "1", "--render-max-frames", "50",
            "--render-size", "128"})));
    assertEquals(1, shortRun.clips().size());
    assertEquals(50, shortRun.clips().get(0).frames());
    assertEquals(2.0, shortRun.clips().get(0).audioSeconds(), 1e-9);
    assertTrue(org.junit.jupiter.api.Assertions.assertThrows(
        io.talkset.jobs.cli.UsageException.class, () -> RenderConfig.from(RenderConfig.options()
            .parse(new String[] {"--output", "x", "--render-size", "255"}))).getMessage()
        .contains("--render-size must be even"));

    // The copy baseline: the rendered crops against the same crops.
    EvaluateJob.Result e = EvaluateJob.process(spark, EvalConfig.from(EvalConfig.options()
        .parse(new String[] {"--generated", video.toString(), "--output", d.root.toString(),
            "--eval-output", tmp.resolve("eval").toString(), "--models",
            Samples.models().toString()})));
    Row c = spark.read().parquet(tmp.resolve("eval/eval_clips").toString()).first();
    double ssim = c.getDouble(c.fieldIndex("ssim"));
    double psnr = c.getDouble(c.fieldIndex("psnr"));
    System.out.printf(Locale.ROOT, "  evaluated: %s, %s frames, SSIM %.4f, PSNR %.2f dB, LMD"
        + " mouth %.3f, identity %.4f, sync %s (real %s)%n", e.byStatus(),
        c.get(c.fieldIndex("frames_compared")), ssim, psnr,
        c.getDouble(c.fieldIndex("lmd_mouth")), c.getDouble(c.fieldIndex("identity_cosine")),
        c.get(c.fieldIndex("sync_offset_frames")), c.get(c.fieldIndex("sync_real_offset_frames")));
    assertEquals(Map.of("ok", 1L), e.byStatus());
    assertEquals("clip_id", c.getString(c.fieldIndex("matched_by")));
    assertEquals(span.getLong(1), (long) c.getInt(c.fieldIndex("frames_compared")));
    assertTrue(ssim > 0.95, "SSIM " + ssim);
    assertTrue(psnr > 35, "PSNR " + psnr);
    // Chroma halved (yuv420p) and one encode: 0.64 px here, 0.35 for the yuv444 crf 4 copy.
    assertTrue(c.getDouble(c.fieldIndex("lmd_mouth")) < 1.0, "LMD mouth");
    // The rendered audio starts with the picture: the same offset as the real crops.
    assertEquals("generated", c.getString(c.fieldIndex("sync_audio")));
    assertEquals(c.getInt(c.fieldIndex("sync_real_offset_frames")),
        c.getInt(c.fieldIndex("sync_offset_frames")));
    assertEquals(List.of(id + ".mp4"), List.of(c.getString(c.fieldIndex("name"))));
  }
}
