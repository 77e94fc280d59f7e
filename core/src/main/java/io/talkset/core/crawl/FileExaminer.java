package io.talkset.core.crawl;

import io.talkset.core.crawl.ContentId;
import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.media.FfmpegProber;
import io.talkset.core.media.InputLimits;
import io.talkset.core.media.MediaInfo;
import io.talkset.core.media.SeekableSource;
import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Identifies and probes one file under a per-file time limit, turning every failure into a
 * status, a code and a message: nothing a file does can end the task that examines it.
 *
 * <p>The work runs on a worker thread so that a read blocked inside the file system (a stalled
 * NFS or object-store stream, which no FFmpeg option can interrupt) is abandoned at the limit: the
 * source is closed under it, the thread is left to unwind, and a fresh worker takes the next file.
 * Not thread-safe: one examiner per task.
 */
public final class FileExaminer implements Closeable {

  /** Opens the file to examine; called on the worker thread. */
  @FunctionalInterface
  public interface Opener {
    SeekableSource open() throws IOException;
  }

  /** Which streams a clip needs to be {@code ok}. */
  public enum Require {
    ANY, VIDEO, AUDIO, AV;

    public static Require parse(String s) {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
  }

  /** The outcome for one file. {@code info} is null unless the probe succeeded. */
  public record Result(
      ContentId.Id id, String status, String errorCode, String errorMessage, MediaInfo info,
      long elapsedMillis) {}

  public static final String OK = "ok";
  public static final String REJECTED = "rejected";
  public static final String FAILED = "failed";

  private final FfmpegProber prober;
  private final long timeoutMillis;
  private final Require require;
  private final InputLimits limits;
  private ExecutorService worker;

  public FileExaminer(FfmpegProber prober, long timeoutMillis, Require require) {
    this(prober, timeoutMillis, require, InputLimits.DEFAULTS);
  }

  public FileExaminer(FfmpegProber prober, long timeoutMillis, Require require,
      InputLimits limits) {
    this.prober = prober;
    this.timeoutMillis = timeoutMillis;
    this.require = require;
    this.limits = limits;
    this.worker = newWorker();
  }

  /**
   * Examines one file.
   *
   * @param path the file's full path, used for path-derived ids when the content is unreadable
   * @param size the size the listing reported
   */
  public Result examine(String path, long size, Opener opener) {
    long start = System.nanoTime();
    if (size == 0) {
      return new Result(ContentId.ofEmpty(), REJECTED, ErrorCodes.EMPTY_FILE,
          "the file is empty (0 bytes)", null, 0);
    }
    String name = path.substring(path.lastIndexOf('/') + 1);
    AtomicReference<SeekableSource> open = new AtomicReference<>();
    AtomicReference<ContentId.Id> id = new AtomicReference<>();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    Future<MediaInfo> job = worker.submit(() -> {
      try (SeekableSource source = opener.open()) {
        open.set(source);
        id.set(ContentId.of(source));
        source.seek(0);
        return prober.probe(source, name, deadline);
      }
    });
    MediaInfo info;
    try {
      info = job.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      abandon(job, open.get());
      return failed(path, id.get(), ErrorCodes.PROBE_TIMEOUT, String.format(Locale.ROOT,
          "gave up after the per-file limit of %d ms (%s)", timeoutMillis,
          id.get() == null ? "still reading the file to identify it" : "while probing"), start);
    } catch (InterruptedException e) {
      abandon(job, open.get());
      Thread.currentThread().interrupt();
      return failed(path, id.get(), ErrorCodes.INTERNAL, "interrupted", start);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ProbeException pe) {
        return failed(path, id.get(), pe.code(), pe.getMessage(), start);
      }
      if (cause instanceof IOException io) {
        return failed(path, id.get(), ioCode(io), ioMessage(io), start);
      }
      return failed(path, id.get(), ErrorCodes.INTERNAL, String.valueOf(cause), start);
    }
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    String kind = info.mediaKind();
    if (kind.equals("none")) {
      return new Result(id.get(), REJECTED, ErrorCodes.NO_MEDIA_STREAMS, String.format(Locale.ROOT,
          "the %s container holds no video or audio stream", info.container), info, elapsed);
    }
    if (!info.hasVideo() && (require == Require.VIDEO || require == Require.AV)) {
      return new Result(id.get(), REJECTED, ErrorCodes.NO_VIDEO,
          "audio only (" + info.audioCodec + "): no video stream, and --require is "
              + require.name().toLowerCase(Locale.ROOT), info, elapsed);
    }
    if (!info.hasAudio() && (require == Require.AUDIO || require == Require.AV)) {
      return new Result(id.get(), REJECTED, ErrorCodes.NO_AUDIO,
          "video without audio (" + info.videoCodec + "): no audio stream, and --require is "
              + require.name().toLowerCase(Locale.ROOT), info, elapsed);
    }
    String over = limits.exceeded(info, size);
    if (over != null) {
      return new Result(id.get(), REJECTED, ErrorCodes.OVER_LIMIT, over, info, elapsed);
    }
    String note = switch (kind) {
      case "audio" -> "audio only: no video stream; face stages will skip it";
      case "video" -> "video without audio; audio stages will skip it";
      default -> null;
    };
    return new Result(id.get(), OK, null, note, info, elapsed);
  }

  /**
   * Runs {@code task} (a read that belongs to the file, such as its sidecar transcript) on the
   * examiner's worker under the per-file watchdog, given the {@code limitMillis} the file has
   * left: a read that stalls (a FIFO, a hung network mount) is abandoned as a stalled probe is,
   * and the examiner carries on with a new worker.
   *
   * @throws TimeoutException when {@code task} did not finish within {@code limitMillis}
   * @throws ExecutionException with what {@code task} threw
   */
  public <T> T withinLimit(java.util.concurrent.Callable<T> task, long limitMillis)
      throws TimeoutException, ExecutionException, InterruptedException {
    Future<T> job = worker.submit(task);
    try {
      return job.get(Math.max(1, limitMillis), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | InterruptedException e) {
      abandon(job, null);
      throw e;
    }
  }

  private Result failed(String path, ContentId.Id id, String code, String message, long start) {
    return new Result(id != null ? id : ContentId.ofPath(path), FAILED, code, message, null,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  /** Gives up on a stuck worker: unblock its read by closing the source, and use a new worker. */
  private void abandon(Future<?> job, SeekableSource source) {
    job.cancel(true);
    if (source != null) {
      try {
        source.close();
      } catch (IOException | RuntimeException ignored) {
        // The stream is being abandoned; its close may fail for the same reason it stalled.
      }
    }
    worker.shutdownNow();
    worker = newWorker();
  }

  static String ioCode(IOException e) {
    String msg = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    if (e instanceof AccessDeniedException
        || e.getClass().getName().endsWith("AccessControlException")
        || msg.contains("permission denied")) {
      return ErrorCodes.PERMISSION_DENIED;
    }
    if (e instanceof FileNotFoundException && msg.contains("too many levels of symbolic links")) {
      return ErrorCodes.SYMLINK_LOOP;
    }
    return ErrorCodes.IO_ERROR;
  }

  static String ioMessage(IOException e) {
    return switch (ioCode(e)) {
      case ErrorCodes.PERMISSION_DENIED -> "cannot read the file: permission denied ("
          + e.getMessage() + ")";
      default -> "cannot read the file: " + e;
    };
  }

  private static ExecutorService newWorker() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "talkset-probe");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
