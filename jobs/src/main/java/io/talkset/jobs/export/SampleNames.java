package io.talkset.jobs.export;

import java.util.Locale;

/**
 * Names and spans of the exported samples. A WebDataset key is {@code SPLIT/CLIP_ID}: WebDataset
 * groups a sample's files by the member name up to the first dot of its base name and takes the
 * rest as the field ({@code train/0a1b.mp4} is field {@code mp4} of sample {@code train/0a1b};
 * {@code train/0a1b.00012.jpg} field {@code 00012.jpg}), so a key must hold no dot.
 */
public final class SampleNames {
  /** 16 kHz samples per 25 fps frame. */
  public static final int SAMPLES_PER_FRAME = 640;

  private SampleNames() {}

  public static String key(String split, String clipId) {
    if (clipId.indexOf('.') >= 0 || clipId.indexOf('/') >= 0 || clipId.isEmpty()) {
      throw new IllegalArgumentException("clip id '" + clipId + "' cannot be a WebDataset key"
          + " (no '.' or '/')");
    }
    return split + "/" + clipId;
  }

  /** A frame's picture: video frame j (the sample's first frame is 0), five digits or more. */
  public static String frame(int j) {
    return String.format(Locale.ROOT, "%05d.jpg", j);
  }

  /**
   * The clip's audio over video frames 0 .. frames - 1 of a sample starting at grid frame
   * {@code first}: samples 640 first .. 640 (first + frames) - 1 of the clip's audio, zeros
   * where the decoded audio ends earlier.
   */
  public static float[] audio(float[] clip, int first, int frames) {
    return audio(clip, first, frames, 0);
  }

  /**
   * The same for a clip whose audio the curation re-timed by {@code shift} frames
   * (curation.audio_shift_frames): video frame j hears the clip's audio of grid frame
   * first + j - shift, so samples 640 (first - shift) onwards, zeros where that runs before
   * the clip's audio starts or past its end.
   */
  public static float[] audio(float[] clip, int first, int frames, int shift) {
    float[] out = new float[frames * SAMPLES_PER_FRAME];
    long from = ((long) first - shift) * SAMPLES_PER_FRAME;
    long skip = Math.max(0, -from);
    long start = from + skip;
    if (skip < out.length && start < clip.length) {
      System.arraycopy(clip, (int) start, out, (int) skip,
          (int) Math.min(out.length - skip, clip.length - start));
    }
    return out;
  }
}
