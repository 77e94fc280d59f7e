package io.talkset.core.export;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * NumPy's {@code .npy} format, version 1.0: the magic {@code \x93NUMPY}, the version, a
 * little-endian 16-bit header length, a Python dict literal (descr, fortran_order, shape) padded
 * with spaces and a newline so the data starts on a 64-byte boundary, then the C-order data.
 * {@code numpy.load} reads it without pickle.
 */
public final class Npy {
  private static final int ALIGN = 64;

  private Npy() {}

  /** Little-endian float32, C order. */
  public static byte[] float32(float[] data, int... shape) {
    check(data.length, shape);
    ByteBuffer b = start("<f4", shape, data.length * 4L);
    for (float v : data) {
      b.putFloat(v);
    }
    return b.array();
  }

  /** Little-endian int32, C order. */
  public static byte[] int32(int[] data, int... shape) {
    check(data.length, shape);
    ByteBuffer b = start("<i4", shape, data.length * 4L);
    for (int v : data) {
      b.putInt(v);
    }
    return b.array();
  }

  /** Unsigned bytes (a mask: 0 or 1). */
  public static byte[] uint8(byte[] data, int... shape) {
    check(data.length, shape);
    ByteBuffer b = start("|u1", shape, data.length);
    b.put(data);
    return b.array();
  }

  /** The header dict as numpy writes it, e.g. {@code {'descr': '<f4', ..., 'shape': (3,), }}. */
  static String dict(String descr, int[] shape) {
    String dims = Arrays.stream(shape).mapToObj(Integer::toString)
        .collect(Collectors.joining(", "));
    String tuple = shape.length == 1 ? "(" + dims + ",)" : "(" + dims + ")";
    return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple + ", }";
  }

  private static ByteBuffer start(String descr, int[] shape, long dataBytes) {
    byte[] dict = dict(descr, shape).getBytes(StandardCharsets.US_ASCII);
    int pre = 6 + 2 + 2;
    int total = (pre + dict.length + 1 + ALIGN - 1) / ALIGN * ALIGN;
    int headerLen = total - pre;
    if (headerLen > 0xffff || total + dataBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("array too large for one .npy: " + dict(descr, shape));
    }
    ByteBuffer b = ByteBuffer.allocate((int) (total + dataBytes)).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1)
        .put((byte) 0).putShort((short) headerLen).put(dict);
    for (int i = pre + dict.length; i < total - 1; i++) {
      b.put((byte) ' ');
    }
    b.put((byte) '\n');
    return b;
  }

  private static void check(int length, int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      n *= d;
    }
    if (shape.length == 0 || n != length) {
      throw new IllegalArgumentException(length + " values do not fill shape "
          + Arrays.toString(shape));
    }
  }
}
