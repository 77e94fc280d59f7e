package io.talkset.core.pairs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.talkset.testing.Python;
import io.talkset.testing.Tools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code librosa.sequence.dtw} run at test time (reference/dtw_reference.py in the librosa venv)
 * on a batch of cases, one Python start per batch.
 */
final class LibrosaDtw {
  /** librosa's answer for one case: D (N × M, row-major) and the path from start to end. */
  record Answer(double[] accumulated, int[] reference, int[] other, String error) {
    double cost() {
      return accumulated[accumulated.length - 1];
    }
  }

  private final Path dir;
  private final ArrayNode spec;
  private int files;

  LibrosaDtw(Path dir) {
    this.dir = dir;
    this.spec = new ObjectMapper().createArrayNode();
  }

  /** Adds a case on a cost matrix; band fraction null = no band. Returns its index. */
  int cost(double[] c, int n, int m, Double bandRad) throws IOException {
    ObjectNode o = spec.addObject();
    o.put("kind", "cost").put("n", n).put("m", m).put("c", write(c));
    o.put("band_rad", bandRad);
    return spec.size() - 1;
  }

  /** Adds a case on features with librosa's cdist metric and the normalization's name. */
  int features(float[][] x, float[][] y, Dtw.Metric metric, Dtw.Normalization norm,
      Double bandRad) throws IOException {
    ObjectNode o = spec.addObject();
    o.put("kind", "features").put("n", x.length).put("m", y.length).put("d", x[0].length);
    o.put("x", write(flat(x))).put("y", write(flat(y)));
    o.put("metric", metric.scipyName());
    o.put("normalization", norm.name().toLowerCase(Locale.ROOT));
    o.put("band_rad", bandRad);
    return spec.size() - 1;
  }

  /** Runs librosa on every case added. */
  List<Answer> run() throws IOException {
    Files.writeString(dir.resolve("spec.json"), spec.toString());
    Path script = dir.resolve("dtw_reference.py");
    try (var in = LibrosaDtw.class.getResourceAsStream("/reference/dtw_reference.py")) {
      Files.write(script, in.readAllBytes());
    }
    Tools.run(Python.venv().toString(), script.toString(), dir.toString());
    List<Answer> out = new ArrayList<>();
    for (int i = 0; i < spec.size(); i++) {
      Path err = dir.resolve("out_" + i + ".error");
      if (Files.exists(err)) {
        out.add(new Answer(null, null, null, Files.readString(err, StandardCharsets.UTF_8)));
        continue;
      }
      ByteBuffer d = read(dir.resolve("out_" + i + ".D"));
      double[] acc = new double[d.remaining() / 8];
      d.asDoubleBuffer().get(acc);
      ByteBuffer w = read(dir.resolve("out_" + i + ".wp"));
      int len = w.remaining() / 8;
      int[] ref = new int[len];
      int[] oth = new int[len];
      // librosa lists the path from the end back to (0, 0).
      for (int k = len - 1; k >= 0; k--) {
        ref[k] = w.getInt();
        oth[k] = w.getInt();
      }
      out.add(new Answer(acc, ref, oth, null));
    }
    return out;
  }

  private static double[] flat(float[][] f) {
    int d = f[0].length;
    double[] out = new double[f.length * d];
    for (int i = 0; i < f.length; i++) {
      for (int k = 0; k < d; k++) {
        out[i * d + k] = f[i][k];
      }
    }
    return out;
  }

  private String write(double[] v) throws IOException {
    String name = "in_" + files++ + ".f64";
    ByteBuffer bb = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    bb.asDoubleBuffer().put(v);
    Files.write(dir.resolve(name), bb.array());
    return name;
  }

  private static ByteBuffer read(Path p) throws IOException {
    return ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
  }
}
