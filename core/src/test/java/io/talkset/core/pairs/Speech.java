package io.talkset.core.pairs;

import io.talkset.core.audio.AudioDecoder;
import io.talkset.core.audio.AudioFeatures;
import io.talkset.core.audio.FrameAlignment;
import io.talkset.core.audio.Pyin;
import io.talkset.core.media.FileSource;
import io.talkset.testing.Samples;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Real speech for the DTW tests: the pipeline's MFCC per 25 fps frame. */
final class Speech {
  private Speech() {}

  /** The sample's 16 kHz mono track. */
  static float[] decode(Path p) throws Exception {
    try (FileSource s = new FileSource(p)) {
      return new AudioDecoder(FrameAlignment.SAMPLE_RATE).decodeAll(s, p.getFileName().toString(),
          System.nanoTime() + TimeUnit.SECONDS.toNanos(60), null);
    }
  }

  /**
   * The 13 MFCCs of the four 100 Hz steps of each 25 fps frame ({@link AudioFeatures}' hdtf
   * convention without its pitch columns): [frames][52].
   */
  static float[][] mfcc(Path p) throws Exception {
    float[][] hdtf = new AudioFeatures(Pyin.Params.speech16k()).compute(decode(p), -1, false)
        .hdtf();
    int step = hdtf[0].length / FrameAlignment.HDTF_STEPS;
    int coefficients = step - 2;
    float[][] out = new float[hdtf.length][FrameAlignment.HDTF_STEPS * coefficients];
    for (int i = 0; i < hdtf.length; i++) {
      for (int s = 0; s < FrameAlignment.HDTF_STEPS; s++) {
        System.arraycopy(hdtf[i], s * step, out[i], s * coefficients, coefficients);
      }
    }
    return out;
  }

  static float[][] mfcc(String sample) throws Exception {
    return mfcc(Samples.get(sample));
  }
}
