package io.talkset.core.faceparams;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.talkset.testing.Python;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Align5 against Deep3DFaceRecon's align_img, recomputed at test time by
 * reference/deep3d_align_reference.py (numpy for the fit, PIL for the resize and crop).
 */
class Align5Test {
  private static final String ASTRONAUT = "photos/skimage/astronaut.png";
  private static final String CRUISE = "photos/dlib/Tom_Cruise_avp_2014_4.jpg";
  // Five points marked by eye on the photos (image-left eye first).
  private static final float[] ASTRONAUT_LM5 =
      {205, 101, 246, 104, 225.5f, 125.5f, 204, 141, 237.5f, 142.5f};
  private static final float[] CRUISE_LM5 = {187, 377, 367.5f, 395, 265, 513, 185, 555, 365, 570};

  /** One face: picture, landmarks (5 points, or 68 when from dlib's labels), optional sample. */
  record Case(String name, int width, int height, float[] lm5, float[] lm68, String image) {}

  private static final List<Case> CASES = new ArrayList<>();
  private static JsonNode reference;
  private static Path refDir;

  @BeforeAll
  static void runReference(@TempDir Path tmp) throws IOException {
    // Upscaled (s ≈ 1.6), downscaled (s ≈ 0.35, crop wider than the resized picture) and a window
    // hanging over the top-left corner (negative corner: truncation towards zero).
    CASES.add(new Case("astronaut", 512, 512, ASTRONAUT_LM5, null, ASTRONAUT));
    CASES.add(new Case("cruise", 565, 800, CRUISE_LM5, null, CRUISE));
    float[] corner = ASTRONAUT_LM5.clone();
    for (int i = 0; i < 10; i++) {
      corner[i] -= i % 2 == 0 ? 190.25f : 88.5f;
    }
    CASES.add(new Case("corner", 512, 512, corner, null, ASTRONAUT));
    // dlib's labelled 68 points: a 109-pixel face (upscaled about 2.7 times) and a 75-pixel one.
    CASES.add(dlibCase("2008_002506.jpg", 0));
    CASES.add(dlibCase("2009_004587.jpg", 0));
    // Fractional landmarks off any pixel grid, in a wide frame.
    CASES.add(new Case("fractional", 1280, 720,
        new float[] {598.37f, 301.91f, 701.12f, 296.44f, 652.83f, 361.07f, 611.59f, 412.66f,
            690.25f, 409.18f}, null, null));

    ObjectMapper json = new ObjectMapper();
    ArrayNode in = json.createArrayNode();
    for (Case c : CASES) {
      ObjectNode o = in.addObject();
      o.put("width", c.width()).put("height", c.height());
      ArrayNode lm = o.putArray(c.lm68() != null ? "lm68" : "lm5");
      for (float v : c.lm68() != null ? c.lm68() : c.lm5()) {
        lm.add(v);
      }
      if (c.image() != null) {
        o.put("image", Samples.get(c.image()).toString());
      }
    }
    Path script = tmp.resolve("deep3d_align_reference.py");
    try (InputStream s = Align5Test.class.getResourceAsStream(
        "/reference/deep3d_align_reference.py")) {
      Files.write(script, s.readAllBytes());
    }
    Path cases = tmp.resolve("cases.json");
    json.writeValue(cases.toFile(), in);
    refDir = Files.createDirectories(tmp.resolve("out"));
    Tools.run(Python.debian().toString(), script.toString(), cases.toString(),
        refDir.toString());
    reference = json.readTree(refDir.resolve("result.json").toFile());
    assertEquals(CASES.size(), reference.size());
  }

