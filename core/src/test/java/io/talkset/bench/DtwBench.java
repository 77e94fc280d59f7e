package io.talkset.bench;

import io.talkset.core.audio.AudioFeatures;
import io.talkset.core.audio.Mfcc;
import io.talkset.core.pairs.Dtw;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * DTW throughput (a benchmark, not a test): two sequences of L frames of 13 MFCCs at 25 fps from
 * the LibriVox samples, for each L: DTW on the precomputed cost matrix (librosa's {@code C=}),
 * on features with the Euclidean distance (librosa's {@code X, Y}), and on features inside a
 * band of fixed radius in frames. Writes the features to WORK/x_L.f64 and WORK/y_L.f64 for the
 * librosa side of bin/bench-dtw. Prints, per case, the best thread CPU time of several runs after
 * warm-up (CPU time, so that other work on a shared machine does not count) and the matrix cells
 * per second: L² for the full matrix, the band's cells for the band.
 * Usage: DtwBench SAMPLES_DIR WORK RADIUS L...
 */
public final class DtwBench {
  public static void main(String[] args) throws Exception {
    Path samples = Path.of(args[0]);
    Path work = Path.of(args[1]);
    int radius = Integer.parseInt(args[2]);
    int[] lengths = new int[args.length - 3];
    int most = 0;
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = Integer.parseInt(args[3 + i]);
      most = Math.max(most, lengths[i]);
    }
    float[][] frames = mfcc25(samples, 2 * most);
    Dtw full = new Dtw(Dtw.Params.defaults().withNormalization(Dtw.Normalization.NONE)
        .withBand(Dtw.Band.full()));
    Dtw band = new Dtw(Dtw.Params.defaults().withNormalization(Dtw.Normalization.NONE)
        .withBand(Dtw.Band.frames(radius)));
    // Warm up the JIT (executors align thousands of pairs) on a mid-size pair.
    float[][] wx = java.util.Arrays.copyOfRange(frames, 0, 500);
    float[][] wy = java.util.Arrays.copyOfRange(frames, 500, 1000);
    double[] wc = cost(wx, wy);
    for (int i = 0; i < 20; i++) {
      full.align(wx, wy);
      full.alignCost(wc, 500, 500);
      band.align(wx, wy);
    }
    for (int len : lengths) {
      float[][] x = java.util.Arrays.copyOfRange(frames, 0, len);
      float[][] y = java.util.Arrays.copyOfRange(frames, len, 2 * len);
      write(x, work.resolve("x_" + len + ".f64"));
      write(y, work.resolve("y_" + len + ".f64"));
      long cells = (long) len * len;
      boolean quadraticToo = len <= 4000;
      if (quadraticToo) {
        double[] c = cost(x, y);
        print("full-cost", len, cells, best(() -> full.alignCost(c, len, len)));
        print("full-feat", len, cells, best(() -> full.align(x, y)));
      }
      long bandCells = band.align(x, y).cells();
      print("band" + radius + "-feat", len, bandCells, best(() -> band.align(x, y)));
    }
  }

  static void print(String what, int len, long cells, double seconds) {
    System.out.printf(Locale.ROOT, "talkset %-12s %6d %12d cells %10.6f s %9.1f Mcells/s%n",
        what, len, cells, seconds, cells / seconds / 1e6);
  }

  /**
   * Best thread CPU time of runs totalling at least a second (and at least three): CPU time,
   * not wall time, so that other work on the machine does not count.
   */
  static double best(Runnable r) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    double best = Double.POSITIVE_INFINITY;
    double total = 0;
    for (int i = 0; i < 3 || total < 1; i++) {
      long t = cpu.getCurrentThreadCpuTime();
      r.run();
      double s = (cpu.getCurrentThreadCpuTime() - t) / 1e9;
      best = Math.min(best, s);
      total += s;
    }
    return best;
  }

  /** Euclidean cost matrix, row-major, as scipy's cdist gives librosa. */
  static double[] cost(float[][] x, float[][] y) {
    double[] c = new double[x.length * y.length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < y.length; j++) {
        double s = 0;
        for (int k = 0; k < x[i].length; k++) {
          double t = x[i][k] - y[j][k];
          s += t * t;
        }
        c[i * y.length + j] = Math.sqrt(s);
      }
    }
    return c;
  }

  /** 13 MFCCs (hdtf convention, librosa mode at 100 Hz), every fourth row: 25 fps. */
  static float[][] mfcc25(Path samples, int frames) throws IOException {
    float[] y = AudioBench.speech(samples, frames / 25 + 1);
    float[][] m = new Mfcc(AudioFeatures.HDTF_MFCC).compute(y);
    float[][] out = new float[frames][];
    for (int i = 0; i < frames; i++) {
      out[i] = m[4 * i];
    }
    return out;
  }

  static void write(float[][] f, Path out) throws IOException {
    ByteBuffer bb = ByteBuffer.allocate(f.length * f[0].length * 8)
        .order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : f) {
      for (float v : row) {
        bb.putDouble(v);
      }
    }
    Files.write(out, bb.array());
  }
}
