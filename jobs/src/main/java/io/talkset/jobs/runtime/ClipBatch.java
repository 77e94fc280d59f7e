package io.talkset.jobs.runtime;

import java.util.Locale;
import java.util.Map;

/**
 * What a run of a per-clip stage (audio, frames, params) did: the batch it committed (null when
 * there was nothing to do), the clips it processed, those done by earlier runs, the frame rows
 * it wrote, its clips by status, why there was nothing to do (null when there was work, or
 * when every clip was done by an earlier run), and for the model stages the devices their
 * clips ran on (empty for the others).
 */
public record ClipBatch(String batch, int processed, int skipped, long frames,
    Map<String, Long> byStatus, String nothingToDo, Map<String, Long> devices) {

  public ClipBatch(String batch, int processed, int skipped, long frames,
      Map<String, Long> byStatus) {
    this(batch, processed, skipped, frames, byStatus, null, Map.of());
  }

  /** A run that processed no clip; {@code why} as in {@link #nothingToDo()}. */
  public static ClipBatch nothingToDo(int skipped, String why) {
    return new ClipBatch(null, 0, skipped, 0, Map.of(), why, Map.of());
  }

  /**
   * The summary's line for each device description that explains a fallback (a task given a
   * GPU that ran on the CPU, and why): said once here instead of once per task in the log.
   */
  private String fallbacks() {
    StringBuilder sb = new StringBuilder();
    devices.forEach((d, n) -> {
      if (d != null && d.contains("(")) {
        sb.append(String.format(Locale.ROOT, "  device: %s, %d clip(s)%n", d, n));
      }
    });
    return sb.toString();
  }

  /**
   * The stage's summary lines, e.g. {@code audio: 3 clips processed (0 done before), 947 frames;
   * by status {ok=3}} and the two tables under {@code output}.
   */
  public String summary(String stage, String framesNoun, String output, String rowsTable,
      String statusTable) {
    return String.format(Locale.ROOT, "%s: %d clips processed (%d done before), %d %s;"
        + " by status %s%n%s%s  tables: %s/%s, %s/%s%n", stage, processed, skipped, frames,
        framesNoun, byStatus, nothingToDo == null ? "" : "  nothing to do: " + nothingToDo
        + "\n", fallbacks(), output, rowsTable, output, statusTable);
  }
}