  /** The {@code index}-th labelled face of a dlib photo, its 68 points in order. */
  private static Case dlibCase(String file, int index) throws IOException {
    String xml = Files.readString(Samples.get("photos/dlib/testing_with_face_landmarks.xml"),
        StandardCharsets.ISO_8859_1);
    Matcher im = Pattern.compile("<image file='" + Pattern.quote(file)
        + "' width='(\\d+)' height='(\\d+)'>(.*?)</image>", Pattern.DOTALL).matcher(xml);
    assertTrue(im.find(), file);
    String box = im.group(3).split("</box>")[index];
    Matcher p = Pattern.compile("<part name='(\\d+)' x='(-?\\d+)' y='(-?\\d+)'/>").matcher(box);
    float[] lm68 = new float[136];
    int n = 0;
    while (p.find()) {
      assertEquals(n, Integer.parseInt(p.group(1)));
      lm68[2 * n] = Float.parseFloat(p.group(2));
      lm68[2 * n + 1] = Float.parseFloat(p.group(3));
      n++;
    }
    assertEquals(68, n, file);
    return new Case(file, Integer.parseInt(im.group(1)), Integer.parseInt(im.group(2)),
        Align5.fromDlib68(lm68), lm68, "photos/dlib/" + file);
  }

  private static void close(String what, double expected, double actual) {
    assertEquals(expected, actual, 1e-6 * Math.max(1, Math.abs(expected)), what);
  }

  @Test
  void transformMatchesAlignImgNumbers() {
    for (int i = 0; i < CASES.size(); i++) {
      Case c = CASES.get(i);
      JsonNode r = reference.get(i);
      for (int k = 0; k < 10; k++) {
        close(c.name() + " five points", r.get("lm5").get(k).asDouble(), c.lm5()[k]);
      }
      Align5.Transform t = Align5.fit(c.lm5(), c.width(), c.height());
      close(c.name() + " fit scale", r.get("fit_scale").asDouble(), t.fitScale());
      close(c.name() + " s", r.get("scale").asDouble(), t.scale());
      close(c.name() + " tx", r.get("tx").asDouble(), t.tx());
      close(c.name() + " ty", r.get("ty").asDouble(), t.ty());
      assertEquals(r.get("w").asInt(), t.resizedWidth(), c.name());
      assertEquals(r.get("h").asInt(), t.resizedHeight(), c.name());
      assertEquals(r.get("left").asInt(), t.left(), c.name());
      assertEquals(r.get("up").asInt(), t.up(), c.name());
      float[] lmNew = t.deep3dLandmarks(c.lm68() != null ? c.lm68() : c.lm5());
      if (c.lm68() == null) {
        for (int k = 0; k < 10; k++) {
          close(c.name() + " align_img landmark", r.get("lm_new").get(k).asDouble(), lmNew[k]);
        }
      }
      System.out.printf(Locale.ROOT, "%s: s %.6f, t (%.3f, %.3f), resized %dx%d, corner (%d, %d),"
              + " outside %.3f%n", c.name(), t.scale(), t.tx(), t.ty(), t.resizedWidth(),
          t.resizedHeight(), t.left(), t.up(), t.outside());
    }
    assertTrue(Align5.fit(CASES.get(2).lm5(), 512, 512).left() < 0, "corner case is negative");
  }

  /** PIL itself says which source point each crop pixel samples (read off coordinate ramps). */
  @Test
  void affineMatchesWherePilSamples() {
    for (int i = 0; i < CASES.size(); i++) {
      Case c = CASES.get(i);
      Align5.Transform t = Align5.fit(c.lm5(), c.width(), c.height());
      JsonNode map = reference.get(i).get("map");
      assertTrue(map.size() >= 100, c.name() + " has " + map.size() + " samples");
      double worst = 0;
      for (JsonNode row : map) {
        double[] src = t.toSource(row.get(0).asDouble(), row.get(1).asDouble());
        worst = Math.max(worst, Math.abs(src[0] - row.get(2).asDouble()));
        worst = Math.max(worst, Math.abs(src[1] - row.get(3).asDouble()));
        double[] back = t.toCrop(src[0], src[1]);
        assertEquals(row.get(0).asDouble(), back[0], 1e-9);
        assertEquals(row.get(1).asDouble(), back[1], 1e-9);
      }
      System.out.printf(Locale.ROOT, "%s: crop -> source vs PIL, worst %.2e px over %d pixels%n",
          c.name(), worst, map.size());
      // PIL's float resampling leaves a few thousandths of a pixel when it shrinks.
      assertTrue(worst < 0.01, c.name() + " worst " + worst);
    }
  }

