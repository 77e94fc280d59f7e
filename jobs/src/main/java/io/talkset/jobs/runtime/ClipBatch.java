package io.talkset.jobs.runtime;

import java.util.Locale;
import java.util.Map;

/**
 * What a run of a per-clip stage (audio, frames, params) did: the batch it committed (null when
 * there was nothing to do), the clips it processed, those done by earlier runs, the frame rows
 * it wrote, and its clips by status.
 */
public record ClipBatch(String batch, int processed, int skipped, long frames,
    Map<String, Long> byStatus) {

  /** A run that found every clip done already. */
  public static ClipBatch nothingToDo(int skipped) {
    return new ClipBatch(null, 0, skipped, 0, Map.of());
  }

  /**
   * The stage's summary lines, e.g. {@code audio: 3 clips processed (0 done before), 947 frames;
   * by status {ok=3}} and the two tables under {@code output}.
   */
  public String summary(String stage, String framesNoun, String output, String rowsTable,
      String statusTable) {
    return String.format(Locale.ROOT, "%s: %d clips processed (%d done before), %d %s;"
        + " by status %s%n  tables: %s/%s, %s/%s%n", stage, processed, skipped, frames,
        framesNoun, byStatus, output, rowsTable, output, statusTable);
  }
}
