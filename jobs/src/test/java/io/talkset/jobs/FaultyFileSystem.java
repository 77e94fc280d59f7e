package io.talkset.jobs;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.concurrent.CountDownLatch;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.security.AccessControlException;

/**
 * The local file system seen as a remote one ({@code faulty:///abs/path}) that fails the way
 * HDFS and S3A fail: files whose name contains "stall" open but their reads block until the
 * stream is closed (a stalled datanode or S3 connection), and files without the owner's read
 * permission are refused with Hadoop's AccessControlException even to root, as HDFS does; and
 * creating a file whose name contains {@link #failCreating} fails (a write that dies half-way
 * through a job; temporary names such as {@code .index.html.tmp} included).
 */
public class FaultyFileSystem extends RawLocalFileSystem {
  /** Creating a file whose name contains this fails; null: none. Tests set it and clear it. */
  public static volatile String failCreating;

  private static void check(Path f) throws IOException {
    String fail = failCreating;
    if (fail != null && f.getName().contains(fail)) {
      throw new IOException("injected failure creating " + f);
    }
  }

  @Override
  public org.apache.hadoop.fs.FSDataOutputStream create(Path f, boolean overwrite, int bufferSize,
      short replication, long blockSize, org.apache.hadoop.util.Progressable progress)
      throws IOException {
    check(f);
    return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public org.apache.hadoop.fs.FSDataOutputStream create(Path f,
      org.apache.hadoop.fs.permission.FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, org.apache.hadoop.util.Progressable progress)
      throws IOException {
    check(f);
    return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
  }
  @Override
  public URI getUri() {
    return URI.create("faulty:///");
  }

  @Override
  public String getScheme() {
    return "faulty";
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    java.nio.file.Path local = java.nio.file.Path.of(f.toUri().getPath());
    if (!Files.getPosixFilePermissions(local).contains(PosixFilePermission.OWNER_READ)) {
      throw new AccessControlException("Permission denied: user=talkset, access=READ, inode=\""
          + f.toUri().getPath() + "\"");
    }
    if (f.getName().contains("stall")) {
      return new FSDataInputStream(new Stalling());
    }
    return super.open(f, bufferSize);
  }

  private static final class Stalling extends FSInputStream {
    private final CountDownLatch closed = new CountDownLatch(1);

    @Override
    public int read() throws IOException {
      try {
        closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("Stream closed");
    }

    @Override
    public void seek(long pos) {}

    @Override
    public long getPos() {
      return 0;
    }

    @Override
    public boolean seekToNewSource(long targetPos) {
      return false;
    }

    @Override
    public void close() {
      closed.countDown();
    }
  }
}
