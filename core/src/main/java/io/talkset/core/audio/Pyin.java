package io.talkset.core.audio;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Probabilistic YIN (Mauch and Dixon, 2014) as {@code librosa.pyin} computes it, so that the
 * frames, candidates, probabilities and Viterbi path agree with librosa for the same parameters:
 * centred frames (zero padding), YIN's cumulative-mean-normalised difference from an FFT
 * autocorrelation, parabolic refinement of each trough, a Beta(2, 18) prior over 100 thresholds
 * with a Boltzmann prior over trough rank, 10 pitch bins per semitone, a triangular local
 * transition of ±(max_transition_rate·12·hop/sr) semitones, a voiced/unvoiced switch probability,
 * and Viterbi decoding over voiced and unvoiced copies of every bin.
 *
 * <p>Output per frame: F0 in Hz (0 when unvoiced), the voicing decision and the voiced
 * probability. Not thread-safe (reuses FFT buffers).
 */
public final class Pyin {

  /** Parameters with librosa.pyin's names; defaults suit speech at 16 kHz, 100 frames/s. */
  public record Params(int sampleRate, double fmin, double fmax, int frameLength, int hop,
      int nThresholds, int betaA, int betaB, double boltzmann, double resolution,
      double maxTransitionRate, double switchProb, double noTroughProb) {

    /**
     * C2 (65.4 Hz) to C6 (1046.5 Hz), 32 ms frames (two periods of C2; longer frames smear
     * fast intonation), 10 ms hop, librosa's other defaults.
     */
    public static Params speech16k() {
      return new Params(16000, 65.40639132514966, 1046.5022612023945, 512, 160, 100, 2, 18, 2,
          0.1, 35.92, 0.01, 0.01);
    }

    public Map<String, String> describe() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("algorithm", "pyin (librosa.pyin conventions)");
      m.put("sample_rate", String.valueOf(sampleRate));
      m.put("fmin", String.valueOf(fmin));
      m.put("fmax", String.valueOf(fmax));
      m.put("frame_length", String.valueOf(frameLength));
      m.put("hop_length", String.valueOf(hop));
      m.put("n_thresholds", String.valueOf(nThresholds));
      m.put("beta_parameters", betaA + "," + betaB);
      m.put("boltzmann_parameter", String.valueOf(boltzmann));
      m.put("resolution", String.valueOf(resolution));
      m.put("max_transition_rate", String.valueOf(maxTransitionRate));
      m.put("switch_prob", String.valueOf(switchProb));
      m.put("no_trough_prob", String.valueOf(noTroughProb));
      m.put("center", "true, zero padding");
      m.put("unvoiced_f0", "0");
      return m;
    }
  }

  /** Per-frame results. */
  public record Result(double[] f0, boolean[] voiced, double[] voicedProb) {
    public int frames() {
      return f0.length;
    }
  }

  private final Params p;
  private final int minPeriod;
  private final int maxPeriod;
  private final int nBins;
  private final int binsPerSemitone;
  private final double[] thresholds;
  private final double[] betaProbs;
  private final double[] freqs;
  private final int halfWidth;
  /** localInto[j][k − max(0, j − halfWidth)]: log transition from bin k into bin j. */
  private final double[][] localInto;
  private final int fftSize;
  private final DoubleFFT_1D fft;
  private final double[] fftBuf;

  public Pyin(Params p) {
    if (p.fmin() <= 0 || p.fmin() >= p.fmax() || p.fmax() > p.sampleRate() / 2.0) {
      throw new IllegalArgumentException("need 0 < fmin < fmax <= sr/2");
    }
    if (p.sampleRate() / p.fmin() >= p.frameLength() - 1) {
      throw new IllegalArgumentException("fmin too small for the frame length");
    }
    this.p = p;
    this.minPeriod = (int) Math.floor(p.sampleRate() / p.fmax());
    this.maxPeriod = Math.min((int) Math.ceil(p.sampleRate() / p.fmin()), p.frameLength() - 1);
    this.binsPerSemitone = (int) Math.ceil(1.0 / p.resolution());
    this.nBins = (int) Math.floor(12 * binsPerSemitone * log2(p.fmax() / p.fmin())) + 1;
    this.thresholds = new double[p.nThresholds() + 1];
    for (int i = 0; i <= p.nThresholds(); i++) {
      thresholds[i] = i / (double) p.nThresholds();
    }
    this.betaProbs = new double[p.nThresholds()];
    double prev = betaCdf(thresholds[0], p.betaA(), p.betaB());
    for (int i = 0; i < p.nThresholds(); i++) {
      double c = betaCdf(thresholds[i + 1], p.betaA(), p.betaB());
      betaProbs[i] = c - prev;
      prev = c;
    }
    this.freqs = new double[nBins];
    for (int i = 0; i < nBins; i++) {
      freqs[i] = p.fmin() * Math.pow(2, i / (double) (12 * binsPerSemitone));
    }
    long maxSemitones = Math.round(
        Math.rint(p.maxTransitionRate() * 12 * p.hop() / p.sampleRate()));
    int width = (int) (maxSemitones * binsPerSemitone + 1);
    this.halfWidth = width / 2;
    double[][] full = localTransition(nBins, width);
    this.localInto = new double[nBins][];
    for (int j = 0; j < nBins; j++) {
      int lo = Math.max(0, j - halfWidth);
      int hi = Math.min(nBins - 1, j + halfWidth);
      localInto[j] = new double[hi - lo + 1];
      for (int k = lo; k <= hi; k++) {
        localInto[j][k - lo] = full[k][j];
      }
    }
    this.fftSize = Integer.highestOneBit(2 * p.frameLength() - 2) << 1;
    this.fft = new DoubleFFT_1D(fftSize);
    this.fftBuf = new double[fftSize];
  }

  public Params params() {
    return p;
  }

  /** Number of frames for {@code n} samples (centred framing). */
  public int frames(int n) {
    return 1 + (n + 2 * (p.frameLength() / 2) - p.frameLength()) / p.hop();
  }

  public Result compute(float[] y) {
    Tracker t = tracker(y.length);
    t.advance(Signal.of(y), t.frames());
    return t.finish();
  }

  /** A pitch track over a track of {@code samples} samples, computed a run of frames at a time. */
  Tracker tracker(long samples) {
    return new Tracker(samples);
  }

  /**
   * pYIN over a track fed in runs of frames, in order, each from a window of the track that
   * holds the run's samples: frames are independent until the Viterbi decoder, which takes
   * them one at a time (see {@link Decoder}). Keeps 8 bytes of voiced probability and 4 of
   * path per frame.
   */
  final class Tracker {
    private final int frames;
    private final int pad = p.frameLength() / 2;
    private final int len = maxPeriod - minPeriod + 1;
    // Observation probabilities, voiced bins only; unvoiced bins share (1 - voiced) / nBins.
    private final float[] o = new float[nBins + 1];
    private final double[] voicedProb;
    private final Decoder decoder;
    private final double[] frame = new double[p.frameLength()];
    private final double[] yin = new double[len];
    private final double[] shift = new double[len];
    private final double[] probs = new double[len];
    private int next;

    private Tracker(long samples) {
      this.frames = (int) (1 + (samples + 2 * (p.frameLength() / 2) - p.frameLength()) / p.hop());
      this.voicedProb = new double[frames];
      this.decoder = new Decoder(frames);
    }

    int frames() {
      return frames;
    }

    /** Frames [next, upTo) from {@code y} (the whole track, or a window holding them). */
    void advance(Signal y, int upTo) {
      for (int t = next; t < upTo; t++) {
        long start = (long) t * p.hop() - pad;
        for (int i = 0; i < frame.length; i++) {
          frame[i] = y.at(start + i);
        }
        yinFrame(frame, yin);
        parabolic(yin, shift);
        troughProbs(yin, probs);
        java.util.Arrays.fill(o, 0);
        for (int i = 0; i < len; i++) {
          if (probs[i] == 0) {
            continue;
          }
          double period = minPeriod + i + shift[i];
          double f0 = p.sampleRate() / period;
          double bin = Math.rint(12 * binsPerSemitone * log2(f0 / p.fmin()));
          // librosa clips to n_pitch_bins (one past the last voiced bin); that slot is then
          // overwritten by the unvoiced probability, so such a candidate is dropped as there.
          int b = (int) Math.max(0, Math.min(nBins, bin));
          o[b] = (float) probs[i];
        }
        double sum = 0;
        for (int b = 0; b < nBins; b++) {
          sum += o[b];
        }
        voicedProb[t] = Math.max(0, Math.min(1, sum));
        // Each frame goes straight into the Viterbi decoder, which keeps back-pointers only
        // until every surviving path agrees: memory stays bounded on long clips.
        decoder.step(o, voicedProb[t]);
      }
      next = Math.max(next, upTo);
    }

    /** After every frame: the decoded track. */
    Result finish() {
      if (next != frames) {
        throw new IllegalStateException("pitch: " + next + " of " + frames + " frames fed");
      }
      int[] states = decoder.finish();
      double[] f0 = new double[frames];
      boolean[] voiced = new boolean[frames];
      for (int t = 0; t < frames; t++) {
        voiced[t] = states[t] < nBins;
        f0[t] = voiced[t] ? freqs[states[t] % nBins] : 0;
      }
      return new Result(f0, voiced, voicedProb);
    }
  }

  /** YIN's cumulative-mean-normalised difference for periods minPeriod..maxPeriod. */
  private void yinFrame(double[] x, double[] out) {
    int n = x.length;
    System.arraycopy(x, 0, fftBuf, 0, n);
    java.util.Arrays.fill(fftBuf, n, fftSize, 0);
    fft.realForward(fftBuf);
    fftBuf[0] = fftBuf[0] * fftBuf[0];
    fftBuf[1] = fftBuf[1] * fftBuf[1];
    for (int k = 1; k < fftSize / 2; k++) {
      double re = fftBuf[2 * k];
      double im = fftBuf[2 * k + 1];
      fftBuf[2 * k] = re * re + im * im;
      fftBuf[2 * k + 1] = 0;
    }
    fft.realInverse(fftBuf, true);
    double[] acf = fftBuf;
    // d(τ) = 2·(acf(0) − acf(τ)) − E(τ − 1), E the running energy with E(0) taken as 0.
    double energy = 0;
    double running;
    double cumulative = 0;
    for (int tau = 1; tau <= maxPeriod; tau++) {
      energy += x[tau - 1] * x[tau - 1];
      double e = tau == 1 ? 0 : energy;
      double d = 2 * (acf[0] - acf[tau]) - e;
      cumulative += d;
      running = cumulative / tau;
      if (tau >= minPeriod) {
        out[tau - minPeriod] = d / (running + Double.MIN_NORMAL);
      }
    }
  }

  private static void parabolic(double[] x, double[] shift) {
    int n = x.length;
    shift[0] = 0;
    shift[n - 1] = 0;
    for (int i = 1; i < n - 1; i++) {
      double a = x[i + 1] + x[i - 1] - 2 * x[i];
      double b = (x[i + 1] - x[i - 1]) / 2;
      shift[i] = Math.abs(b) >= Math.abs(a) ? 0 : -b / a;
    }
  }

  /** The probability of each trough being the period, from the threshold and rank priors. */
  private void troughProbs(double[] x, double[] probs) {
    int n = x.length;
    java.util.Arrays.fill(probs, 0);
    int[] troughs = new int[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      boolean trough;
      if (i == 0) {
        trough = x[0] < x[1];
      } else if (i == n - 1) {
        trough = x[n - 1] < x[n - 2];
      } else {
        trough = x[i] < x[i - 1] && x[i] <= x[i + 1];
      }
      if (trough) {
        troughs[count++] = i;
      }
    }
    if (count == 0) {
      return;
    }
    int m = betaProbs.length;
    double lambda = p.boltzmann();
    double norm = 1 - Math.exp(-lambda);
    // For each threshold, the troughs below it are ranked by position; rank k of N gets the
    // Boltzmann weight (1 − e^−λ)·e^−λk / (1 − e^−λN).
    int[] total = new int[m];
    for (int j = 0; j < count; j++) {
      for (int t = firstAbove(x[troughs[j]]); t < m; t++) {
        total[t]++;
      }
    }
    int[] below = new int[m];
    double[] rankWeight = rankWeights(count);
    double[] scaled = new double[m];
    for (int t = 0; t < m; t++) {
      scaled[t] = total[t] == 0 ? 0 : betaProbs[t] * norm / (1 - rankWeight[total[t]]);
    }
    for (int j = 0; j < count; j++) {
      double h = x[troughs[j]];
      double pj = 0;
      // Thresholds increase: the trough is below threshold t for every t from the first one
      // above h onwards.
      for (int t = firstAbove(h); t < m; t++) {
        int rank = below[t]++;
        pj += rankWeight[rank] * scaled[t];
      }
      probs[troughs[j]] = pj;
    }
    int globalMin = 0;
    for (int j = 1; j < count; j++) {
      if (x[troughs[j]] < x[troughs[globalMin]]) {
        globalMin = j;
      }
    }
    double hMin = x[troughs[globalMin]];
    double extra = 0;
    for (int t = 0; t < m; t++) {
      if (!(hMin < thresholds[t + 1])) {
        extra += betaProbs[t];
      }
    }
    // librosa sums beta_probs[:n] where n counts thresholds not above the minimum: those are
    // the first n, since thresholds increase.
    probs[troughs[globalMin]] += p.noTroughProb() * extra;
  }

  private double[] rankWeightCache = new double[0];

  /** e^(−λk) for k = 0..n. */
  private double[] rankWeights(int n) {
    if (rankWeightCache.length <= n) {
      rankWeightCache = new double[Math.max(n + 1, 2 * rankWeightCache.length)];
      for (int k = 0; k < rankWeightCache.length; k++) {
        rankWeightCache[k] = Math.exp(-p.boltzmann() * k);
      }
    }
    return rankWeightCache;
  }

  /** The first threshold index t with h < thresholds[t + 1]. */
  private int firstAbove(double h) {
    int t = 0;
    int m = betaProbs.length;
    while (t < m && !(h < thresholds[t + 1])) {
      t++;
    }
    return t;
  }

  /**
   * Viterbi over 2·nBins states (voiced bins, then unvoiced bins), as librosa.sequence.viterbi
   * with librosa's transition (a triangular local band within each block, times the switch
   * probability between blocks). For each source bin the better of its two blocks is taken
   * first (the voiced one on a tie, as argmax scanning voiced states first would), which halves
   * the work of the band scan; exact ties between a voiced and an unvoiced path at different
   * bins, the only case where this could pick differently, do not occur with real scores.
   */
  /** Back-pointers held by the decoder now (for tests: bounded on long inputs). */
  int heldPointers() {
    return lastHeld;
  }

  private int lastHeld;

  /**
   * The Viterbi decoder, fed one frame at a time. Back-pointers are kept only for the frames
   * whose output is still open: every {@value #CHECK_EVERY} frames the decoder follows the
   * back-pointers of all states at the newest frame ({@link Decoder#settle}); frames whose
   * possible states all give one output are written out and their pointers dropped. In speech,
   * silence, tones and noise that leaves a few seconds of pointers at most (tests check it);
   * the output is exactly the whole-clip decode's (a path state written for a settled frame may
   * be another state with the same output).
   */
  private final class Decoder {
    /** How often, in frames, the decoder looks for a meeting point. */
    private static final int CHECK_EVERY = 64;
    private final int states = 2 * nBins;
    private final double logEps = Math.log(Double.MIN_NORMAL);
    private final double stay = Math.log(1 - p.switchProb());
    private final double move = Math.log(p.switchProb());
    private double[] prev = new double[states];
    private double[] cur = new double[states];
    private final double[] intoVoiced = new double[nBins];
    private final double[] intoUnvoiced = new double[nBins];
    private final boolean[] fromUnvoicedV = new boolean[nBins];
    private final boolean[] fromUnvoicedU = new boolean[nBins];
    private final double[] logO = new double[states];
    private final int[] path;
    /** Back-pointers of frames decided + 1 .. t, oldest first. */
    private final java.util.ArrayDeque<short[]> ptr = new java.util.ArrayDeque<>();
    private final java.util.ArrayDeque<short[]> spare = new java.util.ArrayDeque<>();
    private final int[] stamp = new int[states];
    private int stampValue;
    private int[] alive = new int[states];
    private int[] next = new int[states];
    /** reps[i]: a state of the walk's set at frame t - i. */
    private int[] reps = new int[CHECK_EVERY + 1];
    /** Frames before this one have their state in {@link #path}. */
    private int decided;
    private int t = -1;
    private int peak;

    /** Frames in which any state can reach any other (band moves of halfWidth bins). */
    private final int reach = Math.max(1, (nBins - 1 + halfWidth - 1) / halfWidth);
    /**
     * How far below the best a state at frame t may score and still start the final best path:
     * from the best state, any path from another state can be joined within {@link #reach}
     * frames, losing at most the worst transition plus the worst observation (log ε) per frame
     * against that path's at most 0; a state further below can never catch up.
     */
    private final double bound;

    Decoder(int frames) {
      this.path = new int[frames];
      double worstLocal = 0;
      for (double[] into : localInto) {
        for (double v : into) {
          worstLocal = Math.min(worstLocal, v);
        }
      }
      this.bound = reach * -(worstLocal + Math.min(stay, move) + logEps);
    }

    void step(float[] o, double voicedProb) {
      observationLogs(o, voicedProb, logEps, logO);
      t++;
      if (t == 0) {
        double logInit = Math.log(1.0 / states + Double.MIN_NORMAL);
        for (int s = 0; s < states; s++) {
          prev[s] = logInit + logO[s];
        }
        return;
      }
      for (int k = 0; k < nBins; k++) {
        double v = prev[k];
        double u = prev[nBins + k];
        double toV1 = v + stay;
        double toV2 = u + move;
        fromUnvoicedV[k] = toV2 > toV1;
        intoVoiced[k] = fromUnvoicedV[k] ? toV2 : toV1;
        double toU1 = v + move;
        double toU2 = u + stay;
        fromUnvoicedU[k] = toU2 > toU1;
        intoUnvoiced[k] = fromUnvoicedU[k] ? toU2 : toU1;
      }
      short[] back = spare.isEmpty() ? new short[states] : spare.poll();
      for (int j = 0; j < nBins; j++) {
        int lo = Math.max(0, j - halfWidth);
        double[] into = localInto[j];
        double bestV = Double.NEGATIVE_INFINITY;
        int argV = 0;
        double bestU = Double.NEGATIVE_INFINITY;
        int argU = 0;
        for (int d = 0; d < into.length; d++) {
          int k = lo + d;
          double a = intoVoiced[k] + into[d];
          if (a > bestV) {
            bestV = a;
            argV = k;
          }
          double b = intoUnvoiced[k] + into[d];
          if (b > bestU) {
            bestU = b;
            argU = k;
          }
        }
        back[j] = (short) (fromUnvoicedV[argV] ? nBins + argV : argV);
        cur[j] = bestV + logO[j];
        back[nBins + j] = (short) (fromUnvoicedU[argU] ? nBins + argU : argU);
        cur[nBins + j] = bestU + logO[nBins + j];
      }
      ptr.addLast(back);
      peak = Math.max(peak, ptr.size());
      double[] swap = prev;
      prev = cur;
      cur = swap;
      if (t % CHECK_EVERY == 0) {
        settle();
      }
    }

    /**
     * Writes out the frames whose output no later frame can change, and frees their pointers.
     * Walking back from the newest frame t, the states some state at t descends from form a set
     * per frame; the best path passes through that set whatever comes later. Where the set's
     * states all give the same output (one voiced bin, or all unvoiced: F0 0 whatever the bin),
     * that frame's output is decided; every frame up to the first undecided one is written out.
     */
    private void settle() {
      // A state scoring more than `bound` below the best now cannot be on the final best path
      // when `reach` frames or more are still to come (see Decoder()); near the end every
      // state stays in.
      boolean prune = path.length - 1 - t >= reach;
      double best = Double.NEGATIVE_INFINITY;
      for (int s = 0; s < states; s++) {
        best = Math.max(best, prev[s]);
      }
      int n = 0;
      for (int s = 0; s < states; s++) {
        if (!prune || prev[s] >= best - bound - 1) {
          alive[n++] = s;
        }
      }
      int held = ptr.size();
      if (reps.length <= held) {
        reps = new int[2 * (held + 1)];
      }
      reps[0] = alive[0];
      int oldestOpen = t;
      int frame = t;
      java.util.Iterator<short[]> it = ptr.descendingIterator();
      while (it.hasNext()) {
        short[] back = it.next();
        stampValue++;
        int m = 0;
        for (int i = 0; i < n; i++) {
          int from = back[alive[i]];
          if (stamp[from] != stampValue) {
            stamp[from] = stampValue;
            next[m++] = from;
          }
        }
        int[] swap = alive;
        alive = next;
        next = swap;
        n = m;
        frame--;
        reps[t - frame] = alive[0];
        if (!sameOutput(alive, n)) {
          oldestOpen = frame;
        }
      }
      int last = oldestOpen - 1;
      if (last < decided) {
        return;
      }
      for (int f = decided; f <= last; f++) {
        path[f] = reps[t - f];
      }
      // Pointers of frames decided + 1 .. last + 1 lead only into written frames.
      for (int f = decided; f <= last; f++) {
        spare.add(ptr.pollFirst());
      }
      decided = last + 1;
    }

    /** Whether states[0..n) all give one output: the same voiced bin, or unvoiced. */
    private boolean sameOutput(int[] set, int n) {
      int first = set[0] < nBins ? set[0] : -1;
      for (int i = 1; i < n; i++) {
        if ((set[i] < nBins ? set[i] : -1) != first) {
          return false;
        }
      }
      return true;
    }

    /**
     * Fills path[decided..from - 1] from state {@code state} at frame {@code from}, through
     * {@code pointers} (those of frames decided + 1 .. from, newest last).
     */
    private void traceBack(int from, int state, java.util.Deque<short[]> pointers) {
      java.util.Iterator<short[]> back = pointers.descendingIterator();
      int s = state;
      for (int f = from; f > decided; f--) {
        s = back.next()[s];
        path[f - 1] = s;
      }
    }

    int[] finish() {
      if (t < 0) {
        return path;
      }
      int last = 0;
      for (int s = 1; s < states; s++) {
        if (prev[s] > prev[last]) {
          last = s;
        }
      }
      path[t] = last;
      traceBack(t, last, ptr);
      lastHeld = peak;
      return path;
    }
  }


  /** log(observation + eps) for every state of one frame. */
  private void observationLogs(float[] o, double voicedProb, double logEps, double[] out) {
    double eps = Double.MIN_NORMAL;
    for (int b = 0; b < nBins; b++) {
      out[b] = o[b] == 0 ? logEps : Math.log(o[b] + eps);
    }
    double u = Math.log((1 - voicedProb) / nBins + eps);
    java.util.Arrays.fill(out, nBins, 2 * nBins, u);
  }

  /** log of librosa's row-normalised triangular local transition, within ±halfWidth bins. */
  private static double[][] localTransition(int n, int width) {
    int half = width / 2;
    double[][] t = new double[n][n];
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int j = Math.max(0, i - half); j <= Math.min(n - 1, i + half); j++) {
        sum += (half + 1 - Math.abs(j - i)) / (double) (half + 1);
      }
      for (int j = 0; j < n; j++) {
        double w = Math.abs(j - i) <= half ? (half + 1 - Math.abs(j - i)) / (double) (half + 1)
            : 0;
        t[i][j] = Math.log(w / sum + Double.MIN_NORMAL);
      }
    }
    // Stored as [from][to] in log space; callers read t[k][j] for k → j.
    return t;
  }

  /** Regularised incomplete beta I_x(a, b) for whole a, b: a binomial tail. */
  static double betaCdf(double x, int a, int b) {
    if (x <= 0) {
      return 0;
    }
    if (x >= 1) {
      return 1;
    }
    int n = a + b - 1;
    double s = 0;
    for (int j = a; j <= n; j++) {
      s += binomial(n, j) * Math.pow(x, j) * Math.pow(1 - x, n - j);
    }
    return s;
  }

  private static double binomial(int n, int k) {
    double r = 1;
    for (int i = 1; i <= k; i++) {
      r = r * (n - k + i) / i;
    }
    return r;
  }

  private static double log2(double v) {
    return Math.log(v) / Math.log(2);
  }
}
