package io.talkset.core.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FrameAlignmentTest {

  @Test
  void reconcilePadsOrTrimsToWholeFrames() {
    FrameAlignment.Reconciled pad = FrameAlignment.reconcile(new float[1000], 3);
    assertEquals(1920, pad.samples().length);
    assertEquals(920, pad.paddedSamples());
    FrameAlignment.Reconciled trim = FrameAlignment.reconcile(new float[2000], 3);
    assertEquals(80, trim.trimmedSamples());
    FrameAlignment.Reconciled own = FrameAlignment.reconcile(new float[1281], -1);
    assertEquals(3, own.frames());
  }

  @Test
  void wav2lipWindowsStartAtWav2lipsIndex() {
    float[][] mel = new float[300][80];
    for (int r = 0; r < mel.length; r++) {
      mel[r][0] = r;
    }
    float[][] w = FrameAlignment.wav2lip(mel, 90);
    for (int i = 0; i < 90; i++) {
      int start = Math.min((int) Math.floor(80.0 * i / 25), 300 - 16);
      for (int r = 0; r < 16; r++) {
        assertEquals(start + r, w[i][r * 80], "frame " + i + " step " + r);
      }
    }
    assertEquals(9, FrameAlignment.wav2lipStart(3));
  }

  /** A tone that starts exactly at frame 50 (2.0 s) shows up in frame 50's features. */
  @Test
  void anOnsetLandsInItsVideoFrameUnderEveryConvention() {
    float[] y = new float[4 * 16000];
    for (int i = 32000; i < y.length; i++) {
      y[i] = (float) (0.5 * Math.sin(2 * Math.PI * 200 * i / 16000.0));
    }
    AudioFeatures.Frames f = new AudioFeatures(Pyin.Params.speech16k()).compute(y, 100, false);
    assertEquals(100, f.frames());
    // hdtf: steps at 10 ms; frame 48 (1.92-1.95 s) is silent, frame 51 voiced at 200 Hz.
    for (int s = 0; s < 4; s++) {
      assertEquals(0, f.hdtf()[48][s * 15 + 13]);
      assertEquals(200, f.hdtf()[51][s * 15 + 13], 200 * 0.012);
    }
    // wav2lip: frame 44's window ends before 1.96 s: all at the silence floor (-4).
    for (float v : f.wav2lip()[44]) {
      assertEquals(-4f, v);
    }
    float max50 = -4;
    for (int k = 0; k < 80; k++) {
      max50 = Math.max(max50, f.wav2lip()[50][k]);
    }
    assertTrue(max50 > 0, "frame 50's first mel step hears the tone: " + max50);
    // evp: frame 40's window (1.48-1.75 s) is silence, every step alike; frame 50's is not.
    float[] first = java.util.Arrays.copyOfRange(f.evp()[40], 0, 12);
    for (int r = 1; r < 28; r++) {
      assertArrayEquals(first, java.util.Arrays.copyOfRange(f.evp()[40], r * 12, r * 12 + 12));
    }
    assertNotEquals(f.evp()[50][0], f.evp()[50][27 * 12]);
  }
}
