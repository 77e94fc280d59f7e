package io.talkset.core.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Features computed a chunk at a time from a spooled track are the whole track's, to the bit, for
 * every convention, at chunk sizes that put boundaries everywhere (one frame, a prime number of
 * frames), with the grid padding the audio, trimming it, or following it.
 */
class FeatureStreamTest {
  private static final String SPEECH =
      "speech/librivox/sense_and_sensibility_01_austen_64kb-0870.wav";

  @Test
  void chunksEqualTheWholeTrack(@TempDir Path tmp) throws Exception {
    float[] y = FeatureFidelityTest.speech(SPEECH);
    int own = (y.length + 639) / 640;
    AudioFeatures features = new AudioFeatures(Pyin.Params.speech16k());
    try (AudioSpool spool = new AudioSpool(tmp)) {
      spool.accept(y, y.length);
      assertEquals(y.length, spool.samples());
      for (int videoFrames : new int[] {-1, own - 7, own + 9}) {
        AudioFeatures.Frames whole = features.compute(y, videoFrames, true);
        for (int chunk : new int[] {1, 37, 250}) {
          AudioFeatures.Stream s = features.stream(spool, y.length, videoFrames, true, chunk);
          assertEquals(whole.frames(), s.frames());
          assertEquals(whole.paddedSamples(), s.paddedSamples());
          assertEquals(whole.trimmedSamples(), s.trimmedSamples());
          List<AudioFeatures.Chunk> chunks = new ArrayList<>();
          s.forEachRemaining(chunks::add);
          int i = 0;
          for (AudioFeatures.Chunk c : chunks) {
            assertEquals(i, c.firstFrame());
            assertTrue(c.frames() <= chunk);
            for (int k = 0; k < c.frames(); k++, i++) {
              String at = "frame " + i + ", chunks of " + chunk + ", grid " + videoFrames;
              assertArrayEquals(whole.evp()[i], c.evp()[k], "evp " + at);
              assertArrayEquals(whole.wav2lip()[i], c.wav2lip()[k], "wav2lip " + at);
              assertArrayEquals(whole.hdtf()[i], c.hdtf()[k], "hdtf " + at);
              assertArrayEquals(whole.samples()[i], c.samples()[k], "samples " + at);
            }
          }
          assertEquals(whole.frames(), i);
        }
      }
    }
  }

  /** The spool's file is gone once closed; reading past what was written is refused. */
  @Test
  void theSpoolCleansUp(@TempDir Path tmp) throws Exception {
    AudioSpool spool = new AudioSpool(tmp);
    spool.accept(new float[] {0.25f, -0.5f, 1f}, 3);
    float[] back = new float[2];
    spool.read(1, back, 2);
    assertArrayEquals(new float[] {-0.5f, 1f}, back);
    assertThrows(IllegalArgumentException.class, () -> spool.read(2, back, 2));
    spool.close();
    try (var files = Files.list(tmp)) {
      assertFalse(files.findAny().isPresent());
    }
  }
}
