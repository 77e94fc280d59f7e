package io.talkset.core.sync;

import java.util.Arrays;

/**
 * The sync estimate of one face segment: its per-frame mouth openings (frames that have
 * landmarks) against the clip's audio on the same 25 fps grid, with the reasons a segment gets
 * no estimate (too few frames, silence).
 */
public final class SegmentSync {
  public static final String TOO_SHORT = "too_short";
  public static final String SILENT = "silent";

  /**
   * One segment's outcome; {@code estimate} is null unless {@code ok}.
   *
   * @param errorCode null, {@link #TOO_SHORT} or {@link #SILENT}
   */
  public record Result(String errorCode, String message, int firstFrame, int lastFrame,
      int frames, int framesUsed, AvSync.Estimate estimate) {
    public boolean ok() {
      return errorCode == null;
    }
  }

  private SegmentSync() {}

  /**
   * @param frameIndex the segment's frames with landmarks, ascending
   * @param mouth {@link AvSync#mouthOpening} of each of those frames
   * @param samples the clip's mono samples, sample 0 at frame 0's start
   * @param rate the samples' rate (a multiple of 25)
   */
  public static Result estimate(int[] frameIndex, double[] mouth, float[] samples, int rate,
      int maxLag, int minFrames, double silenceRms) {
    FrameLoudness loudness = new FrameLoudness(rate);
    loudness.accept(samples, samples.length);
    return estimate(frameIndex, mouth, loudness, maxLag, minFrames, silenceRms);
  }

  /**
   * As above, with the clip's loudness per frame measured while its audio streamed past
   * ({@link FrameLoudness}), so the clip's samples need not be held.
   */
  public static Result estimate(int[] frameIndex, double[] mouth, FrameLoudness clip,
      int maxLag, int minFrames, double silenceRms) {
    if (frameIndex.length == 0) {
      throw new IllegalArgumentException("a segment without frames");
    }
    int first = frameIndex[0];
    int last = frameIndex[frameIndex.length - 1];
    int n = last - first + 1;
    if (frameIndex.length < minFrames) {
      return new Result(TOO_SHORT, frameIndex.length + " frames with landmarks, fewer than "
          + minFrames, first, last, n, frameIndex.length, null);
    }
    // Frames the params stage has no row for (none in a gapless segment) keep the last value,
    // so the series stays on the grid.
    double[] open = new double[n];
    int k = 0;
    double current = mouth[0];
    for (int t = 0; t < n; t++) {
      while (k < frameIndex.length && frameIndex[k] - first <= t) {
        current = mouth[k++];
      }
      open[t] = current;
    }
    double[] loud = Arrays.copyOfRange(clip.rms(last + 1), first, last + 1);
    double peak = 0;
    for (double v : loud) {
      peak = Math.max(peak, v);
    }
    if (peak < silenceRms) {
      return new Result(SILENT, String.format(java.util.Locale.ROOT,
          "loudest frame RMS %.2g, under %.2g", peak, silenceRms), first, last, n,
          frameIndex.length, null);
    }
    return new Result(null, null, first, last, n, frameIndex.length,
        AvSync.estimate(open, loud, maxLag));
  }
}
