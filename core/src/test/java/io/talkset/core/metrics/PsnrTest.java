package io.talkset.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.talkset.core.metrics.MetricsReference.Pair;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PSNR on RGB and on BT.601 luma against scikit-image 0.26, run at test time on real pairs. */
class PsnrTest {
  private static final double TOLERANCE_DB = 1e-4;

  @Test
  void rgbAndLumaMatchScikitImage(@TempDir Path tmp) throws Exception {
    List<Pair> pairs = MetricsReference.pairs();
    Map<String, JsonNode> ref = MetricsReference.run(pairs, List.of(), tmp);
    double worst = 0;
    for (Pair p : pairs) {
      JsonNode r = ref.get(p.name());
      double rgb = Psnr.rgb(p.a(), p.b());
      double y = Psnr.luma(p.a(), p.b());
      if (r.get("psnr_rgb").isNull()) {
        // Identical pictures: scikit-image's 10·log10(255²/0) is +inf (JSON null).
        assertEquals(Double.POSITIVE_INFINITY, rgb, p.name());
        assertTrue(r.get("psnr_y").isNull());
        assertEquals(Double.POSITIVE_INFINITY, y, p.name());
        continue;
      }
      System.out.printf(Locale.ROOT, "psnr %-24s rgb %.6f (ref %.6f)  y %.6f (ref %.6f) dB%n",
          p.name(), rgb, r.get("psnr_rgb").asDouble(), y, r.get("psnr_y").asDouble());
      assertEquals(r.get("psnr_rgb").asDouble(), rgb, TOLERANCE_DB, p.name() + " rgb");
      assertEquals(r.get("psnr_y").asDouble(), y, TOLERANCE_DB, p.name() + " y");
      worst = Math.max(worst, Math.abs(r.get("psnr_rgb").asDouble() - rgb));
      worst = Math.max(worst, Math.abs(r.get("psnr_y").asDouble() - y));
      // The channel order is honoured: BGR input gives the same luma.
      assertEquals(y, Psnr.luma(MetricPictures.swapRedBlue(p.a()),
          MetricPictures.swapRedBlue(p.b())), 1e-9, p.name());
    }
    System.out.printf(Locale.ROOT, "psnr worst difference %.1e dB%n", worst);
  }
}
