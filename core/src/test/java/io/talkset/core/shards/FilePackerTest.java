package io.talkset.core.shards;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class FilePackerTest {
  private static FilePacker.Clip c(long rows, long bytes) {
    return new FilePacker.Clip("c" + rows + "-" + bytes, rows, bytes);
  }

  @Test
  void filesCloseBeforeAClipThatWouldPassALimit() {
    List<FilePacker.Clip> clips = List.of(c(100, 10), c(100, 10), c(100, 10), c(50, 10));
    assertArrayEquals(new int[] {0, 0, 1, 1}, FilePacker.assign(clips, 250, 0));
    assertArrayEquals(new int[] {0, 0, 0, 1}, FilePacker.assign(clips, 0, 30));
    // Whichever limit comes first.
    assertArrayEquals(new int[] {0, 1, 2, 2}, FilePacker.assign(clips, 150, 30));
    assertArrayEquals(new int[] {0, 0, 0, 0}, FilePacker.assign(clips, 0, 0));
  }

  @Test
  void aClipOverTheLimitGetsAFileOfItsOwn() {
    List<FilePacker.Clip> clips = List.of(c(10, 1), c(1000, 1), c(10, 1));
    assertArrayEquals(new int[] {0, 1, 2}, FilePacker.assign(clips, 100, 0));
    assertArrayEquals(new int[] {0}, FilePacker.assign(List.of(c(1000, 1)), 100, 0));
    assertArrayEquals(new int[0], FilePacker.assign(List.of(), 100, 0));
    assertThrows(IllegalArgumentException.class, () -> FilePacker.assign(List.of(), -1, 0));
  }
}
