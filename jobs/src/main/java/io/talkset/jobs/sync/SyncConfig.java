package io.talkset.jobs.sync;

import io.talkset.jobs.cli.Options;
import io.talkset.jobs.cli.CommitOptions;
import io.talkset.jobs.cli.RetryOptions;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of the sync stage.
 *
 * @param output dataset root: reads OUTPUT/clips, face_params, face_params_clips; writes
 *     OUTPUT/sync and sync_clips
 * @param maxLag lags searched, ± frames
 * @param minFrames segments with fewer frames with landmarks get no estimate (too_short)
 * @param silenceRms segments whose loudest frame is quieter (RMS, full scale 1) are silent
 * @param timeoutMillis per-clip audio decoding limit
 * @param retryFailed process clips whose latest status is a retryable failure again
 * @param maxAttempts a clip started this many times whose JVM died each time is not started
 *     again but marked {@code failed} with {@code poison_clip} ({@code ClipAttempts})
 * @param commit the bounds of each commit group ({@code CommitGroups})
 */
public record SyncConfig(String output, int maxLag, int minFrames, double silenceRms,
    long timeoutMillis, int partitions, boolean retryFailed, int maxAttempts,
    CommitOptions.Limits commit) implements Serializable {
  public static Options options() {
    return CommitOptions.add(RetryOptions.add(new Options()
        .value("output", "URI", null,
            "dataset root (reads clips/, face_params/, face_params_clips/; writes sync/,"
                + " sync_clips/)")
        .value("sync-max-lag", "N", "15", "audio offsets searched: -N .. N frames at 25 fps")
        .value("sync-min-frames", "N", "100",
            "segments with fewer landmark frames get no estimate (status rejected, too_short)")
        .value("sync-silence-rms", "R", "0.003",
            "segments whose loudest 40 ms frame has a lower RMS (full scale 1) are silent")
        .value("sync-timeout-ms", "MS", "600000", "per-clip audio decoding limit")
        .value("partitions", "N", "0", "tasks; 0 = four per core")));
  }

  public static SyncConfig from(Options.Parsed a) {
    int maxLag = a.intIn("sync-max-lag", 1, 250);
    return new SyncConfig(a.require("output"), maxLag,
        a.intIn("sync-min-frames", 3, 1_000_000),
        a.doubleIn("sync-silence-rms", 0, 1), a.positiveLong("sync-timeout-ms"),
        a.nonNegativeInt("partitions"), RetryOptions.from(a),
        RetryOptions.maxAttempts(a), CommitOptions.from(a));
  }

  public Map<String, Object> describe() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("method", "Pearson correlation of detrended mouth opening (inner-lip gap / mouth"
        + " width, face_params.landmarks) and per-frame audio RMS over lags");
    d.put("audio", "the clip's main track decoded to 16 kHz mono, sample 0 at the video's t = 0"
        + " (as the audio stage)");
    d.put("max_lag", maxLag);
    d.put("min_frames", minFrames);
    d.put("silence_rms", silenceRms);
    return d;
  }
}
