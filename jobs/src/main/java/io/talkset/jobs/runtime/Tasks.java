package io.talkset.jobs.runtime;

import org.apache.spark.TaskContext;
import org.apache.spark.util.TaskCompletionListener;

/** Executor-side task plumbing shared by the stages. */
public final class Tasks {
  private Tasks() {}

  /**
   * Runs {@code close} when the current task ends, whether it finished its iterator or not (a
   * downstream {@code limit}, a failure): natives borrowed per task are always given back. Does
   * nothing outside a task (tests, the driver), where the caller closes.
   */
  public static void closeAtTaskEnd(Runnable close) {
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) ctx -> close.run());
    }
  }
}
