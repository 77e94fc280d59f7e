package io.talkset.core.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.talkset.testing.Python;
import io.talkset.testing.Tools;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export byte formats read back by their reference readers: Python's tarfile, numpy.load
 * (npy and npz) and the wave module, in the reference venv.
 */
class ExportFormatsTest {
  private static final String READER = String.join("\n",
      "import sys, json, tarfile, wave, numpy as np",
      "out = {}",
      "with tarfile.open(sys.argv[1]) as t:",
      "    ms = t.getmembers()",
      "    out['names'] = [m.name for m in ms]",
      "    out['sizes'] = [m.size for m in ms]",
      "    out['modes'] = sorted({m.mode for m in ms})",
      "    out['text'] = t.extractfile('a/short.txt').read().decode()",
      "np_ = np.load(sys.argv[2])",
      "out['f32'] = {'dtype': str(np_.dtype), 'shape': list(np_.shape),",
      "              'values': [('NaN' if x != x else x) for x in np_.ravel().tolist()]}",
      "i32 = np.load(sys.argv[3])",
      "out['i32'] = {'dtype': str(i32.dtype), 'shape': list(i32.shape),",
      "              'values': i32.tolist()}",
      "z = np.load(sys.argv[4])",
      "out['npz'] = {k: [str(z[k].dtype), list(z[k].shape), z[k].ravel().tolist()]",
      "              for k in z.files}",
      "with wave.open(sys.argv[5]) as w:",
      "    out['wav'] = [w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes(),",
      "                  np.frombuffer(w.readframes(w.getnframes()), '<i2').tolist()]",
      "print(json.dumps(out))");

  @Test
  void referenceReadersReadBackEveryFormat(@TempDir Path tmp) throws Exception {
    String longName = "train/" + "d".repeat(90) + "/" + "k".repeat(40) + ".landmarks.npy";
    Path tar = tmp.resolve("s.tar");
    try (OutputStream o = Files.newOutputStream(tar)) {
      TarWriter w = new TarWriter(o);
      w.add("a/short.txt", "héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      w.add("a/empty.json", new byte[0]);
      w.add(longName, new byte[513]);
      w.add("a/block.bin", new byte[512]);
      w.finish();
      // Headers, data padded to blocks, and the two end blocks.
      assertEquals(2 * 512 + 512 + 3 * 512 + 2 * 512 + 2 * 512, w.written());
    }
    assertEquals(5120, Files.size(tar));
    assertEquals(1024 + 512, TarWriter.memberBytes(513));

    float[] f = new float[24];
    for (int i = 0; i < f.length; i++) {
      f[i] = i * 0.25f - 3f;
    }
    f[5] = Float.NaN;
    Files.write(tmp.resolve("f.npy"), Npy.float32(f, 2, 6, 2));
    Files.write(tmp.resolve("i.npy"), Npy.int32(new int[] {7, -1, 70000}, 3));
    Map<String, byte[]> arrays = new LinkedHashMap<>();
    arrays.put("landmarks", Npy.float32(new float[] {1.5f, 2.5f}, 1, 2));
    arrays.put("face", Npy.uint8(new byte[] {1, 0, 1}, 3));
    Files.write(tmp.resolve("p.npz"), Npz.stored(arrays));
    float[] audio = {0f, 0.5f, -1f, 1f, 3f, 100 / 32768f};
    Files.write(tmp.resolve("a.wav"), Wav.pcm16(audio, 16000));

    Path script = tmp.resolve("read.py");
    Files.writeString(script, READER);
    JsonNode r = new ObjectMapper().readTree(Tools.run(Python.venv().toString(),
        script.toString(), tar.toString(), tmp.resolve("f.npy").toString(),
        tmp.resolve("i.npy").toString(), tmp.resolve("p.npz").toString(),
        tmp.resolve("a.wav").toString()));

    assertEquals("[\"a/short.txt\",\"a/empty.json\",\"" + longName + "\",\"a/block.bin\"]",
        r.get("names").toString());
    assertEquals("[6,0,513,512]", r.get("sizes").toString());
    assertEquals("[420]", r.get("modes").toString(), "0644");
    assertEquals("héllo", r.get("text").asText());
    assertEquals("float32", r.get("f32").get("dtype").asText());
    assertEquals("[2,6,2]", r.get("f32").get("shape").toString());
    for (int i = 0; i < f.length; i++) {
      JsonNode v = r.get("f32").get("values").get(i);
      if (i == 5) {
        assertEquals("NaN", v.asText());
      } else {
        assertEquals(f[i], v.asDouble(), 0.0);
      }
    }
    assertEquals("int32", r.get("i32").get("dtype").asText());
    assertEquals("[7,-1,70000]", r.get("i32").get("values").toString());
    assertEquals("{\"landmarks\":[\"float32\",[1,2],[1.5,2.5]],\"face\":[\"uint8\",[3],[1,0,1]]}",
        r.get("npz").toString());
    assertEquals("[1,2,16000,6,[0,16384,-32768,32767,32767,100]]", r.get("wav").toString());
  }

  @Test
  void npyDataStartsOnA64ByteBoundaryAndTheSameArraysGiveTheSameBytes() throws Exception {
    byte[] a = Npy.float32(new float[136 * 3], 3, 68, 2);
    int headerLen = (a[8] & 0xff) | (a[9] & 0xff) << 8;
    assertEquals(0, (10 + headerLen) % 64);
    assertEquals('\n', a[10 + headerLen - 1]);
    assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 68, 2), }",
        new String(a, 10, Npy.dict("<f4", new int[] {3, 68, 2}).length(),
            java.nio.charset.StandardCharsets.US_ASCII));
    assertArrayEquals(Npz.stored(Map.of("x", a)), Npz.stored(Map.of("x", a)));
    ByteArrayOutputStream t1 = new ByteArrayOutputStream();
    new TarWriter(t1).add("k.json", new byte[] {'{', '}'});
    ByteArrayOutputStream t2 = new ByteArrayOutputStream();
    new TarWriter(t2).add("k.json", new byte[] {'{', '}'});
    assertArrayEquals(t1.toByteArray(), t2.toByteArray());
    assertThrows(IllegalArgumentException.class, () -> Npy.float32(new float[5], 2, 3));
    assertThrows(IllegalArgumentException.class,
        () -> TarWriter.header("x".repeat(101), 1));
  }
}
