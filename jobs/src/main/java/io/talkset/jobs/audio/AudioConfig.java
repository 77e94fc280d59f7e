package io.talkset.jobs.audio;

import io.talkset.core.media.InputLimits;
import io.talkset.jobs.cli.CommitOptions;
import io.talkset.jobs.cli.LimitOptions;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.cli.RetryOptions;
import java.io.Serializable;

/**
 * Settings of the audio stage.
 *
 * @param output dataset root: reads OUTPUT/clips, writes OUTPUT/audio and OUTPUT/audio_clips
 * @param keepSamples also store each frame's 640 samples
 * @param timeoutMillis per-clip limit for decoding and features
 * @param partitions tasks (0 = automatic)
 * @param limits input limits enforced while decoding (duration bounds the samples held)
 * @param retryFailed process clips whose latest status is a retryable failure again
 * @param maxAttempts a clip started this many times whose JVM died each time is not started
 *     again but marked {@code failed} with {@code poison_clip} ({@code ClipAttempts})
 * @param commit the bounds of each commit group ({@code CommitGroups})
 */
public record AudioConfig(String output, boolean keepSamples, long timeoutMillis, int partitions,
    InputLimits limits, boolean retryFailed, int maxAttempts, CommitOptions.Limits commit)
    implements Serializable {

  public AudioConfig(String output, boolean keepSamples, long timeoutMillis, int partitions) {
    this(output, keepSamples, timeoutMillis, partitions, InputLimits.DEFAULTS, true,
        RetryOptions.DEFAULT_MAX_ATTEMPTS, CommitOptions.Limits.DEFAULT);
  }

  /** These settings with other commit group bounds. */
  public AudioConfig withCommit(CommitOptions.Limits c) {
    return new AudioConfig(output, keepSamples, timeoutMillis, partitions, limits, retryFailed,
        maxAttempts, c);
  }

  public static Options options() {
    return CommitOptions.add(RetryOptions.add(LimitOptions.add(new Options()
        .repeated("input", "URI", "accepted for 'talkset run'; the audio stage reads OUTPUT/clips")
        .value("output", "URI", null, "dataset root (reads clips/, writes audio/, audio_clips/)")
        .flag("samples", "also store each frame's 640 samples (16 kHz mono) in audio/")
        .value("audio-timeout-ms", "MS", "600000", "per-clip limit for decoding and features")
        .value("partitions", "N", "0", "tasks; 0 = four per core"))));
  }

  public static AudioConfig from(Options.Parsed a) {
    return new AudioConfig(a.require("output"), a.flag("samples"),
        a.positiveLong("audio-timeout-ms"), a.nonNegativeInt("partitions"),
        LimitOptions.from(a), RetryOptions.from(a),
        RetryOptions.maxAttempts(a), CommitOptions.from(a));
  }
}
