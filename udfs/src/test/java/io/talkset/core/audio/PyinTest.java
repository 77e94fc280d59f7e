package io.talkset.core.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.testing.Python;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** pYIN against librosa.pyin with the same parameters, and against physics. */
class PyinTest {
  private static final Pyin.Params P = Pyin.Params.speech16k();

  @ParameterizedTest
  @ValueSource(strings = {
    "speech/librivox/sense_and_sensibility_01_austen_64kb-0870.wav",
    "speech/allison/confbridge-begin-glorious-a.wav",
    "speech/cards/001.wav",
    "video/kphotoalbum/movie.avi",
  })
  void matchesLibrosaPyin(String sample, @TempDir Path tmp) throws Exception {
    float[] y = FeatureFidelityTest.speech(sample);
    String spec = String.format(Locale.ROOT, "{\"kind\": \"librosa_pyin\", \"sr\": 16000,"
        + " \"fmin\": %s, \"fmax\": %s, \"frame_length\": 1024, \"hop\": 160", P.fmin(), P.fmax());
    List<double[][]> ref = Python.audioReference(Python.venv(),
        "[" + spec + ", \"dtype\": \"float64\"}, " + spec + "}]", y, tmp);
    Pyin.Result ours = new Pyin(P).compute(y);
    for (int r = 0; r < 2; r++) {
      double[][] lib = ref.get(r);
      assertEquals(lib.length, ours.frames());
      int agree = 0;
      int bothVoiced = 0;
      int within2 = 0;
      double maxProbDiff = 0;
      for (int t = 0; t < lib.length; t++) {
        boolean lv = lib[t][1] > 0.5;
        if (lv == ours.voiced()[t]) {
          agree++;
        }
        if (lv && ours.voiced()[t]) {
          bothVoiced++;
          if (Math.abs(ours.f0()[t] / lib[t][0] - 1) <= 0.02) {
            within2++;
          }
        }
        maxProbDiff = Math.max(maxProbDiff, Math.abs(ours.voicedProb()[t] - lib[t][2]));
      }
      double voicing = agree / (double) lib.length;
      double f0 = bothVoiced == 0 ? 1 : within2 / (double) bothVoiced;
      System.out.printf(Locale.ROOT, "pyin vs librosa (%s) %-50s %d frames: voicing agrees %.4f,"
          + " F0 within 2%% on %.4f of %d both-voiced, max |Δ voiced_prob| %.2e%n",
          r == 0 ? "float64" : "float32", sample, lib.length, voicing, f0, bothVoiced,
          maxProbDiff);
      assertTrue(voicing >= 0.95, "voicing agreement " + voicing);
      assertTrue(f0 >= 0.99, "F0 agreement " + f0);
    }
  }

  @Test
  void aPureToneGivesItsFrequencyEverywhere() {
    for (double hz : new double[] {80, 110, 220, 441.3, 900}) {
      float[] y = new float[16000];
      for (int i = 0; i < y.length; i++) {
        y[i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / 16000));
      }
      Pyin.Result r = new Pyin(P).compute(y);
      // Inner frames (away from the zero-padded edges) are voiced at the tone's pitch, within
      // one 10-cent pitch bin (the decoded path may sit one bin off, in librosa as here: up to
      // 11.3 cents at 80 Hz).
      for (int t = 10; t < r.frames() - 10; t++) {
        assertTrue(r.voiced()[t], hz + " Hz frame " + t);
        assertEquals(0, 1200 * Math.log(r.f0()[t] / hz) / Math.log(2), 12, hz + " Hz cents");
      }
    }
  }

  @Test
  void silenceIsUnvoicedAndDefined() {
    Pyin.Result r = new Pyin(P).compute(new float[8000]);
    for (int t = 0; t < r.frames(); t++) {
      assertTrue(!r.voiced()[t]);
      assertEquals(0, r.f0()[t]);
      assertTrue(Double.isFinite(r.voicedProb()[t]));
    }
  }

  @Test
  void veryShortAndClippedSignalsGiveDefinedOutput() {
    Pyin.Result shortOne = new Pyin(P).compute(new float[] {0.1f, -0.2f, 0.3f});
    assertEquals(1, shortOne.frames());
    float[] clipped = new float[4000];
    for (int i = 0; i < clipped.length; i++) {
      clipped[i] = (float) Math.max(-0.3, Math.min(0.3, Math.sin(2 * Math.PI * 150 * i / 16000)));
    }
    Pyin.Result c = new Pyin(P).compute(clipped);
    for (int t = 0; t < c.frames(); t++) {
      assertTrue(Double.isFinite(c.f0()[t]) && Double.isFinite(c.voicedProb()[t]));
    }
    assertEquals(150, c.f0()[c.frames() / 2], 1.0);
  }
}
