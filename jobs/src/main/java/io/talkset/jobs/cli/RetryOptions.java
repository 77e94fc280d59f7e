package io.talkset.jobs.cli;

/**
 * {@code --retry-failed} and {@code --max-attempts}, shared by the per-clip stages (audio,
 * frames, params, sync; pairs takes {@code --retry-failed}) so that {@code talkset run} takes
 * each once for all of them.
 */
public final class RetryOptions {
  public static final String NAME = "retry-failed";
  public static final String MAX_ATTEMPTS = "max-attempts";
  /**
   * Two deaths: one executor lost to something else (a preempted or failing node, a neighbour's
   * memory) does not condemn a clip, a second one in the same clip is no coincidence; and with
   * Spark's default of four task attempts ({@code spark.task.maxFailures}), the third attempt
   * marks the clip, leaving one more for an unrelated failure of the same task.
   */
  public static final int DEFAULT_MAX_ATTEMPTS = 2;

  private RetryOptions() {}

  /** {@code options} with {@code --retry-failed} and {@code --max-attempts}. */
  public static Options add(Options options) {
    return addRetryFailed(options)
        .value(MAX_ATTEMPTS, "N", String.valueOf(DEFAULT_MAX_ATTEMPTS),
            "a clip started N times whose JVM died each time before it finished (a native"
                + " crash, an out-of-memory kill) is not started again: failed, poison_clip;"
                + " counted under OUTPUT/_attempts across runs and Spark's task retries");
  }

  /**
   * {@code options} with {@code --retry-failed} alone, for a stage that starts no clip (pairs:
   * a failed pair is aligned again once its cause is gone).
   */
  public static Options addRetryFailed(Options options) {
    return options.value(NAME, "BOOL", "true",
        "process clips whose latest status is failed again (a wrong --models, a timeout, an I/O"
            + " or internal error); corrupt, truncated, unrecognized and poison clips stay"
            + " done; pairs: a failed pair once its clips' audio is ok; false keeps every"
            + " failed clip as it is");
  }

  /** The parsed {@code --max-attempts}: 1 to 100, else a usage error naming it. */
  public static int maxAttempts(Options.Parsed a) {
    return a.intIn(MAX_ATTEMPTS, 1, 100);
  }

  /** The parsed {@code --retry-failed}: true or false, else a usage error naming it. */
  public static boolean from(Options.Parsed a) {
    String v = a.get(NAME).trim().toLowerCase(java.util.Locale.ROOT);
    return switch (v) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new UsageException("--" + NAME + " must be true or false, got '"
          + a.get(NAME) + "'");
    };
  }
}
