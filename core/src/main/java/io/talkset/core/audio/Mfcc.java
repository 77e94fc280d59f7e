package io.talkset.core.audio;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * MFCCs in the three conventions training code is written against, each matching its reference
 * for the same parameters:
 * <ul>
 *   <li>{@link Mode#LIBROSA}: {@code librosa.feature.mfcc} (centred STFT, periodic Hann, Slaney
 *       mel with area normalisation, power in dB clipped at {@code top_db} below the utterance's
 *       maximum, orthonormal DCT-II);</li>
 *   <li>{@link Mode#KALDI}: {@code torchaudio.compliance.kaldi.mfcc} with dither off (25 ms / 10
 *       ms frames that never cross the signal's edges, DC removal, pre-emphasis, povey window,
 *       FFT size rounded up to a power of two, Kaldi mel banks, log with a float epsilon floor,
 *       DCT, cepstral lifter 22);</li>
 *   <li>{@link Mode#EVP}: {@code python_speech_features.mfcc} defaults as EVP uses them
 *       (pre-emphasis, rectangular 25 ms frames zero-padded at the end, power spectrum over 512,
 *       26 HTK-mel filters on integer bins, log, DCT, lifter 22, c0 replaced by log frame
 *       energy).</li>
 * </ul>
 * Pure Java, no Spark. Not thread-safe (reuses FFT buffers): one instance per task.
 */
public final class Mfcc {

  /** The convention. */
  public enum Mode { LIBROSA, KALDI, EVP }

  /**
   * Parameters. For {@code KALDI} and {@code EVP}, {@code nFft} is the frame length's FFT size
   * (512 at 16 kHz), {@code winLength} the frame length and {@code hop} the frame shift.
   */
  public record Params(Mode mode, int sampleRate, int nFft, int winLength, int hop, int nMels,
      int nMfcc, double fmin, double fmax, double preemphasis, double lifter, double topDb,
      boolean center) {

    /** librosa.feature.mfcc's defaults at this rate, with these sizes. */
    public static Params librosa(int sr, int nFft, int hop, int nMels, int nMfcc) {
      return new Params(Mode.LIBROSA, sr, nFft, nFft, hop, nMels, nMfcc, 0, sr / 2.0, 0, 0, 80,
          true);
    }

    /** torchaudio.compliance.kaldi.mfcc defaults (25 ms, 10 ms, 23 bins, 13 ceps, 20 Hz). */
    public static Params kaldi(int sr) {
      int frame = sr * 25 / 1000;
      return new Params(Mode.KALDI, sr, Integer.highestOneBit(frame - 1) << 1, frame,
          sr / 100, 23, 13, 20, sr / 2.0, 0.97, 22, 0, false);
    }

    /** python_speech_features.mfcc defaults (EVP). */
    public static Params evp(int sr) {
      return new Params(Mode.EVP, sr, 512, sr * 25 / 1000, sr / 100, 26, 13, 0, sr / 2.0, 0.97,
          22, 0, false);
    }

    /** The parameters as strings, to store with the features. */
    public Map<String, String> describe() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("mode", mode.name().toLowerCase(Locale.ROOT));
      m.put("sample_rate", String.valueOf(sampleRate));
      m.put("n_fft", String.valueOf(nFft));
      m.put("win_length", String.valueOf(winLength));
      m.put("hop_length", String.valueOf(hop));
      m.put("n_mels", String.valueOf(nMels));
      m.put("n_mfcc", String.valueOf(nMfcc));
      m.put("fmin", String.valueOf(fmin));
      m.put("fmax", String.valueOf(fmax));
      m.put("preemphasis", String.valueOf(preemphasis));
      m.put("lifter", String.valueOf(lifter));
      m.put("top_db", String.valueOf(topDb));
      m.put("center", String.valueOf(center));
      return m;
    }
  }

  private final Params p;
  private final Dsp.Fft fft;
  private final double[][] mel;
  private final double[][] dct;
  private final double[] lift;
  private final double[] window;

  public Mfcc(Params p) {
    this.p = p;
    this.fft = new Dsp.Fft(p.nFft());
    this.dct = Dsp.dctOrtho(p.nMfcc(), p.nMels());
    this.lift = Dsp.lifter(p.nMfcc(), p.lifter());
    switch (p.mode()) {
      case LIBROSA -> {
        mel = Dsp.melLibrosa(p.sampleRate(), p.nFft(), p.nMels(), p.fmin(), p.fmax(), false, true);
        window = new double[p.nFft()];
        double[] w = Dsp.hannPeriodic(p.winLength());
        System.arraycopy(w, 0, window, (p.nFft() - p.winLength()) / 2, w.length);
      }
      case KALDI -> {
        mel = Dsp.melKaldi(p.sampleRate(), p.nFft(), p.nMels(), p.fmin(),
            p.fmax() - p.sampleRate() / 2.0);
        window = Dsp.povey(p.winLength());
      }
      default -> {
        mel = Dsp.melPsf(p.sampleRate(), p.nFft(), p.nMels(), p.fmin(), p.fmax());
        window = null;
      }
    }
  }

  public Params params() {
    return p;
  }

  /** MFCCs of {@code y}: [frames][nMfcc]. */
  public float[][] compute(float[] y) {
    return switch (p.mode()) {
      case LIBROSA -> librosa(y);
      case KALDI -> kaldi(y);
      case EVP -> evp(y);
    };
  }

  /** Number of frames {@link #compute} returns for {@code n} samples. */
  public int frames(int n) {
    return switch (p.mode()) {
      case LIBROSA -> 1 + (n + 2 * (p.nFft() / 2) - p.nFft()) / p.hop();
      case KALDI -> n < p.winLength() ? 0 : 1 + (n - p.winLength()) / p.hop();
      case EVP -> n <= p.winLength() ? 1
          : 1 + (int) Math.ceil((n - p.winLength()) / (double) p.hop());
    };
  }

  private float[][] librosa(float[] y) {
    Signal s = Signal.of(y);
    double[][] logMel = librosaLogMel(s, 0, frames(y.length));
    return librosaCepstra(logMel, max(logMel, Double.NEGATIVE_INFINITY));
  }

  /**
   * Rows [r0, r1) of the librosa-mode log-mel (dB, before top_db) of the whole track {@code y}.
   * Each row depends on its own window only; top_db does not: it needs the largest value of the
   * whole track ({@link #max}), so a chunked caller passes over the track twice.
   */
  double[][] librosaLogMel(Signal y, int r0, int r1) {
    return Spectra.melPowerDb(y, r0, r1, p.nFft(), p.hop(), window, mel, false, fft);
  }

  /** The larger of {@code max} and every value of {@code logMel}. */
  static double max(double[][] logMel, double max) {
    for (double[] f : logMel) {
      for (double v : f) {
        max = Math.max(max, v);
      }
    }
    return max;
  }

  /** librosa's MFCC from log-mel rows, clipped at top_db below the whole track's {@code max}. */
  float[][] librosaCepstra(double[][] logMel, double max) {
    if (p.topDb() > 0) {
      double floor = max - p.topDb();
      for (double[] f : logMel) {
        for (int i = 0; i < f.length; i++) {
          f[i] = Math.max(f[i], floor);
        }
      }
    }
    return cepstra(logMel, null);
  }

  private float[][] kaldi(float[] y) {
    int frames = frames(y.length);
    int len = p.winLength();
    double[][] logMel = new double[frames][];
    double[] frame = new double[len];
    double[] power = new double[p.nFft() / 2 + 1];
    double eps = Math.ulp(1.0f);
    for (int t = 0; t < frames; t++) {
      int start = t * p.hop();
      double mean = 0;
      for (int i = 0; i < len; i++) {
        frame[i] = y[start + i];
        mean += frame[i];
      }
      mean /= len;
      for (int i = 0; i < len; i++) {
        frame[i] -= mean;
      }
      for (int i = len - 1; i > 0; i--) {
        frame[i] -= p.preemphasis() * frame[i - 1];
      }
      frame[0] -= p.preemphasis() * frame[0];
      for (int i = 0; i < len; i++) {
        frame[i] *= window[i];
      }
      fft.power(frame, len, power);
      logMel[t] = applyMel(power, eps, true);
    }
    return cepstra(logMel, null);
  }

  private float[][] evp(float[] y) {
    return evpRows(Signal.of(y), 0, frames(y.length));
  }

  /**
   * Rows [r0, r1) of the python_speech_features MFCC of the whole track {@code y}: pre-emphasis
   * (each sample needs its predecessor), then frames of winLength at every hop, the last one
   * zero-filled past the end.
   */
  float[][] evpRows(Signal y, int r0, int r1) {
    int len = p.winLength();
    long n = y.length();
    double[][] logMel = new double[r1 - r0][];
    double[] energy = new double[r1 - r0];
    double[] frame = new double[len];
    double[] power = new double[p.nFft() / 2 + 1];
    double eps = Math.ulp(1.0);
    for (int t = r0; t < r1; t++) {
      long start = (long) t * p.hop();
      for (int k = 0; k < len; k++) {
        long i = start + k;
        frame[k] = i >= n ? 0 : i == 0 ? y.at(0) : y.at(i) - p.preemphasis() * y.at(i - 1);
      }
      fft.power(frame, len, power);
      double e = 0;
      for (int k = 0; k < power.length; k++) {
        power[k] /= p.nFft();
        e += power[k];
      }
      energy[t - r0] = e == 0 ? eps : e;
      logMel[t - r0] = applyMel(power, eps, false);
    }
    return cepstra(logMel, energy);
  }

  /** log(mel · power), floored at eps (Kaldi: max; python_speech_features: only exact zeros). */
  private double[] applyMel(double[] power, double eps, boolean floorMax) {
    double[] out = new double[mel.length];
    for (int m = 0; m < mel.length; m++) {
      double s = 0;
      double[] w = mel[m];
      for (int k = 0; k < power.length; k++) {
        s += w[k] * power[k];
      }
      out[m] = Math.log(floorMax ? Math.max(s, eps) : (s == 0 ? eps : s));
    }
    return out;
  }

  private float[][] cepstra(double[][] logMel, double[] energy) {
    float[][] out = new float[logMel.length][p.nMfcc()];
    for (int t = 0; t < logMel.length; t++) {
      for (int k = 0; k < p.nMfcc(); k++) {
        double s = 0;
        double[] d = dct[k];
        for (int m = 0; m < d.length; m++) {
          s += d[m] * logMel[t][m];
        }
        out[t][k] = (float) (s * lift[k]);
      }
      if (energy != null) {
        out[t][0] = (float) Math.log(energy[t]);
      }
    }
    return out;
  }
}