  /**
   * The standard face projected with a known scale and offset lands on the standard positions:
   * 112 + 102·X across and 112 − 102·Y down, shifted up by s by align_img's flip (its window is
   * centred one source pixel low). The shape is kept at 102 pixels per unit to a fifth of a
   * pixel; the place is off by at most 2.5 pixels: truncated size (≤ 1) and corner (≤ 1), and
   * pixel centres at (x + ½)·s − ½ rather than x·s (½|s − 1|).
   */
  @Test
  void standardFaceLandsOnStandardPositions() {
    double[][] std = Align5.standardLandmarks();
    for (double k : new double[] {150, 97.3, 40}) {
      double ox = 300.3;
      double oy = 200.7;
      float[] lm = new float[10];
      for (int i = 0; i < 5; i++) {
        lm[2 * i] = (float) (ox + k * std[i][0]);
        lm[2 * i + 1] = (float) (oy - k * std[i][1]);
      }
      Align5.Transform t = Align5.fit(lm, 640, 480);
      assertEquals(k, t.fitScale(), 1e-4 * k);
      assertEquals(ox, t.tx(), 1e-3);
      assertEquals(479 - oy, t.ty(), 1e-3);
      assertEquals(102 / k, t.scale(), 1e-6);
      float[] lmNew = t.deep3dLandmarks(lm);
      double[] p0 = t.toCrop(lm[0], lm[1]);
      for (int i = 0; i < 5; i++) {
        String at = "k " + k + " point " + i;
        double u = 112 + 102 * std[i][0];
        double v = 112 - 102 * std[i][1];
        double[] p = t.toCrop(lm[2 * i], lm[2 * i + 1]);
        assertEquals(102 * (std[i][0] - std[0][0]), p[0] - p0[0], 0.2, at);
        assertEquals(-102 * (std[i][1] - std[0][1]), p[1] - p0[1], 0.2, at);
        assertEquals(u, p[0], 2.5, at + " across");
        assertEquals(v - t.scale(), p[1], 2.5, at + " down");
        // align_img's own landmarks skip the truncated corner: within half a pixel, y up.
        assertEquals(u, lmNew[2 * i], 0.5, at);
        assertEquals(112 + 102 * std[i][1], lmNew[2 * i + 1], 0.5, at);
        double slack = 1 + Math.abs(t.scale() - 1) / 2;
        assertEquals(p[0], lmNew[2 * i], slack, at);
        assertEquals(224 - t.scale() - p[1], lmNew[2 * i + 1], slack, at);
      }
    }
  }

  /**
   * The crops against PIL's on real photos: the same window (no shift fits better) and close
   * pixels (the filters differ), and on the astronaut the eyes fall symmetric about the middle.
   */
  @Test
  void cropMatchesPilOnRealPhotos() throws IOException {
    for (int i = 0; i < CASES.size(); i++) {
      Case c = CASES.get(i);
      if (c.image() == null) {
        continue;
      }
      byte[] src = Files.readAllBytes(refDir.resolve(i + ".src.rgb"));
      byte[] pil = Files.readAllBytes(refDir.resolve(i + ".crop.rgb"));
      byte[] ours = new byte[Align5.SIZE * Align5.SIZE * 3];
      try (Mat img = new Mat(c.height(), c.width(), CV_8UC3)) {
        img.data().put(src);
        try (Mat crop = Align5.crop(img, c.lm5())) {
          assertEquals(Align5.SIZE, crop.cols());
          assertEquals(Align5.SIZE, crop.rows());
          assertEquals(CV_8UC3, crop.type());
          crop.data().get(ours);
        }
      }
      double best = Double.MAX_VALUE;
      int bestDx = 9;
      int bestDy = 9;
      for (int dy = -1; dy <= 1; dy++) {
        for (int dx = -1; dx <= 1; dx++) {
          double d = meanAbsDiff(ours, pil, dx, dy, 8);
          if (d < best) {
            best = d;
            bestDx = dx;
            bestDy = dy;
          }
        }
      }
      double all = meanAbsDiff(ours, pil, 0, 0, 0);
      int black = 0;
      int blackAgree = 0;
      for (int p = 0; p < ours.length; p += 3) {
        boolean pb = pil[p] == 0 && pil[p + 1] == 0 && pil[p + 2] == 0;
        boolean ob = ours[p] == 0 && ours[p + 1] == 0 && ours[p + 2] == 0;
        black += pb ? 1 : 0;
        blackAgree += pb && ob ? 1 : 0;
      }
      System.out.printf(Locale.ROOT, "%s: mean |ours - PIL| %.2f levels (inner %.2f), best shift"
          + " (%d, %d), PIL black pixels %d, also black here %d%n", c.name(), all, best, bestDx,
          bestDy, black, blackAgree);
      assertEquals(0, bestDx, c.name());
      assertEquals(0, bestDy, c.name());
      assertTrue(all < 1.5, c.name() + " mean difference " + all);
      assertTrue(blackAgree >= 0.97 * black, c.name() + " black border " + blackAgree + "/"
          + black);
    }
    Align5.Transform t = Align5.fit(ASTRONAUT_LM5, 512, 512);
    double[] le = t.toCrop(ASTRONAUT_LM5[0], ASTRONAUT_LM5[1]);
    double[] re = t.toCrop(ASTRONAUT_LM5[2], ASTRONAUT_LM5[3]);
    // The fit centres the whole five-point face; her mouth sits left of her eyes.
    assertEquals(Align5.SIZE / 2.0, (le[0] + re[0]) / 2, 8, "eyes centred across");
    assertEquals(le[1], re[1], 6, "eyes level");
    assertTrue(re[0] - le[0] > 55 && re[0] - le[0] < 75, "eye distance " + (re[0] - le[0]));
  }

