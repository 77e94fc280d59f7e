package io.talkset.jobs.io;

import io.talkset.jobs.cli.CommitOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A per-clip stage's clips cut into commit groups ({@code --commit-clips},
 * {@code --commit-frames}), each planned, written and committed before the next starts: its
 * rows batch, then its status batch under the same id ({@link StageTables}: a greater id than
 * every batch before it, rows hidden until their status lands). A run over 50,000 clips that
 * dies at 90% keeps the groups it committed; the next run finds those clips done and processes
 * the rest.
 *
 * <p>A group whose Spark job fails loses only itself: its uncommitted rows batch is removed,
 * its clips stay pending for the next run (one whose JVM died mid-clip left an attempt marker,
 * so the next run treats it as a suspect, {@link ClipAttempts}), and the stage goes on with
 * the next group, because the cause may be one of its clips. Two groups failing in a row say
 * the cause is the run (the cluster, the storage), so the stage stops there rather than fail
 * every group. Either way the stage then fails, naming the failed groups and what was
 * committed, so a scheduler sees it and runs it again.
 */
public final class CommitGroups {
  private static final Logger LOG = LoggerFactory.getLogger(CommitGroups.class);
  /** Consecutive failed groups after which the stage stops trying the rest. */
  static final int MAX_CONSECUTIVE_FAILURES = 2;

  private CommitGroups() {}

  /**
   * What one group committed.
   *
   * @param clipIds the clips of its status batch (their attempt markers are cleared)
   * @param rows rows of its rows batch
   * @param byStatus its clips by status
   * @param other any other count the stage reports (devices, segments by status), summed over
   *     groups
   */
  public record Committed(Collection<String> clipIds, long rows, Map<String, Long> byStatus,
      Map<String, Long> other) {}

  /** What a run committed over all its groups. */
  public record Totals(List<String> batches, int clips, long rows, Map<String, Long> byStatus,
      Map<String, Long> other) {
    /** The last batch committed (the greatest id), null when none was. */
    public String lastBatch() {
      return batches.isEmpty() ? null : batches.get(batches.size() - 1);
    }
  }

  /** One group's work: its rows batch, then its status batch, both under {@code batch}. */
  @FunctionalInterface
  public interface Group<T> {
    Committed commit(List<T> clips, String batch) throws Exception;
  }

  /**
   * {@code todo} cut into groups, in clip id order (so the same clips give the same groups):
   * each of at most {@code limits.clips()} clips and {@code limits.frames()} expected frames,
   * except that a clip expecting more frames than that makes a group alone. Clips whose
   * {@code frames} is unknown (0 or less) count only against the clip bound. Suspects (clips
   * an earlier run's JVM died in) come first, in groups of their own: no fresh clip is in
   * flight beside one (where a death would leave it a marker too), and a run that a suspect
   * kills again dies before it starts fresh work; once a suspect reaches
   * {@code --max-attempts} it is marked {@code poison_clip} and the rest follows.
   */
  public static <T> List<List<T>> plan(List<T> todo, Function<T, String> id,
      ToLongFunction<T> frames, Predicate<String> suspect, CommitOptions.Limits limits) {
    List<T> ordered = new ArrayList<>(todo);
    ordered.sort(Comparator.comparing((T t) -> !suspect.test(id.apply(t)))
        .thenComparing(id));
    List<List<T>> groups = new ArrayList<>();
    List<T> current = new ArrayList<>();
    long currentFrames = 0;
    boolean currentSuspect = false;
    for (T t : ordered) {
      long f = Math.max(0, frames.applyAsLong(t));
      boolean s = suspect.test(id.apply(t));
      if (!current.isEmpty() && (current.size() >= limits.clips()
          || currentFrames + f > limits.frames() || s != currentSuspect)) {
        groups.add(current);
        current = new ArrayList<>();
        currentFrames = 0;
      }
      current.add(t);
      currentFrames += f;
      currentSuspect = s;
    }
    if (!current.isEmpty()) {
      groups.add(current);
    }
    return groups;
  }

