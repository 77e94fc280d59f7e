package io.talkset.core.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** PNG encoding through ImageIO (lossless, so tests can read exact pixel colours back). */
public final class Png {
  static {
    // Charts are drawn into memory images on servers without a display: never touch a toolkit.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private Png() {}

  /** Makes sure headless mode is chosen before any AWT class initialises. */
  static void init() {}

  public static byte[] encode(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("no PNG writer in this JVM");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Width and height from a PNG's IHDR chunk, without decoding the picture. */
  public static int[] size(byte[] png) {
    if (png.length < 24 || (png[0] & 0xff) != 0x89 || png[1] != 'P' || png[2] != 'N'
        || png[3] != 'G' || png[12] != 'I' || png[13] != 'H' || png[14] != 'D'
        || png[15] != 'R') {
      throw new IllegalArgumentException("not a PNG (no signature and IHDR chunk)");
    }
    return new int[] {readInt(png, 16), readInt(png, 20)};
  }

  private static int readInt(byte[] b, int at) {
    return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8
        | (b[at + 3] & 0xff);
  }
}
