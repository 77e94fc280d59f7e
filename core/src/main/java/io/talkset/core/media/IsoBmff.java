package io.talkset.core.media;

import java.io.IOException;

/**
 * Walks the top-level boxes of an ISO base media file (mp4, mov, m4a) to explain why FFmpeg
 * refused it: a file cut short usually still has {@code ftyp} and part of {@code mdat}, but the
 * {@code moov} index that comes last in many encoders' output is gone.
 */
public final class IsoBmff {
  private IsoBmff() {}

  /** A human explanation when the file is an ISO-BMFF file cut short, else null. */
  public static String truncationReason(SeekableSource source) throws IOException {
    long size = source.size();
    byte[] header = new byte[16];
    if (size < 16 || source.readFully(0, header, 0, 16) < 16 || !type(header).equals("ftyp")) {
      return null;
    }
    long pos = 0;
    boolean sawMoov = false;
    while (pos + 8 <= size) {
      int got = source.readFully(pos, header, 0, 16);
      if (got < 8) {
        break;
      }
      long boxSize = u32(header, 0);
      String type = type(header);
      if (boxSize == 1 && got >= 16) {
        boxSize = u64(header, 8);
      } else if (boxSize == 0) {
        boxSize = size - pos;
      }
      if (boxSize < 8) {
        return null;
      }
      if (type.equals("moov")) {
        sawMoov = true;
      }
      if (pos + boxSize > size) {
        return String.format(
            "file is cut short: top-level '%s' box at byte %d needs %d bytes but the file ends at"
                + " %d%s",
            type, pos, boxSize, size, sawMoov ? "" : "; the 'moov' index is missing");
      }
      pos += boxSize;
    }
    return sawMoov ? null : "file has no 'moov' index box: it was cut short or never finished";
  }

  private static String type(byte[] h) {
    return new String(h, 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static long u32(byte[] b, int o) {
    return ((b[o] & 0xFFL) << 24) | ((b[o + 1] & 0xFFL) << 16) | ((b[o + 2] & 0xFFL) << 8)
        | (b[o + 3] & 0xFFL);
  }

  private static long u64(byte[] b, int o) {
    return (u32(b, o) << 32) | u32(b, o + 4);
  }
}