  /**
   * Runs {@code body} on each group in turn, each under a new batch id of {@code tables}, and
   * sums what they committed. A group that throws is cleaned up (its rows batch or staging
   * folders, when its status batch did not commit) and the next one runs, until
   * {@value #MAX_CONSECUTIVE_FAILURES} fail in a row; then, or after the last group, the
   * stage fails with what was committed.
   */
  public static <T> Totals commit(String stage, StageTables tables, ClipAttempts attempts,
      List<List<T>> groups, Group<T> body) throws Exception {
    int total = 0;
    for (List<T> g : groups) {
      total += g.size();
    }
    if (groups.size() > 1) {
      LOG.info("{}: {} clips in {} commit groups, each committed before the next starts",
          stage, total, groups.size());
    }
    List<String> batches = new ArrayList<>();
    Map<String, Long> byStatus = new TreeMap<>();
    Map<String, Long> other = new TreeMap<>();
    List<String> failed = new ArrayList<>();
    Exception firstFailure = null;
    int clips = 0;
    long rows = 0;
    int inARow = 0;
    int started = 0;
    for (List<T> group : groups) {
      started++;
      String batch = tables.newBatch();
      Committed c;
      try {
        c = body.commit(group, batch);
      } catch (Exception e) {
        if (tables.status.batches().contains(batch)) {
          // Its statuses landed: the group is done, only its bookkeeping afterwards failed.
          throw e;
        }
        cleanUp(tables, batch);
        String what = "group " + started + " of " + groups.size() + " (" + group.size()
            + " clips, batch " + batch + ")";
        LOG.error("{}: commit {} failed; its clips stay pending for the next run", stage,
            what, e);
        failed.add(what + ": " + e);
        if (firstFailure == null) {
          firstFailure = e;
        } else {
          firstFailure.addSuppressed(e);
        }
        if (++inARow >= MAX_CONSECUTIVE_FAILURES) {
          break;
        }
        continue;
      }
      inARow = 0;
      try {
        attempts.clear(c.clipIds());
      } catch (IOException e) {
        LOG.warn("{}: could not clear the attempt markers of batch {} ({}); its clips are done"
            + " and never started again", stage, batch, e.toString());
      }
      batches.add(batch);
      clips += c.clipIds().size();
      rows += c.rows();
      c.byStatus().forEach((k, v) -> byStatus.merge(k, v, Long::sum));
      c.other().forEach((k, v) -> other.merge(k, v, Long::sum));
      if (groups.size() > 1) {
        LOG.info("{}: commit group {} of {} committed as batch {}: {} clips, {} rows, by status"
            + " {}; {} of {} clips committed", stage, started, groups.size(), batch,
            c.clipIds().size(), c.rows(), c.byStatus(), clips, total);
      }
    }
    if (firstFailure != null) {
      throw new IllegalStateException(stage + ": " + failed.size() + " of " + groups.size()
          + " commit groups failed (" + String.join("; ", failed) + ")"
          + (started < groups.size() ? "; stopped after " + MAX_CONSECUTIVE_FAILURES
              + " failed groups in a row, " + (groups.size() - started) + " not started" : "")
          + "; " + batches.size() + " groups committed " + clips + " clips (by status "
          + byStatus + "), which stay done: a re-run processes only the others",
          firstFailure);
    }
    return new Totals(batches, clips, rows, byStatus, other);
  }

  /** Removes what a failed group left: its rows batch without statuses, staging folders. */
  private static void cleanUp(StageTables tables, String batch) {
    try {
      tables.rows.dropBatch(batch);
      tables.rows.recoverBatches();
      tables.status.recoverBatches();
    } catch (IOException e) {
      // Readers hide rows without statuses, and the next run drops them when it opens.
      LOG.warn("could not remove what failed batch {} left ({}); the next run does", batch,
          e.toString());
    }
  }
}
