package io.talkset.jobs.morphable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's .npy format (version 1.0) for little-endian float32 matrices: what the model artifact
 * is written in, so {@code numpy.load} reads the bases with no talkset code. Written here, not
 * with a library, because the format is a magic string, a small Python-dict header padded to 64
 * bytes, and the raw values in C order.
 */
final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** A rows×cols float32 matrix (a vector when {@code vector}: shape (cols,)). */
  static byte[] write(double[][] m, boolean vector) {
    int rows = m.length;
    int cols = rows == 0 ? 0 : m[0].length;
    String shape = vector ? "(" + cols + ",)" : "(" + rows + ", " + cols + ")";
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of
    // 64 and ended by a newline, as numpy writes it.
    int unpadded = 10 + dict.length() + 1;
    int padded = (unpadded + 63) / 64 * 64;
    String header = dict + " ".repeat(padded - unpadded) + "\n";
    ByteBuffer b = ByteBuffer.allocate(padded + 4 * rows * cols).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC);
    b.putShort((short) header.length());
    b.put(header.getBytes(StandardCharsets.US_ASCII));
    for (double[] row : m) {
      if (row.length != cols) {
        throw new IllegalArgumentException("ragged matrix: " + row.length + " vs " + cols);
      }
      for (double v : row) {
        b.putFloat((float) v);
      }
    }
    return b.array();
  }

  static byte[] write(double[] v) {
    return write(new double[][] {v}, true);
  }

  /** Reads a float32 .npy file of one or two dimensions as rows (a vector is one row). */
  static double[][] read(byte[] bytes, String name) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (byte m : new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'}) {
      if (b.get() != m) {
        throw new IllegalArgumentException(name + " is not a .npy file");
      }
    }
    int major = b.get();
    b.get();
    int len = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
    byte[] h = new byte[len];
    b.get(h);
    String header = new String(h, StandardCharsets.US_ASCII);
    if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) {
      throw new IllegalArgumentException(name + ": expected C-order little-endian float32, got "
          + header.trim());
    }
    Matcher sm = SHAPE.matcher(header);
    if (!sm.find()) {
      throw new IllegalArgumentException(name + ": no shape in header " + header.trim());
    }
    String[] dims = sm.group(1).replace(" ", "").split(",");
    int rows = dims.length >= 2 ? Integer.parseInt(dims[0]) : 1;
    int cols = Integer.parseInt(dims[dims.length >= 2 ? 1 : 0]);
    double[][] m = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        m[r][c] = b.getFloat();
      }
    }
    return m;
  }
}
