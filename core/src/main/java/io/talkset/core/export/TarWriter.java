package io.talkset.core.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes POSIX ustar archive members to a stream: regular files only, mode 0644, owner 0:0, no
 * user or group names and modification time 0, so the same members give the same bytes on
 * every machine. Members may be written by several writers to separate streams and the streams
 * concatenated (each member is whole blocks); {@link #finish} appends the end-of-archive marker
 * once, after the last member of a shard.
 */
public final class TarWriter {
  public static final int BLOCK = 512;
  /** ustar's size field: 11 octal digits. */
  public static final long MAX_SIZE = 077777777777L;

  private final OutputStream out;
  private long written;

  public TarWriter(OutputStream out) {
    this.out = out;
  }

  /** Bytes a member of {@code size} bytes takes: its header and its data padded to a block. */
  public static long memberBytes(long size) {
    return BLOCK + (size + BLOCK - 1) / BLOCK * BLOCK;
  }

  /** Bytes written so far. */
  public long written() {
    return written;
  }

  public void add(String name, byte[] data) throws IOException {
    add(name, data.length, new java.io.ByteArrayInputStream(data));
  }

  /** One member of exactly {@code size} bytes read from {@code data}. */
  public void add(String name, long size, InputStream data) throws IOException {
    out.write(header(name, size));
    byte[] buf = new byte[64 * 1024];
    long left = size;
    while (left > 0) {
      int n = data.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException(name + ": the data ended " + left + " bytes short of " + size);
      }
      out.write(buf, 0, n);
      left -= n;
    }
    int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
    out.write(new byte[pad]);
    written += memberBytes(size);
  }

  /** The end of the archive: two zero blocks. */
  public void finish() throws IOException {
    out.write(new byte[2 * BLOCK]);
    written += 2 * BLOCK;
  }

  /**
   * A ustar header. Names over 100 bytes are split at a '/' into prefix (at most 155 bytes) and
   * name, as ustar readers join them back.
   */
  static byte[] header(String path, long size) {
    if (size < 0 || size > MAX_SIZE) {
      throw new IllegalArgumentException(path + ": size " + size + " does not fit ustar");
    }
    byte[] name = path.getBytes(StandardCharsets.UTF_8);
    byte[] prefix = new byte[0];
    if (name.length > 100) {
      int cut = -1;
      for (int i = Math.min(name.length - 1, 155); i > 0; i--) {
        if (name[i] == '/' && name.length - i - 1 <= 100 && name.length - i - 1 > 0) {
          cut = i;
          break;
        }
      }
      if (cut < 0) {
        throw new IllegalArgumentException("member name too long for ustar: " + path);
      }
      prefix = java.util.Arrays.copyOfRange(name, 0, cut);
      name = java.util.Arrays.copyOfRange(name, cut + 1, name.length);
    }
    byte[] h = new byte[BLOCK];
    System.arraycopy(name, 0, h, 0, name.length);
    octal(h, 100, 8, 0644);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, size);
    octal(h, 136, 12, 0);
    h[156] = '0';
    ascii(h, 257, "ustar\0");
    ascii(h, 263, "00");
    octal(h, 329, 8, 0);
    octal(h, 337, 8, 0);
    System.arraycopy(prefix, 0, h, 345, prefix.length);
    // The checksum is summed with its own field as eight spaces, then written as six octal
    // digits, a NUL and a space (the form tar itself writes).
    ascii(h, 148, "        ");
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    ascii(h, 148, String.format(java.util.Locale.ROOT, "%06o", sum));
    h[154] = 0;
    h[155] = ' ';
    return h;
  }

  /** A zero-padded octal number filling the field but its last byte, which is NUL. */
  private static void octal(byte[] h, int at, int width, long value) {
    String s = Long.toOctalString(value);
    ascii(h, at, "0".repeat(width - 1 - s.length()) + s);
    h[at + width - 1] = 0;
  }

  private static void ascii(byte[] h, int at, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, at, b.length);
  }
}
