package io.talkset.core.media;

import java.io.Closeable;
import java.io.IOException;

/**
 * A random-access byte source: a local file, or an HDFS/S3A stream adapted by the jobs.
 * FFmpeg reads through it in small chunks, so no file is ever held whole in memory and there is
 * no 2 GB limit.
 */
public interface SeekableSource extends Closeable {

  /** Reads up to {@code len} bytes at the current position; returns -1 at end of data. */
  int read(byte[] buffer, int offset, int len) throws IOException;

  /** Moves the read position to {@code position} (0 ≤ position ≤ size). */
  void seek(long position) throws IOException;

  /** The current read position. */
  long position() throws IOException;

  /** Total size in bytes, or -1 when unknown. */
  long size();

  /** Reads exactly {@code len} bytes at {@code position}, or fewer only at end of data. */
  default int readFully(long position, byte[] buffer, int offset, int len) throws IOException {
    seek(position);
    int done = 0;
    while (done < len) {
      int n = read(buffer, offset + done, len - done);
      if (n < 0) {
        break;
      }
      done += n;
    }
    return done;
  }
}
