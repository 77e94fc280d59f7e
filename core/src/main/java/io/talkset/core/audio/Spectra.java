package io.talkset.core.audio;

/** Centred short-time spectra as librosa computes them, reduced through a mel filter bank. */
final class Spectra {
  private Spectra() {}

  /**
   * librosa.stft(center=True) framing (n_fft/2 of padding each side: zeros, or a reflection when
   * {@code reflect}), windowed, |X|² per frame, mel-weighted and converted to dB
   * (10·log10(max(1e-10, ·)), librosa's power_to_db with ref 1 and no clipping).
   */
  static double[][] melPowerDb(float[] y, int nFft, int hop, double[] window, double[][] mel,
      boolean reflect, Dsp.Fft fft) {
    double[][] mag = melSpectrum(y, nFft, hop, window, mel, reflect, fft, false);
    for (double[] f : mag) {
      for (int i = 0; i < f.length; i++) {
        f[i] = 10 * Math.log10(Math.max(1e-10, f[i]));
      }
    }
    return mag;
  }

  /** Mel-weighted |X|² (or |X| when {@code magnitude}) per centred frame: [frames][nMels]. */
  static double[][] melSpectrum(float[] y, int nFft, int hop, double[] window, double[][] mel,
      boolean reflect, Dsp.Fft fft, boolean magnitude) {
    int pad = nFft / 2;
    int n = y.length;
    int frames = 1 + (n + 2 * pad - nFft) / hop;
    double[][] out = new double[frames][mel.length];
    double[] frame = new double[nFft];
    double[] power = new double[nFft / 2 + 1];
    int[] lo = new int[mel.length];
    int[] hi = new int[mel.length];
    for (int m = 0; m < mel.length; m++) {
      lo[m] = power.length;
      for (int k = 0; k < power.length; k++) {
        if (mel[m][k] != 0) {
          lo[m] = Math.min(lo[m], k);
          hi[m] = k + 1;
        }
      }
    }
    for (int t = 0; t < frames; t++) {
      int start = t * hop - pad;
      for (int i = 0; i < nFft; i++) {
        frame[i] = sample(y, start + i, reflect) * window[i];
      }
      fft.power(frame, nFft, power);
      if (magnitude) {
        for (int k = 0; k < power.length; k++) {
          power[k] = Math.sqrt(power[k]);
        }
      }
      for (int m = 0; m < mel.length; m++) {
        double s = 0;
        double[] w = mel[m];
        for (int k = lo[m]; k < hi[m]; k++) {
          s += w[k] * power[k];
        }
        out[t][m] = s;
      }
    }
    return out;
  }

  private static double sample(float[] y, int i, boolean reflect) {
    int n = y.length;
    if (i >= 0 && i < n) {
      return y[i];
    }
    if (!reflect || n == 1) {
      return 0;
    }
    // numpy's 'reflect' padding: mirror about the edge sample, without repeating it.
    int period = 2 * (n - 1);
    int j = Math.floorMod(i, period);
    return y[j < n ? j : period - j];
  }
}