  /** Mean absolute difference over pixels at least {@code margin} from the edge, {@code b}
   * shifted by (dx, dy). */
  private static double meanAbsDiff(byte[] a, byte[] b, int dx, int dy, int margin) {
    int n = Align5.SIZE;
    long sum = 0;
    long count = 0;
    for (int y = margin; y < n - margin; y++) {
      for (int x = margin; x < n - margin; x++) {
        int xs = x + dx;
        int ys = y + dy;
        if (xs < 0 || ys < 0 || xs >= n || ys >= n) {
          continue;
        }
        for (int ch = 0; ch < 3; ch++) {
          sum += Math.abs((a[(y * n + x) * 3 + ch] & 0xff) - (b[(ys * n + xs) * 3 + ch] & 0xff));
          count++;
        }
      }
    }
    return sum / (double) count;
  }

  @Test
  void dlibFivePointsUseTheEyeCorners() {
    float[] lm68 = new float[136];
    for (int i = 0; i < 68; i++) {
      lm68[2 * i] = i;
      lm68[2 * i + 1] = 1000 + 2 * i;
    }
    // Means of points 36/39 and 42/45 (not of the six eye points), then 30, 48, 54.
    assertArrayEquals(new float[] {37.5f, 1075, 43.5f, 1087, 30, 1060, 48, 1096, 54, 1108},
        Align5.fromDlib68(lm68));
  }

  @Test
  void inverseUndoesAffine() {
    Align5.Transform t = Align5.fit(CRUISE_LM5, 565, 800);
    double[] a = t.affine();
    double[] b = t.inverse();
    // b ∘ a = identity on the 2×3 affine layout.
    assertEquals(1, b[0] * a[0], 1e-12);
    assertEquals(0, b[0] * a[2] + b[2], 1e-9);
    assertEquals(1, b[4] * a[4], 1e-12);
    assertEquals(0, b[4] * a[5] + b[5], 1e-9);
    assertArrayEquals(new double[] {565, 800, t.scale(), t.tx(), t.ty()}, t.transParams());
  }

  @Test
  void badLandmarksAreRejectedWithTheirValues() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Align5.fit(new float[8], 640, 480));
    assertTrue(e.getMessage().contains("8"), e.getMessage());
    float[] same = {100, 100, 100, 100, 100, 100, 100, 100, 100, 100};
    e = assertThrows(IllegalArgumentException.class, () -> Align5.fit(same, 640, 480));
    assertTrue(e.getMessage().contains("100.0"), e.getMessage());
    float[] nan = ASTRONAUT_LM5.clone();
    nan[3] = Float.NaN;
    assertThrows(IllegalArgumentException.class, () -> Align5.fit(nan, 512, 512));
    assertThrows(IllegalArgumentException.class, () -> Align5.fromDlib68(new float[10]));
  }
}
