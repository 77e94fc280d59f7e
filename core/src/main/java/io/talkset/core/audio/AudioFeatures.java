package io.talkset.core.audio;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every audio feature of one clip, per 25 fps video frame ({@link FrameAlignment}), from its
 * 16 kHz mono track. One instance per task (the extractors reuse FFT buffers).
 */
public final class AudioFeatures {
  private final Mfcc evpMfcc = new Mfcc(Mfcc.Params.evp(FrameAlignment.SAMPLE_RATE));
  private final Mfcc hdtfMfcc = new Mfcc(HDTF_MFCC);
  private final LogMel logMel = new LogMel();
  private final Pyin pyin;

  /** librosa-mode MFCC at 100 Hz used by the hdtf convention. */
  public static final Mfcc.Params HDTF_MFCC = Mfcc.Params.librosa(16000, 512, 160, 40, 13);

  /** The per-frame features of one clip. */
  public record Frames(int frames, int paddedSamples, int trimmedSamples, float[][] evp,
      float[][] wav2lip, float[][] hdtf, float[][] samples) {}

  public AudioFeatures(Pyin.Params pitch) {
    this.pyin = new Pyin(pitch);
  }

  /**
   * Features for {@code videoFrames} frames (or as many as the audio covers when negative).
   *
   * @param keepSamples also return each frame's 640 samples
   */
  public Frames compute(float[] y16k, int videoFrames, boolean keepSamples) {
    FrameAlignment.Reconciled r = FrameAlignment.reconcile(y16k, videoFrames);
    float[] y = r.samples();
    int n = r.frames();
    float[][] evp = FrameAlignment.evp(y, n, evpMfcc);
    float[][] w2l = FrameAlignment.wav2lip(logMel.compute(y), n);
    float[][] hdtf = FrameAlignment.hdtf(hdtfMfcc.compute(y), pyin.compute(y), n);
    float[][] samples = null;
    if (keepSamples) {
      samples = new float[n][];
      for (int i = 0; i < n; i++) {
        samples[i] = java.util.Arrays.copyOfRange(y, i * FrameAlignment.SAMPLES_PER_FRAME,
            (i + 1) * FrameAlignment.SAMPLES_PER_FRAME);
      }
    }
    return new Frames(n, r.paddedSamples(), r.trimmedSamples(), evp, w2l, hdtf, samples);
  }

  /** Every parameter of every convention, for the dataset's metadata. */
  public Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("frame", "25 fps; frame i = samples [640 i, 640 (i + 1)) at 16 kHz from the video's t=0");
    m.put("evp", "python_speech_features MFCC (" + evpMfcc.params().describe()
        + "), 0.12 s zero padding each side, window rows [4i, 4i+28), coefficients 1..12");
    m.put("wav2lip", "log-mel (" + LogMel.describe() + "), rows [int(80 i / 25), +16)");
    m.put("hdtf", "librosa MFCC (" + hdtfMfcc.params().describe() + ") + pYIN ("
        + pyin.params().describe() + "), rows [4i, 4i+4), 13 MFCC + F0 + voiced_prob per row");
    return m;
  }
}
