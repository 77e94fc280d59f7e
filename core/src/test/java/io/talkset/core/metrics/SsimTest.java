package io.talkset.core.metrics;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.talkset.core.metrics.MetricsReference.Pair;
import io.talkset.testing.Samples;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SSIM against scikit-image 0.26 (run at test time) on real photo crops and their JPEG q30,
 * blurred and noisy versions: the mean, each channel's mean and the full map, in both
 * conventions.
 */
class SsimTest {
  private static final double TOLERANCE = 1e-4;
  /**
   * Single pixels of the map carry float rounding (E[x²] − μ² loses ~4 digits in flat areas):
   * ~1.4e-4 seen; the means stay within ~3e-6.
   */
  private static final double MAP_TOLERANCE = 5e-4;
  private static final List<String> MAPS = List.of("astronaut-jpeg30", "baldguys-wide-blur1.5");

  @TempDir static Path tmp;
  static List<Pair> pairs;
  static Map<String, JsonNode> ref;

  @BeforeAll
  static void reference() throws Exception {
    pairs = MetricsReference.pairs();
    ref = MetricsReference.run(pairs, MAPS, tmp);
  }

  @Test
  void skimageConventionMatchesScikitImageMeanAndChannels() {
    Ssim ssim = new Ssim(Ssim.SKIMAGE);
    double worst = 0;
    for (Pair p : pairs) {
      JsonNode r = ref.get(p.name());
      Ssim.Result ours = ssim.compute(p.a(), p.b(), false);
      double d = Math.abs(ours.mean() - r.get("ssim_skimage").asDouble());
      System.out.printf(Locale.ROOT, "ssim skimage %-24s ours %.7f ref %.7f diff %.1e%n",
          p.name(), ours.mean(), r.get("ssim_skimage").asDouble(), d);
      assertEquals(r.get("ssim_skimage").asDouble(), ours.mean(), TOLERANCE, p.name());
      for (int c = 0; c < 3; c++) {
        double refC = r.get("ssim_skimage_channels").get(c).asDouble();
        assertEquals(refC, ours.channelMeans()[c], TOLERANCE, p.name() + " channel " + c);
        worst = Math.max(worst, Math.abs(refC - ours.channelMeans()[c]));
      }
      worst = Math.max(worst, d);
      assertNull(ours.map());
    }
    System.out.printf(Locale.ROOT, "ssim skimage worst difference %.1e%n", worst);
  }

  @Test
  void otherWindowsMatchScikitImageToo() {
    // skimage's radius for σ 2: int(3.5·2 + 0.5) = 7.
    Ssim ssim = new Ssim(new Ssim.Params(7, 2.0, 0.01, 0.03, 255, Ssim.Color.PER_CHANNEL));
    for (Pair p : pairs) {
      assertEquals(ref.get(p.name()).get("ssim_skimage_sigma2").asDouble(), ssim.mean(p.a(),
          p.b()), TOLERANCE, p.name());
    }
  }

  @Test
  void mapMatchesScikitImageIncludingTheReflectedBorder() throws Exception {
    Ssim ssim = new Ssim(Ssim.SKIMAGE);
    for (Pair p : pairs) {
      if (!MAPS.contains(p.name())) {
        continue;
      }
      Ssim.Result ours = ssim.compute(p.a(), p.b(), true);
      double[] expected = MetricsReference.map(tmp, p.name());
      assertEquals(expected.length, ours.map().length, p.name());
      double worst = 0;
      for (int i = 0; i < expected.length; i++) {
        worst = Math.max(worst, Math.abs(expected[i] - ours.map()[i]));
      }
      System.out.printf(Locale.ROOT, "ssim map %-24s worst pixel difference %.1e%n", p.name(),
          worst);
      assertTrue(worst < MAP_TOLERANCE, p.name() + ": " + worst);
      // The mean comes out the same whether or not the map is made.
      assertEquals(ssim.mean(p.a(), p.b()), ours.mean(), 1e-12);
    }
  }

