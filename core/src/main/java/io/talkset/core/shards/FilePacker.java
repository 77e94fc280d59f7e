package io.talkset.core.shards;

import java.util.List;

/**
 * Cuts a sorted run of clips into files: clips stay whole and in order, a file is closed before
 * a clip that would take it past the row or byte limit, and a clip bigger than a limit gets a file
 * of its own. Whole clips keep every clip's frame sequence in one file (a reader can window over
 * it without crossing files), and file boundaries then depend only on the rows, never on how
 * Spark partitioned them, so the same inputs give the same files.
 */
public final class FilePacker {
  private FilePacker() {}

  /** A clip's size in a split's table. */
  public record Clip(String clipId, long rows, long bytes) {}

  /**
   * File number of each clip, in the given order.
   *
   * @param maxRows rows per file, 0 for no limit
   * @param maxBytes estimated bytes per file, 0 for no limit
   */
  public static int[] assign(List<Clip> clips, long maxRows, long maxBytes) {
    if (maxRows < 0 || maxBytes < 0) {
      throw new IllegalArgumentException("limits must be 0 (none) or positive");
    }
    int[] file = new int[clips.size()];
    int current = 0;
    long rows = 0;
    long bytes = 0;
    for (int i = 0; i < file.length; i++) {
      Clip c = clips.get(i);
      boolean over = (maxRows > 0 && rows + c.rows() > maxRows)
          || (maxBytes > 0 && bytes + c.bytes() > maxBytes);
      if (over && rows > 0) {
        current++;
        rows = 0;
        bytes = 0;
      }
      file[i] = current;
      rows += c.rows();
      bytes += c.bytes();
    }
    return file;
  }
}
