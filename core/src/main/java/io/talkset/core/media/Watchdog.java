package io.talkset.core.media;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs blocking file-system calls (opening a file, a read, a seek) on a helper thread while the
 * caller waits at most until a deadline. A call still blocked then (a stalled NFS mount or
 * object-store stream, which neither FFmpeg nor an interrupt can end) is abandoned: its thread
 * is interrupted and left to unwind as a daemon, and the caller goes on. Checking a deadline
 * before each call, as FFmpeg's interrupt callback does, cannot end a call that has already
 * blocked; this can.
 */
public final class Watchdog {
  /** Thrown when the call was still blocked at the deadline, or the deadline had passed. */
  public static final class Expired extends IOException {
    private final boolean stalled;

    Expired(String message, boolean stalled) {
      super(message);
      this.stalled = stalled;
    }

    /** True when a call was running and abandoned; false when the deadline had already passed. */
    public boolean stalled() {
      return stalled;
    }
  }

  /**
   * Cached: idle threads end after a minute, and one left blocked by a stalled call does not
   * hold up the next.
   */
  private static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "talkset-read");
    t.setDaemon(true);
    return t;
  });

  private Watchdog() {}

  /**
   * Runs {@code op}, waiting until {@code deadlineNanos} ({@link System#nanoTime()}) at most.
   *
   * @throws Expired when the deadline had passed, or {@code op} was still running at it
   * @throws IOException what {@code op} threw (other exceptions wrapped)
   */
  public static <T> T call(Callable<T> op, long deadlineNanos) throws IOException {
    if (System.nanoTime() - deadlineNanos > 0) {
      throw new Expired("the time limit has passed", false);
    }
    Future<T> f = THREADS.submit(op);
    try {
      return f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new Expired("still blocked at the time limit: abandoned", true);
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the file system");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(c);
    }
  }
}
