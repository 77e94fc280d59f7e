package io.talkset.core.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.audio.AudioDecoder;
import io.talkset.core.media.FileSource;
import io.talkset.testing.Samples;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Loudness measured while the audio streams past equals the whole clip's envelope, bit for bit. */
class FrameLoudnessTest {
  @Test
  void streamedLoudnessIsTheWholeClipsEnvelope() throws Exception {
    Path p = Samples.get("speech/librivox/sense_and_sensibility_01_austen_64kb-0870.wav");
    FrameLoudness streamed = new FrameLoudness(16000);
    float[] whole;
    try (FileSource s = new FileSource(p)) {
      whole = new AudioDecoder(16000).decodeAll(s, "a.wav",
          System.nanoTime() + TimeUnit.SECONDS.toNanos(60), null);
    }
    try (FileSource s = new FileSource(p)) {
      new AudioDecoder(16000).decode(s, "a.wav", System.nanoTime()
          + TimeUnit.SECONDS.toNanos(60), streamed::accept);
    }
    assertEquals(whole.length, streamed.samples());
    // The track padded with silence to whole frames, and two frames past its end that read 0.
    int frames = whole.length / 640 + 2;
    assertTrue(whole.length % 640 != 0, "the sample ends inside a frame");
    assertArrayEquals(AvSync.envelope(Arrays.copyOf(whole, frames * 640), 16000, frames),
        streamed.rms(frames), 0.0);

    // Chunks that straddle frame boundaries in every way give the same sums.
    FrameLoudness odd = new FrameLoudness(16000);
    int at = 0;
    for (int size = 1; at < whole.length; size = size % 997 + 7) {
      float[] chunk = Arrays.copyOfRange(whole, at, Math.min(whole.length, at + size));
      odd.accept(chunk, chunk.length);
      at += chunk.length;
    }
    assertArrayEquals(streamed.rms(frames), odd.rms(frames), 0.0);
  }

  @Test
  void aRateThatIsNoMultipleOf25IsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new FrameLoudness(44101));
  }
}
