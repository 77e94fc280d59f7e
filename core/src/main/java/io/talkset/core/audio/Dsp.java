package io.talkset.core.audio;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * The small numerical pieces the feature extractors share: windows, a real FFT of any length,
 * mel scales and filter banks in the three conventions users compare with, and the orthonormal
 * DCT-II. Formulas follow the reference libraries' documented definitions (cited per method).
 */
public final class Dsp {
  private Dsp() {}

  static {
    // Executors run one task per core already: FFTs stay on the calling thread.
    pl.edu.icm.jlargearrays.ConcurrencyUtils.setNumberOfThreads(1);
  }

  /** Periodic Hann (scipy {@code get_window('hann', n, fftbins=True)}, librosa's default). */
  public static double[] hannPeriodic(int n) {
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n);
    }
    return w;
  }

  /** Kaldi's "povey" window: a symmetric Hann raised to 0.85. */
  public static double[] povey(int n) {
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = Math.pow(0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1)), 0.85);
    }
    return w;
  }

  /** A real FFT of one length, with reusable buffers. Not thread-safe. */
  public static final class Fft {
    private final int n;
    private final DoubleFFT_1D fft;
    private final double[] buf;

    public Fft(int n) {
      this.n = n;
      this.fft = new DoubleFFT_1D(n);
      this.buf = new double[n];
    }

    public int size() {
      return n;
    }

    /**
     * |X[k]|^2 for k = 0..n/2 of {@code frame} (length ≤ n, zero-padded to n) into {@code out}.
     */
    public void power(double[] frame, int len, double[] out) {
      System.arraycopy(frame, 0, buf, 0, len);
      java.util.Arrays.fill(buf, len, n, 0);
      fft.realForward(buf);
      // JTransforms' packing: buf[0] = Re X0, buf[1] = Re X(n/2) (n even), then (Re, Im) pairs.
      out[0] = buf[0] * buf[0];
      int half = n / 2;
      for (int k = 1; k < (n + 1) / 2; k++) {
        double re = buf[2 * k];
        double im = buf[2 * k + 1];
        out[k] = re * re + im * im;
      }
      if (n % 2 == 0) {
        out[half] = buf[1] * buf[1];
      } else {
        double re = buf[n - 1];
        double im = buf[1];
        out[half] = re * re + im * im;
      }
    }
  }

  /** Slaney's mel scale (librosa's default, {@code htk=False}). */
  public static double hzToMelSlaney(double f) {
    double fsp = 200.0 / 3;
    double minLogHz = 1000.0;
    double minLogMel = minLogHz / fsp;
    double logstep = Math.log(6.4) / 27.0;
    return f >= minLogHz ? minLogMel + Math.log(f / minLogHz) / logstep : f / fsp;
  }

  public static double melToHzSlaney(double m) {
    double fsp = 200.0 / 3;
    double minLogHz = 1000.0;
    double minLogMel = minLogHz / fsp;
    double logstep = Math.log(6.4) / 27.0;
    return m >= minLogMel ? minLogHz * Math.exp(logstep * (m - minLogMel)) : fsp * m;
  }

  /** HTK's mel scale, 2595·log10(1 + f/700) (python_speech_features, librosa htk=True). */
  public static double hzToMelHtk(double f) {
    return 2595.0 * Math.log10(1.0 + f / 700.0);
  }

  public static double melToHzHtk(double m) {
    return 700.0 * (Math.pow(10.0, m / 2595.0) - 1.0);
  }

  /**
   * librosa.filters.mel: triangles between mel-spaced points evaluated at the FFT bin
   * frequencies, each scaled to unit area when {@code slaneyNorm} (librosa's {@code norm='slaney'}).
   *
   * @return weights [nMels][nFft/2 + 1]
   */
  public static double[][] melLibrosa(int sr, int nFft, int nMels, double fmin, double fmax,
      boolean htk, boolean slaneyNorm) {
    int bins = nFft / 2 + 1;
    double[] fft = new double[bins];
    for (int k = 0; k < bins; k++) {
      fft[k] = k * (sr / 2.0) / (bins - 1);
    }
    double lo = htk ? hzToMelHtk(fmin) : hzToMelSlaney(fmin);
    double hi = htk ? hzToMelHtk(fmax) : hzToMelSlaney(fmax);
    double[] hz = new double[nMels + 2];
    for (int i = 0; i < nMels + 2; i++) {
      double m = lo + (hi - lo) * i / (nMels + 1);
      hz[i] = htk ? melToHzHtk(m) : melToHzSlaney(m);
    }
    double[][] w = new double[nMels][bins];
    for (int i = 0; i < nMels; i++) {
      double lowerWidth = hz[i + 1] - hz[i];
      double upperWidth = hz[i + 2] - hz[i + 1];
      double enorm = slaneyNorm ? 2.0 / (hz[i + 2] - hz[i]) : 1.0;
      for (int k = 0; k < bins; k++) {
        double lower = (fft[k] - hz[i]) / lowerWidth;
        double upper = (hz[i + 2] - fft[k]) / upperWidth;
        w[i][k] = Math.max(0, Math.min(lower, upper)) * enorm;
      }
    }
    return w;
  }

  /**
   * Kaldi's mel banks (torchaudio.compliance.kaldi.get_mel_banks): triangles in the mel domain
   * (1127·ln(1 + f/700)) between lowFreq and highFreq, evaluated at bins k·sr/nFft for
   * k < nFft/2; the Nyquist bin gets weight 0.
   */
  public static double[][] melKaldi(int sr, int nFft, int nMels, double lowFreq,
      double highFreq) {
    int bins = nFft / 2 + 1;
    double nyquist = sr / 2.0;
    double high = highFreq <= 0 ? nyquist + highFreq : highFreq;
    double melLow = 1127.0 * Math.log(1 + lowFreq / 700.0);
    double melHigh = 1127.0 * Math.log(1 + high / 700.0);
    double delta = (melHigh - melLow) / (nMels + 1);
    double[][] w = new double[nMels][bins];
    for (int i = 0; i < nMels; i++) {
      double left = melLow + i * delta;
      double center = left + delta;
      double right = center + delta;
      for (int k = 0; k < nFft / 2; k++) {
        double mel = 1127.0 * Math.log(1 + (sr / (double) nFft) * k / 700.0);
        double up = (mel - left) / (center - left);
        double down = (right - mel) / (right - center);
        w[i][k] = Math.max(0, Math.min(up, down));
      }
    }
    return w;
  }

  /**
   * python_speech_features.get_filterbanks: HTK-mel-spaced points rounded down to FFT bins
   * (floor((nFft + 1)·f/sr)), with triangles over those integer bins.
   */
  public static double[][] melPsf(int sr, int nFft, int nFilt, double lowFreq, double highFreq) {
    int bins = nFft / 2 + 1;
    double lo = hzToMelHtk(lowFreq);
    double hi = hzToMelHtk(highFreq);
    int[] bin = new int[nFilt + 2];
    for (int i = 0; i < nFilt + 2; i++) {
      double m = lo + (hi - lo) * i / (nFilt + 1);
      bin[i] = (int) Math.floor((nFft + 1) * melToHzHtk(m) / sr);
    }
    double[][] w = new double[nFilt][bins];
    for (int j = 0; j < nFilt; j++) {
      for (int k = bin[j]; k < bin[j + 1]; k++) {
        w[j][k] = (k - bin[j]) / (double) (bin[j + 1] - bin[j]);
      }
      for (int k = bin[j + 1]; k < bin[j + 2]; k++) {
        w[j][k] = (bin[j + 2] - k) / (double) (bin[j + 2] - bin[j + 1]);
      }
    }
    return w;
  }

  /** Orthonormal DCT-II matrix, rows = the first {@code nOut} coefficients of {@code nIn} inputs. */
  public static double[][] dctOrtho(int nOut, int nIn) {
    double[][] d = new double[nOut][nIn];
    for (int k = 0; k < nOut; k++) {
      double scale = k == 0 ? Math.sqrt(1.0 / nIn) : Math.sqrt(2.0 / nIn);
      for (int n = 0; n < nIn; n++) {
        d[k][n] = scale * Math.cos(Math.PI * k * (2 * n + 1) / (2.0 * nIn));
      }
    }
    return d;
  }

  /** HTK/Kaldi sinusoidal liftering weights 1 + (L/2)·sin(π·n/L). */
  public static double[] lifter(int n, double l) {
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = l > 0 ? 1 + (l / 2) * Math.sin(Math.PI * i / l) : 1;
    }
    return w;
  }
}
