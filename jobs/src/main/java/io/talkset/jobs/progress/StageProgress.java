package io.talkset.jobs.progress;

import io.talkset.jobs.runtime.ClipBatch;
import java.io.Serializable;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * How a stage reports its progress: on the driver, the clips it is about to process and, at the
 * end, what it committed; on executors, each finished clip and its frames, through two named
 * accumulators ({@value #CLIPS}, {@value #FRAMES}) that executors report with their heartbeats
 * and at task end, where {@link RunMonitor} (a SparkListener on the driver) reads them. Without
 * a monitor (tests, notebooks) the driver calls do nothing and the counting costs two adds a
 * clip.
 */
public final class StageProgress implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final String CLIPS = "talkset.clips";
  public static final String FRAMES = "talkset.frames";

  /** Frames of one per-clip result, on executors. */
  @FunctionalInterface
  public interface FramesOf<T> extends Serializable {
    long frames(T result);
  }

  private final LongAccumulator clips;
  private final LongAccumulator frames;

  private StageProgress(LongAccumulator clips, LongAccumulator frames) {
    this.clips = clips;
    this.frames = frames;
  }

  /**
   * Driver: the running stage will now process {@code todo} clips; {@code before} were done by
   * earlier runs. Returns the counters to hand to its tasks.
   */
  public static StageProgress begin(SparkSession spark, long todo, long before) {
    RunMonitor m = RunMonitor.current();
    if (m != null) {
      m.work(todo, before);
    }
    return new StageProgress(spark.sparkContext().longAccumulator(CLIPS),
        spark.sparkContext().longAccumulator(FRAMES));
  }

  /** Driver: what the running stage committed (for the run summary). */
  public static void finished(long processed, long before, long frames,
      Map<String, Long> byStatus) {
    RunMonitor m = RunMonitor.current();
    if (m != null) {
      m.committed(processed, before, frames, byStatus);
    }
  }

  /** Driver: what a per-clip stage committed (for the run summary). */
  public static void finished(ClipBatch batch) {
    finished(batch.processed(), batch.skipped(), batch.frames(), batch.byStatus());
  }

  /** Executors: a stream with one element per finished clip. */
  public <T> Iterator<T> perClip(Iterator<T> results, FramesOf<T> framesOf) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return results.hasNext();
      }

      @Override
      public T next() {
        T r = results.next();
        clips.add(1);
        frames.add(framesOf.frames(r));
        return r;
      }
    };
  }

  /**
   * Executors: a stream of frame rows whose task adds one row per finished clip to
   * {@code statuses} (the stage's status accumulator; within a task its value is the task's
   * own rows).
   */
  public <T> Iterator<T> perFrame(Iterator<T> rows, CollectionAccumulator<?> statuses) {
    return new Iterator<>() {
      private int seen;

      @Override
      public boolean hasNext() {
        boolean more = rows.hasNext();
        int n = statuses.value().size();
        if (n > seen) {
          clips.add(n - seen);
          seen = n;
        }
        return more;
      }

      @Override
      public T next() {
        T r = rows.next();
        frames.add(1);
        return r;
      }
    };
  }
}
