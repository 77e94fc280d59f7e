package io.talkset.core.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.talkset.core.audio.AudioDecoder;
import io.talkset.core.faceparams.FaceLandmarker;
import io.talkset.core.faces.BlazeFace;
import io.talkset.core.faces.Detection;
import io.talkset.core.media.FileSource;
import io.talkset.core.video.GridReader;
import io.talkset.testing.Samples;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/**
 * The sync estimate on real talking-face video with its own audio: shifting the audio by a known
 * number of frames moves the estimate by that number.
 */
class AvSyncTest {

  static double[] mouth(Path video) throws Exception {
    List<Double> open = new ArrayList<>();
    try (BlazeFace det = new BlazeFace(Samples.blazeFace(256), 256, Device.cpu(), 0.5f, 0.3f);
        FaceLandmarker lm = new FaceLandmarker(Samples.models(), Device.cpu(),
            FaceLandmarker.Params.defaults());
        FileSource s = new FileSource(video);
        GridReader r = GridReader.open(s, video.getFileName().toString(),
            System.nanoTime() + 600_000_000_000L, -1, 0)) {
      double last = 0;
      while (r.next()) {
        Mat img = r.bgr(Math.max(r.width(), r.height()));
        List<Detection> d = det.detect(img);
        if (!d.isEmpty()) {
          Detection f = d.stream().max((a, b) -> Float.compare(a.width(), b.width())).get();
          last = AvSync.mouthOpening(lm.landmarks(img, new float[][] {{f.x0(), f.y0(), f.x1(),
              f.y1()}})[0]);
        }
        open.add(last);
      }
    }
    return open.stream().mapToDouble(Double::doubleValue).toArray();
  }

  static float[] audio(Path video) throws Exception {
    try (FileSource s = new FileSource(video)) {
      return new AudioDecoder(16000).decodeAll(s, video.getFileName().toString(),
          System.nanoTime() + 600_000_000_000L, null);
    }
  }

  /** The audio moved later by {@code k} frames (earlier when negative), same length. */
  static float[] shifted(float[] y, int k) {
    int n = Math.abs(k) * 640;
    float[] out = new float[y.length];
    if (k >= 0) {
      System.arraycopy(y, 0, out, n, y.length - n);
    } else {
      System.arraycopy(y, n, out, 0, y.length - n);
    }
    return out;
  }

  /**
   * movie-hello.mp4: a webcam talking face with speech (and keyboard noise). kphotoalbum's
   * movie.avi is left out: 15 fps and a 63 px face give a mouth signal too coarse for any
   * variant tried (inner/outer lips, linear/log/band-limited/onset loudness).
   */
  @Test
  void knownAudioShiftsAreRecovered() throws Exception {
    Path video = Samples.get("video/forensics/movie-hello.mp4");
    double[] m = mouth(video);
    float[] y = audio(video);
    AvSync.Estimate base = AvSync.estimate(m, AvSync.envelope(y, 16000, m.length), 15);
    System.out.printf(Locale.ROOT, "%s: %d frames, offset %d, r %.3f, confidence %.3f%n",
        video.getFileName(), m.length, base.offsetFrames(), base.correlation(),
        base.confidence());
    for (int k : new int[] {-5, -2, 2, 5}) {
      AvSync.Estimate e = AvSync.estimate(m, AvSync.envelope(shifted(y, k), 16000, m.length),
          15);
      System.out.printf(Locale.ROOT, "  audio %+d frames: offset %d, r %.3f, confidence %.3f%n",
          k, e.offsetFrames(), e.correlation(), e.confidence());
      assertEquals(base.offsetFrames() + k, e.offsetFrames(), "shift " + k + ": "
          + Arrays.toString(e.correlations()));
    }
    assertTrue(base.confidence() > 0.2, "confidence " + base.confidence());
  }
}
