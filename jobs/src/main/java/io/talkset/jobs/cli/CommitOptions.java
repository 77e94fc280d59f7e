package io.talkset.jobs.cli;

import java.io.Serializable;

/**
 * {@code --commit-clips} and {@code --commit-frames}, shared by the per-clip stages (audio,
 * frames, params, sync) so that {@code talkset run} takes each once for all of them: a stage
 * commits its clips in groups of at most this many clips and this many expected frames, each
 * group's batches committed before the next group starts.
 */
public final class CommitOptions {
  public static final String CLIPS = "commit-clips";
  public static final String FRAMES = "commit-frames";
  /**
   * Groups big enough that the per-group costs (a Spark job, two renames, a listing of the
   * attempt markers, the status rows on the driver) stay small beside the work, and small
   * enough that a run that dies loses at most minutes of it.
   */
  public static final int DEFAULT_CLIPS = 500;
  /** About 2.2 hours of video at 25 fps: a long clip fills a group on its own. */
  public static final long DEFAULT_FRAMES = 200_000;

  /**
   * The bounds of one commit group.
   *
   * @param clips most clips in a group
   * @param frames most expected 25 fps frames in a group; a clip longer than this alone still
   *     makes a group of its own
   */
  public record Limits(int clips, long frames) implements Serializable {
    public static final Limits DEFAULT = new Limits(DEFAULT_CLIPS, DEFAULT_FRAMES);

    public Limits {
      if (clips < 1 || frames < 1) {
        throw new IllegalArgumentException("commit groups need at least one clip and one"
            + " frame, got " + clips + " clips, " + frames + " frames");
      }
    }
  }

  private CommitOptions() {}

  /** {@code options} with {@code --commit-clips} and {@code --commit-frames}. */
  public static Options add(Options options) {
    return options
        .value(CLIPS, "N", String.valueOf(DEFAULT_CLIPS),
            "commit the stage's clips in groups of at most N clips, each group's rows and"
                + " statuses committed before the next starts: a run that dies keeps every"
                + " group committed before it")
        .value(FRAMES, "N", String.valueOf(DEFAULT_FRAMES),
            "and of at most N expected 25 fps frames (from the clips' durations); a longer"
                + " clip makes a group of its own");
  }

  /** The parsed limits, else a usage error naming the bad option. */
  public static Limits from(Options.Parsed a) {
    return new Limits(a.intIn(CLIPS, 1, 10_000_000), a.positiveLong(FRAMES));
  }
}
