package io.talkset.core.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npz}: a zip of {@code NAME.npy} members, stored uncompressed (as
 * {@code numpy.savez} writes it) so a reader can map arrays without inflating, with a fixed
 * timestamp so the same arrays give the same bytes.
 */
public final class Npz {
  private static final LocalDateTime EPOCH = LocalDateTime.of(1980, 1, 1, 0, 0);

  private Npz() {}

  /** @param arrays {@code .npy} bytes by array name (no extension), in member order */
  public static byte[] stored(Map<String, byte[]> arrays) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> a : arrays.entrySet()) {
        ZipEntry e = new ZipEntry(a.getKey() + ".npy");
        byte[] data = a.getValue();
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        e.setCrc(crc.getValue());
        e.setTimeLocal(EPOCH);
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
      }
    }
    return bytes.toByteArray();
  }
}
