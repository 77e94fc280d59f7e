package io.talkset.core.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResampleTest {
  @ParameterizedTest
  @CsvSource({"16000, 8000", "11024, 16000", "44100, 16000", "16000, 48000"})
  void aToneKeepsItsFrequencyAndDuration(int from, int to) {
    float[] x = new float[from * 2];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (0.5 * Math.sin(2 * Math.PI * 1000 * i / (double) from));
    }
    float[] y = Resample.resample(x, from, to);
    assertEquals(2 * to, y.length, 2);
    assertEquals(1000.0, AudioDecoderTest.frequency(y, to, to / 10, to * 19 / 10), 0.5);
  }
}
