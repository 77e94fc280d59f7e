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
    float[] pre = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      pre[i] = (float) (i == 0 ? y[0] : y[i] - PREEMPHASIS * y[i - 1]);
    }
    double[][] m = Spectra.melSpectrum(pre, N_FFT, HOP, window, mel, true, fft, true);
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
