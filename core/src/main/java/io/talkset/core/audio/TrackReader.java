package io.talkset.core.audio;

import java.io.IOException;

/** Random access to a decoded 16 kHz track that is not held in memory (see {@link AudioSpool}). */
@FunctionalInterface
public interface TrackReader {
  /** Fills {@code dst[0, count)} with samples [from, from + count), all of them decoded ones. */
  void read(long from, float[] dst, int count) throws IOException;

  /** A track held in an array. */
  static TrackReader of(float[] y) {
    return (from, dst, count) -> System.arraycopy(y, (int) from, dst, 0, count);
  }
}
