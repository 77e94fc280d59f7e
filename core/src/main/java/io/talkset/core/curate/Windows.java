package io.talkset.core.curate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fixed-length training windows (LatentSync-style clips of a few seconds) cut from the kept
 * frames of one segment: a window is {@code length} consecutive kept frames; windows start at
 * the first frame of each run of consecutive kept frames and every {@code hop} frames after it
 * while a whole window fits in the run. A run shorter than a window gives none; frames after the
 * last whole window are in no window.
 */
public final class Windows {
  /** Audio samples per 25 fps frame at 16 kHz. */
  public static final int SAMPLES_PER_FRAME = 640;

  private Windows() {}

  /** One window: its first and last frame (inclusive). */
  public record Window(int firstFrame, int lastFrame) {
    public int frames() {
      return lastFrame - firstFrame + 1;
    }

    /** First audio sample (16 kHz, sample 0 at the video's t = 0). */
    public long firstSample() {
      return (long) firstFrame * SAMPLES_PER_FRAME;
    }

    /** One past the last audio sample. */
    public long endSample() {
      return (long) (lastFrame + 1) * SAMPLES_PER_FRAME;
    }
  }

  /**
   * The windows of a segment's kept frames.
   *
   * @param kept the kept frame indices, in any order, without duplicates
   * @param length frames per window, at least 1
   * @param hop frames between window starts, at least 1
   */
  public static List<Window> cut(int[] kept, int length, int hop) {
    if (length < 1 || hop < 1) {
      throw new IllegalArgumentException("window length and hop must be at least 1 frame, got "
          + length + " and " + hop);
    }
    int[] f = kept.clone();
    Arrays.sort(f);
    List<Window> out = new ArrayList<>();
    int i = 0;
    while (i < f.length) {
      int j = i + 1;
      while (j < f.length && f[j] == f[j - 1] + 1) {
        j++;
      }
      // Run f[i] .. f[j - 1].
      for (int start = f[i]; start + length - 1 <= f[j - 1]; start += hop) {
        out.add(new Window(start, start + length - 1));
      }
      i = j;
    }
    return out;
  }

  /** Seconds to whole 25 fps frames, rounded to the nearest (at least 1). */
  public static int frames(double seconds) {
    return Math.max(1, (int) Math.round(seconds * 25));
  }
}
