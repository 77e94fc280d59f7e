package io.talkset.core.audio;

/**
 * A track read by sample index, so that an extractor can compute any run of its rows from the
 * part of the track they need: a whole array, or a window of a longer track held in memory.
 * Indices outside [0, length) read 0 (the zero padding of centred framing and of the 25 fps
 * grid's end).
 */
interface Signal {
  long length();

  float at(long i);

  /** The whole of {@code y}. */
  static Signal of(float[] y) {
    return new Signal() {
      @Override
      public long length() {
        return y.length;
      }

      @Override
      public float at(long i) {
        return i >= 0 && i < y.length ? y[(int) i] : 0;
      }
    };
  }

  /**
   * Samples [start, start + count) of a track of {@code length} samples, held in {@code buf}.
   * Reading inside the track but outside the window is a planning error, never a silent zero:
   * it would make a chunk's features differ from the whole track's.
   */
  static Signal window(float[] buf, long start, int count, long length) {
    return new Signal() {
      @Override
      public long length() {
        return length;
      }

      @Override
      public float at(long i) {
        if (i < 0 || i >= length) {
          return 0;
        }
        long k = i - start;
        if (k < 0 || k >= count) {
          throw new IllegalStateException("sample " + i + " is outside the window ["
              + start + ", " + (start + count) + ") of a " + length + "-sample track");
        }
        return buf[(int) k];
      }
    };
  }
}
