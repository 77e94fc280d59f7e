package io.talkset.core.audio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A decoded track spooled to a local file (4 bytes a sample, 230 MB an hour) instead of the heap,
 * so that the features of an hour-long clip can be computed a minute at a time and read more
 * than once (librosa's top_db needs the whole track's maximum before any MFCC row). The file is
 * deleted on {@link #close}.
 */
public final class AudioSpool implements AudioDecoder.Sink, TrackReader, AutoCloseable {
  private final Path file;
  private final FileChannel channel;
  private final ByteBuffer out = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
  private ByteBuffer in = ByteBuffer.allocate(0);
  private long samples;

  /** A new spool file in {@code dir} (a task's local scratch folder). */
  public AudioSpool(Path dir) throws IOException {
    Files.createDirectories(dir);
    this.file = Files.createTempFile(dir, "talkset-audio-", ".f32");
    this.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
        StandardOpenOption.DELETE_ON_CLOSE);
  }

  @Override
  public void accept(float[] s, int count) {
    try {
      for (int i = 0; i < count; i++) {
        if (!out.hasRemaining()) {
          drain();
        }
        out.putFloat(s[i]);
      }
      samples += count;
    } catch (IOException e) {
      throw new UncheckedIOException("spooling decoded audio to " + file, e);
    }
  }

  private void drain() throws IOException {
    out.flip();
    while (out.hasRemaining()) {
      channel.write(out);
    }
    out.clear();
  }

  /** Samples written so far. */
  public long samples() {
    return samples;
  }

  @Override
  public void read(long from, float[] dst, int count) throws IOException {
    if (out.position() > 0) {
      drain();
    }
    if (from < 0 || from + count > samples) {
      throw new IllegalArgumentException("samples [" + from + ", " + (from + count)
          + ") of " + samples);
    }
    int bytes = 4 * count;
    if (in.capacity() < bytes) {
      in = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
    in.clear().limit(bytes);
    long at = 4 * from;
    while (in.hasRemaining()) {
      if (channel.read(in, at + in.position()) < 0) {
        throw new IOException("spool file " + file + " ended early");
      }
    }
    in.flip();
    in.asFloatBuffer().get(dst, 0, count);
  }

  @Override
  public void close() throws IOException {
    channel.close();
    Files.deleteIfExists(file);
  }
}
