package io.talkset.core.pairs;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FrameSequenceTest {
  @Test
  void acceptsFramesZeroToNAndNamesTheFirstGap() {
    float[][] f = {{1, 2}, {3, 4}, {5, 6}};
    assertSame(f, FrameSequence.of("c", new int[] {0, 1, 2}, f));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FrameSequence.of("c", new int[] {0, 2, 3}, f));
    assertTrue(e.getMessage().contains("position 1 holds frame 2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> FrameSequence.of("c", new int[] {0, 1, 2}, new float[][] {{1, 2}, {3}, {5, 6}}));
    assertTrue(e.getMessage().contains("frame 1 has 1 values"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> FrameSequence.of("c", new int[0], new float[0][]));
  }
}
