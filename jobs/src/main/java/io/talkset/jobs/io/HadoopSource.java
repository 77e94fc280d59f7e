package io.talkset.jobs.io;

import io.talkset.core.media.SeekableSource;
import java.io.IOException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** A {@link SeekableSource} over any Hadoop file system stream (HDFS, S3A, local). */
public final class HadoopSource implements SeekableSource {
  private final FSDataInputStream in;
  private final long size;

  public HadoopSource(FileSystem fs, Path path, long size) throws IOException {
    this.in = fs.open(path);
    this.size = size;
  }

  @Override
  public int read(byte[] buffer, int offset, int len) throws IOException {
    return in.read(buffer, offset, len);
  }

  @Override
  public void seek(long position) throws IOException {
    in.seek(position);
  }

  @Override
  public long position() throws IOException {
    return in.getPos();
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
