package io.talkset.jobs.cli;

/**
 * {@code --retry-failed}, shared by the per-clip stages (audio, frames, params, sync) so that
 * {@code talkset run} takes it once for all of them.
 */
public final class RetryOptions {
  public static final String NAME = "retry-failed";

  private RetryOptions() {}

  /** {@code options} with {@code --retry-failed}. */
  public static Options add(Options options) {
    return options.value(NAME, "BOOL", "true",
        "process clips whose latest status is failed again (a wrong --models, a timeout, an I/O"
            + " or internal error); corrupt, truncated and unrecognized files stay done;"
            + " false keeps every failed clip as it is");
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
