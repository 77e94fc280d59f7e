package io.talkset.core.pairs;

/** A clip's per-frame feature vectors as {@link Dtw} takes them, checked for gaps. */
public final class FrameSequence {
  private FrameSequence() {}

  /**
   * The features of frames 0..n−1 in order.
   *
   * @param frameIndex each row's frame index, ascending
   * @param features each row's vector (one convention, so equal lengths)
   * @throws IllegalArgumentException naming the clip and the first missing or repeated frame,
   *     or a vector whose length differs from frame 0's
   */
  public static float[][] of(String clipId, int[] frameIndex, float[][] features) {
    if (frameIndex.length == 0) {
      throw new IllegalArgumentException("clip " + clipId + " has no audio frames");
    }
    if (frameIndex.length != features.length) {
      throw new IllegalArgumentException("clip " + clipId + ": " + frameIndex.length
          + " frame indices for " + features.length + " vectors");
    }
    int d = features[0] == null ? 0 : features[0].length;
    for (int i = 0; i < frameIndex.length; i++) {
      if (frameIndex[i] != i) {
        throw new IllegalArgumentException("clip " + clipId + " audio frames are not 0.."
            + (frameIndex.length - 1) + ": position " + i + " holds frame " + frameIndex[i]);
      }
      if (features[i] == null || features[i].length != d || d == 0) {
        throw new IllegalArgumentException("clip " + clipId + " frame " + i + " has "
            + (features[i] == null ? "no" : features[i].length) + " values, frame 0 has " + d);
      }
    }
    return features;
  }
}
