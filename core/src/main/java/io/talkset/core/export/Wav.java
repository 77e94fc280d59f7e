package io.talkset.core.export;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Mono 16-bit PCM WAV (the RIFF/WAVE header of 44 bytes, then the samples little-endian), the
 * form Wav2Lip's and LatentSync's loaders, librosa and soundfile read directly.
 */
public final class Wav {
  private Wav() {}

  /**
   * {@code samples} in [-1, 1) as 16-bit integers: scaled by 32768 (the decoder's divisor, so a
   * 16-bit source comes back to its own integers), rounded to nearest, clipped.
   */
  public static byte[] pcm16(float[] samples, int rate) {
    int data = samples.length * 2;
    ByteBuffer b = ByteBuffer.allocate(44 + data).order(ByteOrder.LITTLE_ENDIAN);
    b.put(ascii("RIFF")).putInt(36 + data).put(ascii("WAVE"))
        .put(ascii("fmt ")).putInt(16).putShort((short) 1).putShort((short) 1)
        .putInt(rate).putInt(rate * 2).putShort((short) 2).putShort((short) 16)
        .put(ascii("data")).putInt(data);
    for (float s : samples) {
      b.putShort(toShort(s));
    }
    return b.array();
  }

  static short toShort(float s) {
    long v = Math.round(s * 32768.0);
    return (short) Math.max(-32768, Math.min(32767, v));
  }

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
