package io.talkset.core.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.audio.AudioDecoder;
import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.video.GridReader;
import io.talkset.testing.Samples;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A file whose reads stop returning part way (a hung NFS mount, a stalled object-store stream):
 * both decoders give up at their time limit with {@code probe_timeout}, well within twice the
 * limit, however the read blocks.
 */
class StalledReadTest {
  /** 1280×720, 8.3 s, AAC + H.264, 4.3 MB with its index at the start. */
  private static final Path HELLO = Samples.get("video/forensics/movie-hello.mp4");
  private static final long LIMIT_MS = 1500;

  /** Released at the end of each test: until then a stalled read ignores interrupts and close. */
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void releaseStalledReads() {
    release.countDown();
  }

  /**
   * Reads a real file until {@code stallAt} bytes have been read, then blocks: neither an
   * interrupt nor closing the source wakes it, as with a read stuck in the kernel.
   */
  private final class StallingSource implements SeekableSource {
    private final FileSource file;
    private final long stallAt;
    private long delivered;
    volatile boolean closed;
    volatile boolean stalled;

    StallingSource(Path p, long stallAt) throws IOException {
      this.file = new FileSource(p);
      this.stallAt = stallAt;
    }

    @Override
    public int read(byte[] buffer, int offset, int len) throws IOException {
      if (delivered >= stallAt) {
        stalled = true;
        while (true) {
          try {
            release.await();
            throw new IOException("released at the end of the test");
          } catch (InterruptedException ignored) {
            // A read stuck in the file system does not wake on an interrupt either.
          }
        }
      }
      int n = file.read(buffer, offset, (int) Math.min(len, stallAt - delivered));
      if (n > 0) {
        delivered += n;
      }
      return n;
    }

    @Override
    public void seek(long position) throws IOException {
      file.seek(position);
    }

    @Override
    public long position() throws IOException {
      return file.position();
    }

    @Override
    public long size() {
      return file.size();
    }

    @Override
    public void close() throws IOException {
      closed = true;
    }
  }

  private static long deadline(long startNanos) {
    return startNanos + TimeUnit.MILLISECONDS.toNanos(LIMIT_MS);
  }

  @Test
  void aVideoDecodeWhoseReadStallsEndsWithATimeoutWithinTwiceTheLimit() throws Exception {
    // 2 MB: past the index, half way through the pictures, so the stall comes mid-decode.
    StallingSource src = new StallingSource(HELLO, 2_000_000);
    long start = System.nanoTime();
    int frames = 0;
    ProbeException e;
    try (GridReader g = GridReader.open(src, "movie-hello.mp4", deadline(start), -1, 0)) {
      e = assertThrows(ProbeException.class, () -> {
        while (g.next()) {
          // drain
        }
      });
      frames = g.index() + 1;
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(ErrorCodes.PROBE_TIMEOUT, e.code());
    assertEquals("a read of the file was still blocked at the time limit: abandoned, and the"
        + " file closed", e.getMessage());
    assertTrue(src.stalled, "the read stalled");
    assertTrue(src.closed, "the watchdog closed the source");
    assertTrue(ms >= LIMIT_MS - 50 && ms < 2 * LIMIT_MS, "ended after " + ms + " ms");
    // Decoding went on up to the stall: the pictures held in the first 2 MB of 4.3 MB.
    assertTrue(frames > 25 && frames < 208, "frames " + frames);
  }

  @Test
  void anAudioDecodeWhoseReadStallsEndsWithATimeoutWithinTwiceTheLimit() throws Exception {
    StallingSource src = new StallingSource(HELLO, 2_000_000);
    long start = System.nanoTime();
    ProbeException e = assertThrows(ProbeException.class, () -> new AudioDecoder(16_000)
        .decode(src, "movie-hello.mp4", deadline(start), (samples, count) -> { }));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(ErrorCodes.PROBE_TIMEOUT, e.code());
    assertTrue(src.stalled && src.closed);
    assertTrue(ms >= LIMIT_MS - 50 && ms < 2 * LIMIT_MS, "ended after " + ms + " ms");
  }

  @Test
  void aStallWhileOpeningEndsTheSameWayAndTheNextFileDecodes() throws Exception {
    // 4 KiB: inside the header, before FFmpeg knows the streams.
    StallingSource src = new StallingSource(HELLO, 4096);
    long start = System.nanoTime();
    ProbeException e = assertThrows(ProbeException.class,
        () -> GridReader.open(src, "movie-hello.mp4", deadline(start), -1, 0).close());
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(ErrorCodes.PROBE_TIMEOUT, e.code());
    assertTrue(ms < 2 * LIMIT_MS, "ended after " + ms + " ms");

    // The stalled thread stays blocked; the next file decodes to the end (208 frames: ffprobe).
    int frames = 0;
    try (FileSource ok = new FileSource(HELLO);
        GridReader g = GridReader.open(ok, "movie-hello.mp4",
            System.nanoTime() + TimeUnit.SECONDS.toNanos(120), -1, 0)) {
      while (g.next()) {
        frames++;
      }
    }
    assertEquals(208, frames);
  }
}
