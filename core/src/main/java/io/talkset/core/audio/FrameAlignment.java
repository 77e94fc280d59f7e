package io.talkset.core.audio;

import java.util.Arrays;

/**
 * Audio features per 25 fps video frame, under the conventions training code uses by name. Frame
 * i covers samples [640·i, 640·(i+1)) of the 16 kHz track whose sample 0 is the video's t = 0.
 *
 * <ul>
 *   <li>{@code evp} (jixinya/EVP): python_speech_features MFCC at 100 Hz of the track padded with
 *       0.12 s (1920 samples) of silence at both ends; frame i gets MFCC rows [4i, 4i + 28)
 *       without c0: a 28 × 12 window, stride 4. EVP's own loop stops one frame early; here the
 *       right padding is extended by one frame (640 samples) so that every frame has its
 *       window.</li>
 *   <li>{@code wav2lip} (Wav2Lip, SadTalker): the 80-bin log-mel at 80 Hz; frame i gets mel rows
 *       [int(80·i/25), +16); a window that would run past the end takes the last 16 rows, as
 *       Wav2Lip's inference does.</li>
 *   <li>{@code hdtf}: four 100 Hz steps of 13 MFCC (librosa, n_fft 512, hop 160, 40 mels) and 2
 *       pitch values (pYIN F0 in Hz, 0 when unvoiced; voiced probability): rows [4i, 4i + 4),
 *       flattened step by step, 60 values.</li>
 * </ul>
 * The track is first padded with silence or trimmed at the end to exactly 640 × frames samples,
 * so every convention sees the same span; how much was padded or trimmed is reported.
 */
public final class FrameAlignment {
  public static final int SAMPLE_RATE = 16000;
  public static final int FPS = 25;
  public static final int SAMPLES_PER_FRAME = SAMPLE_RATE / FPS;
  public static final int EVP_PAD = 1920;
  public static final int EVP_ROWS = 28;
  public static final int EVP_DIMS = 12;
  public static final int WAV2LIP_STEPS = 16;
  public static final int HDTF_STEPS = 4;

  private FrameAlignment() {}

  /**
   * Frames of a video of {@code durationS} seconds on the 25 fps grid: every frame whose start
   * i/25 falls before the end.
   */
  public static int videoFrames(double durationS) {
    return (int) Math.ceil(durationS * FPS - 1e-6);
  }

  /** The track cut or padded to a whole number of video frames. */
  public record Reconciled(float[] samples, int frames, int paddedSamples, int trimmedSamples) {}

  /**
   * Pads with silence or trims the end of {@code y} to {@code frames} × 640 samples. With
   * {@code frames} < 0 the count comes from the audio: every started frame counts.
   */
  public static Reconciled reconcile(float[] y, int frames) {
    int n = frames >= 0 ? frames : (y.length + SAMPLES_PER_FRAME - 1) / SAMPLES_PER_FRAME;
    int target = n * SAMPLES_PER_FRAME;
    float[] out = Arrays.copyOf(y, target);
    return new Reconciled(out, n, Math.max(0, target - y.length), Math.max(0, y.length - target));
  }

  /** EVP windows: [frames][28 × 12], row-major (MFCC step, coefficient 1..12). */
  public static float[][] evp(float[] y, int frames, Mfcc evpMfcc) {
    float[] padded = new float[EVP_PAD + y.length + EVP_PAD + SAMPLES_PER_FRAME];
    System.arraycopy(y, 0, padded, EVP_PAD, y.length);
    float[][] mfcc = evpMfcc.compute(padded);
    float[][] out = new float[frames][EVP_ROWS * EVP_DIMS];
    for (int i = 0; i < frames; i++) {
      for (int r = 0; r < EVP_ROWS; r++) {
        float[] row = mfcc[Math.min(mfcc.length - 1, 4 * i + r)];
        System.arraycopy(row, 1, out[i], r * EVP_DIMS, EVP_DIMS);
      }
    }
    return out;
  }

  /** Wav2Lip windows: [frames][16 × 80], row-major (mel step, mel bin). */
  public static float[][] wav2lip(float[][] mel, int frames) {
    int dims = mel.length == 0 ? LogMel.N_MELS : mel[0].length;
    float[][] out = new float[frames][WAV2LIP_STEPS * dims];
    for (int i = 0; i < frames; i++) {
      int start = wav2lipStart(i);
      if (start + WAV2LIP_STEPS > mel.length) {
        start = Math.max(0, mel.length - WAV2LIP_STEPS);
      }
      for (int r = 0; r < WAV2LIP_STEPS && start + r < mel.length; r++) {
        System.arraycopy(mel[start + r], 0, out[i], r * dims, dims);
      }
    }
    return out;
  }

  /** Wav2Lip's first mel row for video frame i: int(80·i/25). */
  public static int wav2lipStart(int i) {
    return (int) (80L * i / FPS);
  }

  /** HDTF features: [frames][4 × 15], each step 13 MFCC then F0 and voiced probability. */
  public static float[][] hdtf(float[][] mfcc, Pyin.Result pitch, int frames) {
    int dims = (mfcc.length == 0 ? 13 : mfcc[0].length) + 2;
    float[][] out = new float[frames][HDTF_STEPS * dims];
    for (int i = 0; i < frames; i++) {
      for (int s = 0; s < HDTF_STEPS; s++) {
        int row = Math.min(4 * i + s, Math.min(mfcc.length, pitch.frames()) - 1);
        int at = s * dims;
        System.arraycopy(mfcc[row], 0, out[i], at, dims - 2);
        out[i][at + dims - 2] = (float) pitch.f0()[row];
        out[i][at + dims - 1] = (float) pitch.voicedProb()[row];
      }
    }
    return out;
  }
}
