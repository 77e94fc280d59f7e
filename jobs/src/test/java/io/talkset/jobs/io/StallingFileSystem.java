package io.talkset.jobs.io;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A fault-injecting Hadoop file system over the local disk, scheme {@code stall:}: reads of a
 * file whose name contains {@link #marker} block for good after {@link #stallAfter} bytes, as
 * a read on a hung NFS mount or object store does (neither an interrupt nor closing the stream
 * wakes them), until {@link #release} at the end of the test. Other files read normally.
 * Register with {@code fs.stall.impl}.
 */
public final class StallingFileSystem extends RawLocalFileSystem {
  public static volatile String marker = null;
  public static volatile long stallAfter = Long.MAX_VALUE;
  private static volatile CountDownLatch released = new CountDownLatch(1);

  /** Lets every blocked read end (with an error) and stops stalling new ones. */
  public static void release() {
    marker = null;
    stallAfter = Long.MAX_VALUE;
    released.countDown();
    released = new CountDownLatch(1);
  }

  @Override
  public URI getUri() {
    return URI.create("stall:///");
  }

  @Override
  public String getScheme() {
    return "stall";
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    File file = pathToFile(f);
    String m = marker;
    long after = m != null && file.getName().contains(m) ? stallAfter : Long.MAX_VALUE;
    return new FSDataInputStream(new Stalling(new RandomAccessFile(file, "r"), after,
        released));
  }

  private static final class Stalling extends FSInputStream {
    private final RandomAccessFile file;
    private final long after;
    private final CountDownLatch latch;
    private long read;

    Stalling(RandomAccessFile file, long after, CountDownLatch latch) {
      this.file = file;
      this.after = after;
      this.latch = latch;
    }

    private void maybeStall() throws IOException {
      if (read < after) {
        return;
      }
      while (true) {
        try {
          latch.await();
          throw new IOException("released at the end of the test");
        } catch (InterruptedException ignored) {
          // A read stuck in the kernel does not wake on an interrupt either.
        }
      }
    }

    @Override
    public int read() throws IOException {
      maybeStall();
      int b = file.read();
      if (b >= 0) {
        read++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      maybeStall();
      int n = file.read(b, off, (int) Math.min(len, Math.max(1, after - read)));
      if (n > 0) {
        read += n;
      }
      return n;
    }

    @Override
    public void seek(long pos) throws IOException {
      file.seek(pos);
    }

    @Override
    public long getPos() throws IOException {
      return file.getFilePointer();
    }

    @Override
    public boolean seekToNewSource(long targetPos) {
      return false;
    }

    @Override
    public void close() throws IOException {
      // Closing does not wake a stalled read; the file itself is closed once it ends.
      if (read < after) {
        file.close();
      }
    }
  }
}