  @Test
  void wang2004OnLumaMatchesTheAuthorsFormulaAndScikitImageOnY() {
    Ssim ssim = new Ssim(Ssim.WANG_2004);
    for (Pair p : pairs) {
      JsonNode r = ref.get(p.name());
      double ours = ssim.mean(p.a(), p.b());
      System.out.printf(Locale.ROOT, "ssim wang2004 Y %-21s ours %.7f ref %.7f diff %.1e%n",
          p.name(), ours, r.get("ssim_wang_y").asDouble(),
          Math.abs(ours - r.get("ssim_wang_y").asDouble()));
      assertEquals(r.get("ssim_wang_y").asDouble(), ours, TOLERANCE, p.name());
      assertEquals(r.get("ssim_skimage_y").asDouble(), ours, TOLERANCE, p.name());
    }
  }

  @Test
  void channelOrderIsHonouredForLumaAndIrrelevantPerChannel() {
    Pair p = pairs.get(0);
    Pixels a = MetricPictures.swapRedBlue(p.a());
    Pixels b = MetricPictures.swapRedBlue(p.b());
    assertEquals(Pixels.Order.BGR, a.order());
    Ssim luma = new Ssim(Ssim.WANG_2004);
    assertEquals(luma.mean(p.a(), p.b()), luma.mean(a, b), 1e-12);
    Ssim skimage = new Ssim(Ssim.SKIMAGE);
    assertEquals(skimage.mean(p.a(), p.b()), skimage.mean(a, b), 1e-12);
  }

  @Test
  void openCvMatsIncludingRoisGiveTheSameAsBytes() {
    Object[] c = MetricPictures.CROPS[1];
    try (Mat full = imread(Samples.get((String) c[1]).toString());
        Mat roi = new Mat(full, new Rect((int) c[2], (int) c[3], (int) c[4], (int) c[5]));
        Mat jpeg = MetricPictures.jpeg(roi, 30)) {
      assertFalse(roi.isContinuous());
      Pixels a = MetricPictures.rgb(roi.clone());
      Pixels b = MetricPictures.rgb(jpeg);
      for (Ssim.Params p : List.of(Ssim.SKIMAGE, Ssim.WANG_2004)) {
        Ssim ssim = new Ssim(p);
        assertEquals(ssim.mean(a, b), ssim.mean(roi, jpeg), 1e-12, p.toString());
      }
      assertEquals(ref.get("cruise-jpeg30").get("ssim_skimage").asDouble(),
          new Ssim(Ssim.SKIMAGE).mean(roi, jpeg), TOLERANCE);
      assertEquals(Psnr.luma(a, b), Psnr.luma(roi, jpeg), 1e-12);
      assertEquals(Psnr.rgb(a, b), Psnr.rgb(roi, jpeg), 0);
    }
  }

  @Test
  void aPictureAgainstItselfScoresOne() {
    Pair same = pairs.get(pairs.size() - 1);
    assertEquals(1.0, ref.get(same.name()).get("ssim_skimage").asDouble(), 1e-12);
    assertEquals(1.0, new Ssim(Ssim.SKIMAGE).mean(same.a(), same.b()), 1e-6);
    assertEquals(1.0, new Ssim(Ssim.WANG_2004).mean(same.a(), same.b()), 1e-6);
  }

  @Test
  void rejectsPicturesThatCannotBeCompared() {
    Pixels a = new Pixels(new byte[10 * 10 * 3], 10, 10, Pixels.Order.RGB);
    Pixels b = new Pixels(new byte[12 * 12 * 3], 12, 12, Pixels.Order.RGB);
    Ssim ssim = new Ssim(Ssim.SKIMAGE);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ssim.mean(a, b)).getMessage()
        .contains("10x10"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ssim.mean(a, a)).getMessage()
        .contains("at least 11x11"));
  }
}
