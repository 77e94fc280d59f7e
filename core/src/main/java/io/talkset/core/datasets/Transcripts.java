package io.talkset.core.datasets;

import io.talkset.core.hashing.Sha256;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;

/**
 * Transcripts as sentence keys. A clip's transcript is a sidecar text file with the clip's base
 * name, {@code NAME.txt} or else {@code NAME.lab} (the forced-alignment convention), UTF-8, at
 * most {@link #MAX_BYTES}. Two clips say the same sentence when their transcripts are equal after
 * folding case (Unicode NFKC, lower case), dropping apostrophes ("don't" = "dont"), turning every
 * other punctuation or symbol into a space and collapsing white space; the key is
 * {@code text:} and the first 16 hex digits of SHA-256 of the folded text.
 */
public final class Transcripts {
  /** Larger sidecars are not transcripts of a clip (a whole book, a subtitle dump). */
  public static final int MAX_BYTES = 64 * 1024;
  public static final String KEY_PREFIX = "text:";

  private Transcripts() {}

  /** The sidecar paths to try for a media path, in order: {@code .txt}, then {@code .lab}. */
  public static List<String> sidecars(String mediaPath) {
    int slash = mediaPath.lastIndexOf('/');
    int dot = mediaPath.lastIndexOf('.');
    String base = dot > slash + 1 ? mediaPath.substring(0, dot) : mediaPath;
    return List.of(base + ".txt", base + ".lab");
  }

  /**
   * The transcript in a sidecar's bytes: strict UTF-8 (a BOM dropped), stripped; null when
   * the bytes are not UTF-8, too long, or hold no word.
   */
  public static String decode(byte[] bytes) {
    if (bytes == null || bytes.length > MAX_BYTES) {
      return null;
    }
    String s;
    try {
      s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    if (s.startsWith("\uFEFF")) {
      s = s.substring(1);
    }
    s = s.strip();
    return normalize(s).isEmpty() ? null : s;
  }

  /** The folded text two transcripts of the same sentence share. */
  public static String normalize(String text) {
    String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT)
        .replaceAll("['\u2019\u02bc]", "")
        .replaceAll("[\\p{P}\\p{S}]", " ")
        .replaceAll("\\s+", " ");
    return s.strip();
  }

  /** {@code text:<16 hex digits>} for a transcript, or null when it holds no word. */
  public static String sentenceKey(String transcript) {
    if (transcript == null) {
      return null;
    }
    String n = normalize(transcript);
    if (n.isEmpty()) {
      return null;
    }
    return KEY_PREFIX + Sha256.hex(n).substring(0, 16);
  }
}
