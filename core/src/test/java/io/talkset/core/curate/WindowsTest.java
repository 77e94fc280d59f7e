package io.talkset.core.curate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.talkset.core.curate.Windows.Window;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WindowsTest {
  static int[] range(int from, int to) {
    return IntStream.rangeClosed(from, to).toArray();
  }

  static int[] concat(int[]... parts) {
    return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
  }

  @Test
  void windowsTileEachRunOfKeptFramesAndNeverCrossAGap() {
    // Runs 10..134 (125 frames) and 140..189 (50): 2 s windows (50 frames), hop 1 s (25).
    int[] kept = concat(range(140, 189), range(10, 134));
    List<Window> w = Windows.cut(kept, 50, 25);
    assertEquals(List.of(new Window(10, 59), new Window(35, 84), new Window(60, 109),
        new Window(85, 134), new Window(140, 189)), w);
    // No overlap (hop = length): 10..59, 60..109; 110..134 is too short.
    assertEquals(List.of(new Window(10, 59), new Window(60, 109), new Window(140, 189)),
        Windows.cut(kept, 50, 50));
    // A hop longer than the window skips frames between windows.
    assertEquals(List.of(new Window(10, 59), new Window(85, 134), new Window(140, 189)),
        Windows.cut(kept, 50, 75));
    assertEquals(List.of(), Windows.cut(range(0, 48), 50, 25), "49 frames: no window");
    assertEquals(List.of(), Windows.cut(new int[0], 50, 25));
  }

  @Test
  void audioRangesFollowTheFramesAt640SamplesAFrame() {
    Window w = new Window(25, 149);
    assertEquals(125, w.frames());
    assertEquals(16_000, w.firstSample(), "frame 25 starts at 1 s");
    assertEquals(96_000, w.endSample(), "frame 149 ends at 6 s");
    assertEquals(125, Windows.frames(5.0));
    assertEquals(13, Windows.frames(0.5));
    assertEquals(1, Windows.frames(0.001));
    assertThrows(IllegalArgumentException.class, () -> Windows.cut(new int[] {1}, 0, 1));
  }
}
