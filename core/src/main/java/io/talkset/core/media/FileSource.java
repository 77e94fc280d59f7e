package io.talkset.core.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A {@link SeekableSource} over a local file (tests and tools; the jobs read through Hadoop). */
public final class FileSource implements SeekableSource {
  private final FileChannel channel;
  private final long size;

  public FileSource(Path file) throws IOException {
    this.channel = FileChannel.open(file, StandardOpenOption.READ);
    this.size = channel.size();
  }

  @Override
  public int read(byte[] buffer, int offset, int len) throws IOException {
    return channel.read(ByteBuffer.wrap(buffer, offset, len));
  }

  @Override
  public void seek(long position) throws IOException {
    channel.position(position);
  }

  @Override
  public long position() throws IOException {
    return channel.position();
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
