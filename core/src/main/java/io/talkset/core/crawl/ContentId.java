package io.talkset.core.crawl;

import io.talkset.core.hashing.Sha256;
import io.talkset.core.media.SeekableSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Stable clip identifiers derived from content, so that a renamed or moved file keeps its id and
 * two files with the same name in different folders never collide.
 *
 * <p>Files up to {@link #FULL_HASH_LIMIT} bytes are hashed whole (SHA-256). Larger files are
 * identified by SHA-256 over their size and three {@link #SAMPLE_BYTES} samples (head, middle,
 * tail): reading 3 MiB instead of gigabytes per video. Compressed media that share size, head,
 * middle and tail but differ elsewhere do not occur in practice; the method used is recorded with
 * every id so that a user who needs certainty can tell. The id is the first 32 hex digits (128
 * bits) of the digest.
 */
public final class ContentId {
  public static final long FULL_HASH_LIMIT = 16L << 20;
  public static final int SAMPLE_BYTES = 1 << 20;

  public static final String METHOD_FULL = "sha256";
  public static final String METHOD_SAMPLED = "sha256-sampled-3x1MiB";
  public static final String METHOD_PATH = "path";

  /** The id, the digest it was cut from and how the digest was computed. */
  public record Id(String clipId, String digest, String method) {}

  private ContentId() {}

  /** Identifies the content of {@code source} (size must be known). */
  public static Id of(SeekableSource source) throws IOException {
    long size = source.size();
    if (size < 0) {
      throw new IOException("size of the source is unknown");
    }
    MessageDigest sha = Sha256.digest();
    byte[] buffer = new byte[1 << 16];
    if (size <= FULL_HASH_LIMIT) {
      source.seek(0);
      long total = 0;
      int n;
      while ((n = source.read(buffer, 0, buffer.length)) > 0) {
        sha.update(buffer, 0, n);
        total += n;
      }
      if (total != size) {
        throw new IOException("read " + total + " bytes but the file system reported " + size);
      }
      return make(sha.digest(), METHOD_FULL);
    }
    sha.update(("talkset-sampled-v1:" + size + ":").getBytes(StandardCharsets.US_ASCII));
    long[] starts = {0, size / 2 - SAMPLE_BYTES / 2, size - SAMPLE_BYTES};
    byte[] sample = new byte[SAMPLE_BYTES];
    for (long start : starts) {
      int got = source.readFully(start, sample, 0, SAMPLE_BYTES);
      if (got != SAMPLE_BYTES) {
        throw new IOException("short read at offset " + start + ": the file shrank while reading");
      }
      sha.update(sample);
    }
    return make(sha.digest(), METHOD_SAMPLED);
  }

  /** The id of empty content (every zero-byte file is the same, empty, clip). */
  public static Id ofEmpty() {
    return make(Sha256.digest().digest(), METHOD_FULL);
  }

  /** An id for an entry whose content cannot be read (permissions, broken links): its path. */
  public static Id ofPath(String path) {
    MessageDigest sha = Sha256.digest();
    sha.update(("talkset-path-v1:" + path).getBytes(StandardCharsets.UTF_8));
    return make(sha.digest(), METHOD_PATH);
  }

  private static Id make(byte[] digest, String method) {
    String hex = HexFormat.of().formatHex(digest);
    return new Id(hex.substring(0, 32), hex, method);
  }

}
