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
    Signal s = Signal.of(y);
    return melPowerDb(s, 0, frames(s.length(), nFft, hop), nFft, hop, window, mel, reflect, fft);
  }

  /** Rows [r0, r1) of {@link #melPowerDb(float[], int, int, double[], double[][], boolean,
   * Dsp.Fft)} for the whole of {@code y}. */
  static double[][] melPowerDb(Signal y, int r0, int r1, int nFft, int hop, double[] window,
      double[][] mel, boolean reflect, Dsp.Fft fft) {
    double[][] mag = melSpectrum(y, r0, r1, nFft, hop, window, mel, reflect, fft, false);
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
    Signal s = Signal.of(y);
    return melSpectrum(s, 0, frames(s.length(), nFft, hop), nFft, hop, window, mel, reflect, fft,
        magnitude);
  }

  /** Centred frames of a track of {@code n} samples. */
  static int frames(long n, int nFft, int hop) {
    return (int) (1 + (n + 2 * (nFft / 2) - nFft) / hop);
  }

  /**
   * Rows [r0, r1) of the centred frames of the whole track {@code y}: each row depends only on
   * its own n_fft samples (and, for the padding, on the track's length), so a chunk of rows
   * computed from a window of the track equals the same rows of the whole.
   */
  static double[][] melSpectrum(Signal y, int r0, int r1, int nFft, int hop, double[] window,
      double[][] mel, boolean reflect, Dsp.Fft fft, boolean magnitude) {
    int pad = nFft / 2;
    double[][] out = new double[r1 - r0][mel.length];
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
    for (int t = r0; t < r1; t++) {
      long start = (long) t * hop - pad;
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
        out[t - r0][m] = s;
      }
    }
    return out;
  }

  private static double sample(Signal y, long i, boolean reflect) {
    long n = y.length();
    if (i >= 0 && i < n) {
      return y.at(i);
    }
    if (!reflect || n <= 1) {
      return 0;
    }
    // numpy's 'reflect' padding: mirror about the edge sample, without repeating it.
    long period = 2 * (n - 1);
    long j = Math.floorMod(i, period);
    return y.at(j < n ? j : period - j);
  }
}
