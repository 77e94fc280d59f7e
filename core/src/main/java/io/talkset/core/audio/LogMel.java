package io.talkset.core.audio;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The 80-bin log-mel spectrogram Wav2Lip and SadTalker train on ({@code audio.melspectrogram} in
 * Wav2Lip's code): pre-emphasis 0.97, STFT with n_fft 800, hop 200, window 800 (centred, with the
 * reflect padding of the librosa versions Wav2Lip was written for), magnitude through librosa's
 * Slaney mel filters (fmin 55, fmax 7600), 20·log10(max(1e-5, ·)) − 20 dB, then normalised to
 * [−4, 4] from the [−100, 0] dB range and clipped. Output [frames][80], 80 frames per second at
 * 16 kHz. Not thread-safe.
 */
public final class LogMel {
  public static final int SAMPLE_RATE = 16000;
  public static final int N_FFT = 800;
  public static final int HOP = 200;
  public static final int N_MELS = 80;
  public static final double FMIN = 55;
  public static final double FMAX = 7600;
  public static final double PREEMPHASIS = 0.97;
  public static final double REF_LEVEL_DB = 20;
  public static final double MIN_LEVEL_DB = -100;
  public static final double MAX_ABS = 4;

  private final Dsp.Fft fft = new Dsp.Fft(N_FFT);
  private final double[][] mel =
      Dsp.melLibrosa(SAMPLE_RATE, N_FFT, N_MELS, FMIN, FMAX, false, true);
  private final double[] window = Dsp.hannPeriodic(N_FFT);

  /** The normalised log-mel of 16 kHz {@code y}. */
  public float[][] compute(float[] y) {
    return compute(Signal.of(y), 0, rows(y.length));
  }

  /** Rows of the log-mel of a track of {@code samples} samples. */
  static int rows(long samples) {
    return Spectra.frames(samples, N_FFT, HOP);
  }

  /** Rows [r0, r1) of {@link #compute(float[])} for the whole track {@code y}. */
  float[][] compute(Signal y, int r0, int r1) {
    // Pre-emphasis as a view: each sample needs only its predecessor, so a window of the track
    // gives the same values as the whole.
    Signal pre = new Signal() {
      @Override
      public long length() {
        return y.length();
      }

      @Override
      public float at(long i) {
        return (float) (i == 0 ? y.at(0) : y.at(i) - PREEMPHASIS * y.at(i - 1));
      }
    };
    double[][] m = Spectra.melSpectrum(pre, r0, r1, N_FFT, HOP, window, mel, true, fft, true);
    float[][] out = new float[m.length][N_MELS];
    double minLevel = Math.pow(10, MIN_LEVEL_DB / 20);
    for (int t = 0; t < m.length; t++) {
      for (int k = 0; k < N_MELS; k++) {
        double db = 20 * Math.log10(Math.max(minLevel, m[t][k])) - REF_LEVEL_DB;
        double norm = 2 * MAX_ABS * ((db - MIN_LEVEL_DB) / -MIN_LEVEL_DB) - MAX_ABS;
        out[t][k] = (float) Math.max(-MAX_ABS, Math.min(MAX_ABS, norm));
      }
    }
    return out;
  }

  /** The parameters, to store with the features. */
  public static Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("convention", "wav2lip");
    m.put("sample_rate", "16000");
    m.put("n_fft", "800");
    m.put("hop_length", "200");
    m.put("win_length", "800");
    m.put("n_mels", "80");
    m.put("fmin", "55");
    m.put("fmax", "7600");
    m.put("preemphasis", "0.97");
    m.put("pad_mode", "reflect");
    m.put("ref_level_db", "20");
    m.put("min_level_db", "-100");
    m.put("normalization", "symmetric, clipped to [-4, 4]");
    return m;
  }
}
