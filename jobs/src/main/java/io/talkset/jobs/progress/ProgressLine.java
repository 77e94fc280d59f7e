package io.talkset.jobs.progress;

import java.util.Locale;

/**
 * The console progress line of a stage: {@code progress audio: 12/62 clips, 950 frames,
 * 85.3 frames/s, ETA 0:21}. Rates are over the stage's wall time so far; the ETA assumes the
 * remaining clips take as long as the finished ones did on average (clips, not frames, because
 * the frames of a clip are unknown until it is decoded).
 */
public final class ProgressLine {
  private ProgressLine() {}

  /**
   * @param done clips finished by this run so far (capped at {@code todo}: a task re-run after
   *     a lost executor counts its clips again until the stage ends)
   * @param frames frames written so far
   * @param elapsedMs wall time since the stage started its clips
   */
  public static String format(String stage, long done, long todo, long frames, long elapsedMs) {
    long d = Math.min(done, todo);
    StringBuilder sb = new StringBuilder("progress ").append(stage).append(": ")
        .append(d).append('/').append(todo).append(" clips");
    double seconds = elapsedMs / 1000.0;
    if (frames > 0) {
      sb.append(", ").append(frames).append(" frames");
      if (seconds > 0) {
        sb.append(String.format(Locale.ROOT, ", %.1f frames/s", frames / seconds));
      }
    }
    sb.append(", ETA ").append(eta(d, todo, elapsedMs));
    return sb.toString();
  }

  /** {@code m:ss} (or {@code h:mm:ss}) left, {@code ?} before the first clip finished. */
  static String eta(long done, long todo, long elapsedMs) {
    if (done >= todo) {
      return "0:00";
    }
    if (done <= 0) {
      return "?";
    }
    long left = Math.round((double) elapsedMs * (todo - done) / done / 1000.0);
    return left >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", left / 3600, left / 60 % 60, left % 60)
        : String.format(Locale.ROOT, "%d:%02d", left / 60, left % 60);
  }
}
