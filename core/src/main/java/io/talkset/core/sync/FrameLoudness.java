package io.talkset.core.sync;

import java.util.Arrays;

/**
 * {@link AvSync#envelope} fed as samples stream from the decoder: per 25 fps frame the running
 * sum of squares, so a clip's loudness costs 8 bytes a frame instead of its samples (230 MB an
 * hour at 16 kHz). The sums run in sample order, as the envelope's do, so the values are the
 * envelope's of the track padded to whole frames, to the bit.
 */
public final class FrameLoudness {
  private final int perFrame;
  private double[] sums = new double[1024];
  private long samples;

  /** @param rate the samples' rate, a multiple of 25 */
  public FrameLoudness(int rate) {
    if (rate <= 0 || rate % 25 != 0) {
      throw new IllegalArgumentException("the rate must be a positive multiple of 25, got "
          + rate);
    }
    this.perFrame = rate / 25;
  }

  /** The next {@code count} samples of the clip (an {@code AudioDecoder.Sink}). */
  public void accept(float[] chunk, int count) {
    for (int i = 0; i < count; i++) {
      int frame = (int) (samples / perFrame);
      if (frame >= sums.length) {
        sums = Arrays.copyOf(sums, Math.max(frame + 1, 2 * sums.length));
      }
      sums[frame] += chunk[i] * (double) chunk[i];
      samples++;
    }
  }

  /**
   * RMS per frame for {@code frames} frames from frame 0, of the track padded with silence to
   * whole frames (as every stage pads it): a last partial frame counts its missing samples as
   * zeros, and frames past the end are 0.
   */
  public double[] rms(int frames) {
    double[] e = new double[frames];
    for (int i = 0; i < frames && i < sums.length; i++) {
      e[i] = Math.sqrt(sums[i] / perFrame);
    }
    return e;
  }

  /** Samples seen so far. */
  public long samples() {
    return samples;
  }
}
