package io.talkset.core.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.talkset.testing.Python;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The real picture pairs the SSIM and PSNR tests share, and scikit-image's values for them (run
 * at test time in the reference venv by {@code reference/metrics_reference.py}).
 */
final class MetricsReference {
  /** A reference picture and a degraded copy, both RGB. */
  record Pair(String name, Pixels a, Pixels b) {}

  private MetricsReference() {}

  /**
   * 512×512 crops of three real photos (faces), each against its JPEG q30, Gaussian σ 1.5 and
   * noisy (σ 10, fixed seed) versions; one non-square crop; and a picture against itself.
   */
  static List<Pair> pairs() {
    List<Pair> pairs = new ArrayList<>();
    long seed = 20240601;
    for (Object[] c : MetricPictures.CROPS) {
      String name = (String) c[0];
      Mat m = MetricPictures.crop(Samples.dir(), (String) c[1], (int) c[2], (int) c[3],
          (int) c[4], (int) c[5]);
      Pixels ref = MetricPictures.rgb(m);
      try (Mat j = MetricPictures.jpeg(m, 30); Mat b = MetricPictures.blur(m, 1.5)) {
        pairs.add(new Pair(name + "-jpeg30", ref, MetricPictures.rgb(j)));
        pairs.add(new Pair(name + "-blur1.5", ref, MetricPictures.rgb(b)));
      }
      pairs.add(new Pair(name + "-noise10", ref, MetricPictures.noisy(ref, 10, seed++)));
      m.close();
    }
    pairs.add(new Pair("astronaut-same", pairs.get(0).a(), pairs.get(0).a()));
    return pairs;
  }

  /** scikit-image's results by pair name; its full SSIM maps in {@code maps} for those named. */
  static Map<String, JsonNode> run(List<Pair> pairs, List<String> withMaps, Path tmp)
      throws IOException {
    Path script = tmp.resolve("metrics_reference.py");
    try (InputStream in = MetricsReference.class.getResourceAsStream(
        "/reference/metrics_reference.py")) {
      Files.write(script, in.readAllBytes());
    }
    ObjectMapper json = new ObjectMapper();
    ArrayNode spec = json.createArrayNode();
    for (Pair p : pairs) {
      Path a = tmp.resolve(p.name() + ".a.u8");
      Path b = tmp.resolve(p.name() + ".b.u8");
      Files.write(a, p.a().data());
      Files.write(b, p.b().data());
      spec.addObject().put("name", p.name()).put("a", a.toString()).put("b", b.toString())
          .put("height", p.a().height()).put("width", p.a().width())
          .put("map", withMaps.contains(p.name()));
    }
    Path specFile = tmp.resolve("spec.json");
    json.writeValue(specFile.toFile(), spec);
    Path out = Files.createDirectories(tmp.resolve("out"));
    Tools.run(Python.venv().toString(), script.toString(), specFile.toString(), out.toString());
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    for (JsonNode r : json.readTree(out.resolve("results.json").toFile())) {
      byName.put(r.get("name").asText(), r);
    }
    return byName;
  }

  /** A map written by the reference (float64, little-endian). */
  static double[] map(Path tmp, String name) throws IOException {
    ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(tmp.resolve("out/" + name + ".map.f64")))
        .order(ByteOrder.LITTLE_ENDIAN);
    double[] m = new double[bb.remaining() / 8];
    bb.asDoubleBuffer().get(m);
    return m;
  }
}
