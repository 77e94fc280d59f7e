package io.talkset.bench;

import io.talkset.core.audio.AudioDecoder;
import io.talkset.core.audio.AudioFeatures;
import io.talkset.core.audio.LogMel;
import io.talkset.core.audio.Mfcc;
import io.talkset.core.audio.Pyin;
import io.talkset.core.media.FileSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Audio feature throughput (a benchmark, not a test): builds SECONDS of real 16 kHz speech by
 * repeating the sample recordings, writes it to OUT.f32 for the librosa side of bin/bench-audio,
 * and prints times-real-time for MFCC, log-mel and pitch, each best of a warm-up run and a timed
 * run. Usage: AudioBench SAMPLES_DIR SECONDS OUT.f32
 */
public final class AudioBench {
  public static void main(String[] args) throws Exception {
    Path samples = Path.of(args[0]);
    int seconds = Integer.parseInt(args[1]);
    float[] y = speech(samples, seconds);
    write(y, Path.of(args[2]));
    double audio = y.length / 16000.0;
    Mfcc mfcc = new Mfcc(AudioFeatures.HDTF_MFCC);
    LogMel mel = new LogMel();
    Pyin pyin = new Pyin(Pyin.Params.speech16k());
    // Warm up the JIT (executors run for hours): three passes over two minutes of audio.
    float[] warm = java.util.Arrays.copyOf(y, Math.min(y.length, 120 * 16000));
    for (int i = 0; i < 3; i++) {
      mfcc.compute(warm);
      mel.compute(warm);
      pitchInMinutes(pyin, warm);
    }
    double tMfcc = time(() -> mfcc.compute(y));
    double tMel = time(() -> mel.compute(y));
    double tPitch = time(() -> pitchInMinutes(pyin, y));
    System.out.printf(Locale.ROOT, "talkset mfcc  %8.1f x real time (%.2f s for %.0f s)%n",
        audio / tMfcc, tMfcc, audio);
    System.out.printf(Locale.ROOT, "talkset mel   %8.1f x real time (%.2f s)%n", audio / tMel, tMel);
    System.out.printf(Locale.ROOT, "talkset pitch %8.1f x real time (%.2f s)%n", audio / tPitch,
        tPitch);
    System.out.printf(Locale.ROOT, "talkset all3  %8.1f x real time%n",
        audio / (tMfcc + tMel + tPitch));
  }

  /** Pitch per one-minute piece, the length of a typical clip (the Viterbi keeps a backtrace). */
  static void pitchInMinutes(Pyin pyin, float[] y) {
    int piece = 60 * 16000;
    for (int s = 0; s < y.length; s += piece) {
      pyin.compute(java.util.Arrays.copyOfRange(y, s, Math.min(y.length, s + piece)));
    }
  }

  static double time(Runnable r) {
    long t = System.nanoTime();
    r.run();
    return (System.nanoTime() - t) / 1e9;
  }

  public static float[] speech(Path samples, int seconds) throws IOException {
    List<float[]> parts = new ArrayList<>();
    AudioDecoder dec = new AudioDecoder(16000);
    try (var files = Files.list(samples.resolve("speech/librivox"))) {
      for (Path p : files.filter(f -> f.toString().endsWith(".wav")).sorted().toList()) {
        try (FileSource s = new FileSource(p)) {
          parts.add(dec.decodeAll(s, p.getFileName().toString(), Long.MAX_VALUE / 2, null));
        } catch (io.talkset.core.errors.ProbeException e) {
          throw new IOException(e);
        }
      }
    }
    float[] y = new float[seconds * 16000];
    int at = 0;
    for (int i = 0; at < y.length; i++) {
      float[] p = parts.get(i % parts.size());
      int n = Math.min(p.length, y.length - at);
      System.arraycopy(p, 0, y, at, n);
      at += n;
    }
    return y;
  }

  static void write(float[] y, Path out) throws IOException {
    ByteBuffer bb = ByteBuffer.allocate(y.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bb.asFloatBuffer().put(y);
    Files.write(out, bb.array());
  }
}
