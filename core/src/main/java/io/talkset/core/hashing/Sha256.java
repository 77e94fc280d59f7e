package io.talkset.core.hashing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256, the one digest of the project: content ids, model pins, split positions, pair ids,
 * transcript keys and dataset digests all use it, in lower-case hex where they show it.
 */
public final class Sha256 {
  private Sha256() {}

  /** A fresh digest to feed in parts. */
  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The digest of {@code bytes}. */
  public static byte[] of(byte[] bytes) {
    return digest().digest(bytes);
  }

  /** The digest of {@code text} as UTF-8. */
  public static byte[] of(String text) {
    return of(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The digest of {@code bytes}, as 64 lower-case hex digits. */
  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(of(bytes));
  }

  /** The digest of {@code text} as UTF-8, as 64 lower-case hex digits. */
  public static String hex(String text) {
    return HexFormat.of().formatHex(of(text));
  }

  /** The digest of everything {@code in} holds, read in 64 KiB blocks, as hex. */
  public static String hex(InputStream in) throws IOException {
    MessageDigest md = digest();
    byte[] buf = new byte[1 << 16];
    int n;
    while ((n = in.read(buf)) > 0) {
      md.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
