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
    return evp(Signal.of(y), 0, frames, evpMfcc);
  }

  /** EVP windows of frames [f0, f1) of the whole track {@code y} (640 × frames samples). */
  static float[][] evp(Signal y, int f0, int f1, Mfcc evpMfcc) {
    long n = y.length();
    // The track between 0.12 s of silence before and 0.12 s + one frame after.
    Signal padded = new Signal() {
      @Override
      public long length() {
        return EVP_PAD + n + EVP_PAD + SAMPLES_PER_FRAME;
      }

      @Override
      public float at(long i) {
        return y.at(i - EVP_PAD);
      }
    };
    int total = evpMfcc.frames((int) padded.length());
    int first = Math.min(4 * f0, total - 1);
    int end = Math.max(first + 1, Math.min(total, 4 * (f1 - 1) + EVP_ROWS));
    float[][] mfcc = evpMfcc.evpRows(padded, first, end);
    float[][] out = new float[f1 - f0][EVP_ROWS * EVP_DIMS];
    for (int i = f0; i < f1; i++) {
      for (int r = 0; r < EVP_ROWS; r++) {
        float[] row = mfcc[Math.min(total - 1, 4 * i + r) - first];
        System.arraycopy(row, 1, out[i - f0], r * EVP_DIMS, EVP_DIMS);
      }
    }
    return out;
  }

  /** Wav2Lip windows: [frames][16 × 80], row-major (mel step, mel bin). */
  public static float[][] wav2lip(float[][] mel, int frames) {
    return wav2lip(mel, 0, mel.length, 0, frames);
  }

  /** Wav2Lip windows of frames [f0, f1) of the whole track {@code y}. */
  static float[][] wav2lip(Signal y, int f0, int f1, LogMel logMel) {
    int total = LogMel.rows(y.length());
    int first = wav2lipWindow(f0, total);
    int end = Math.min(total, wav2lipWindow(f1 - 1, total) + WAV2LIP_STEPS);
    return wav2lip(logMel.compute(y, first, end), first, total, f0, f1);
  }

  /**
   * Windows of frames [f0, f1) from mel rows [offset, offset + rows.length) of a track whose
   * log-mel has {@code total} rows.
   */
  private static float[][] wav2lip(float[][] rows, int offset, int total, int f0, int f1) {
    int dims = rows.length == 0 ? LogMel.N_MELS : rows[0].length;
    float[][] out = new float[f1 - f0][WAV2LIP_STEPS * dims];
    for (int i = f0; i < f1; i++) {
      int start = wav2lipWindow(i, total);
      for (int r = 0; r < WAV2LIP_STEPS && start + r < total; r++) {
        System.arraycopy(rows[start + r - offset], 0, out[i - f0], r * dims, dims);
      }
    }
    return out;
  }

  /** The first mel row of frame i's window: a window that would run past the end is moved. */
  private static int wav2lipWindow(int i, int total) {
    int start = wav2lipStart(i);
    return start + WAV2LIP_STEPS > total ? Math.max(0, total - WAV2LIP_STEPS) : start;
  }

  /** Wav2Lip's first mel row for video frame i: int(80·i/25). */
  public static int wav2lipStart(int i) {
    return (int) (80L * i / FPS);
  }

  /** HDTF features: [frames][4 × 15], each step 13 MFCC then F0 and voiced probability. */
  public static float[][] hdtf(float[][] mfcc, Pyin.Result pitch, int frames) {
    return hdtf(mfcc, 0, Math.min(mfcc.length, pitch.frames()), pitch, 0, frames);
  }

  /**
   * HDTF features of frames [f0, f1) from MFCC rows [offset, offset + mfcc.length) of a track
   * with {@code total} rows (MFCC and pitch alike), and the whole track's pitch.
   */
  static float[][] hdtf(float[][] mfcc, int offset, int total, Pyin.Result pitch, int f0,
      int f1) {
    int dims = (mfcc.length == 0 ? 13 : mfcc[0].length) + 2;
    float[][] out = new float[f1 - f0][HDTF_STEPS * dims];
    for (int i = f0; i < f1; i++) {
      for (int s = 0; s < HDTF_STEPS; s++) {
        int row = Math.min(4 * i + s, total - 1);
        int at = s * dims;
        System.arraycopy(mfcc[row - offset], 0, out[i - f0], at, dims - 2);
        out[i - f0][at + dims - 2] = (float) pitch.f0()[row];
        out[i - f0][at + dims - 1] = (float) pitch.voicedProb()[row];
      }
    }
    return out;
  }
}
