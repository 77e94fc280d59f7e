package io.talkset.core.export;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.talkset.testing.DlibFaces;
import io.talkset.testing.Python;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aligned and mouth views against scikit-image ({@code SimilarityTransform.from_estimate}
 * and {@code warp}, bilinear) on dlib's labelled faces, and the similarity against a known one.
 */
class FaceViewsTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void similarityRecoversAKnownRotationScaleAndShift() {
    double[] src = FaceViews.template();
    double angle = Math.toRadians(23);
    double s = 2.7;
    double[] dst = new double[src.length];
    for (int i = 0; i < src.length; i += 2) {
      dst[i] = s * (Math.cos(angle) * src[i] - Math.sin(angle) * src[i + 1]) + 311.5;
      dst[i + 1] = s * (Math.sin(angle) * src[i] + Math.cos(angle) * src[i + 1]) - 42.25;
    }
    double[] m = FaceViews.similarity(src, dst);
    double[] expected = {s * Math.cos(angle), -s * Math.sin(angle), 311.5,
        s * Math.sin(angle), s * Math.cos(angle), -42.25};
    for (int k = 0; k < 6; k++) {
      assertEquals(expected[k], m[k], 1e-9, "coefficient " + k);
    }
    // A mirrored copy is fitted by a rotation, never a reflection: the determinant stays > 0.
    double[] mirrored = dst.clone();
    for (int i = 0; i < mirrored.length; i += 2) {
      mirrored[i] = -mirrored[i];
    }
    double[] r = FaceViews.similarity(src, mirrored);
    assertTrue(r[0] * r[4] - r[1] * r[3] >= 0);
    assertThrows(IllegalArgumentException.class, () -> FaceViews.similarity(
        new double[] {1, 1, 1, 1}, new double[] {0, 0, 1, 1}));
  }

  @Test
  void meanFaceIsHeadPosesSeenFrontally() {
    double[] t = FaceViews.template();
    // Nose base 44 mm below the eye line, outer eye corners 90 mm apart, inner 32.
    assertEquals(44, t[1], 1e-9);
    assertEquals(90, t[8] - t[2], 1e-9);
    assertEquals(32, t[6] - t[4], 1e-9);
  }

  @Test
  void viewsMatchScikitImageOnDlibsLabelledFaces(@TempDir Path tmp) throws Exception {
    List<DlibFaces.Face> faces = DlibFaces.load("testing_with_face_landmarks.xml")
        .subList(0, 8);
    ArrayNode cases = json.createArrayNode();
    int n = 0;
    for (DlibFaces.Face f : faces) {
      Path png = tmp.resolve("src" + n + ".png");
      try (Mat img = imread(Samples.get("photos/dlib/" + f.file()).toString())) {
        assertTrue(imwrite(png.toString(), img));
        for (Object[] v : new Object[][] {{FaceViews.View.ALIGNED, 256},
            {FaceViews.View.MOUTH, 96}, {FaceViews.View.MOUTH, 48}}) {
          FaceViews.View view = (FaceViews.View) v[0];
          int side = (int) v[1];
          double[] m = FaceViews.affine(view, f.points(), side);
          Path out = tmp.resolve("view" + n + "-" + cases.size() + ".png");
          try (Mat w = FaceViews.warp(img, m, side)) {
            assertEquals(side, w.cols());
            assertEquals(side, w.rows());
            assertTrue(imwrite(out.toString(), w));
          }
          ObjectNode c = cases.addObject();
          c.put("image", png.toString()).put("java", out.toString())
              .put("view", view.name().toLowerCase(Locale.ROOT)).put("side", side)
              .put("aligned_mm", FaceViews.ALIGNED_MM)
              .put("aligned_centre_mm", FaceViews.ALIGNED_CENTRE_MM)
              .put("mouth_mm", FaceViews.MOUTH_MM);
          ArrayNode lm = c.putArray("lm68");
          for (float p : f.points()) {
            lm.add(p);
          }
          ArrayNode t = c.putArray("template");
          for (double p : FaceViews.template()) {
            t.add(p);
          }
          ArrayNode jm = c.putArray("java_matrix");
          for (double p : m) {
            jm.add(p);
          }
        }
      }
      n++;
    }
    Path in = tmp.resolve("cases.json");
    json.writeValue(in.toFile(), cases);
    Path script = tmp.resolve("views_reference.py");
    try (InputStream s = FaceViewsTest.class.getResourceAsStream(
        "/reference/views_reference.py")) {
      Files.write(script, s.readAllBytes());
    }
    JsonNode ref = json.readTree(Tools.run(Python.venv().toString(), script.toString(),
        in.toString()));
    assertEquals(cases.size(), ref.size());
    double worstMean = 0;
    double worstP99 = 0;
    for (int i = 0; i < ref.size(); i++) {
      JsonNode r = ref.get(i);
      JsonNode c = cases.get(i);
      String what = c.get("view").asText() + " " + c.get("side").asInt() + " of face " + i / 3;
      worstMean = Math.max(worstMean, r.get("pixel_mean_diff").asDouble());
      worstP99 = Math.max(worstP99, r.get("pixel_p99_diff").asDouble());
      // The same map (scikit-image's fit is an SVD, ours the closed form).
      assertTrue(r.get("matrix_max_diff").asDouble() < 1e-6 * Math.max(1,
          Math.abs(r.get("matrix").get(2).asDouble())), what + ": " + r);
      // The same picture, up to OpenCV's 1/32-pixel fixed-point interpolation weights.
      assertTrue(r.get("pixel_mean_diff").asDouble() < 0.5, what + ": " + r);
      assertTrue(r.get("pixel_p99_diff").asDouble() <= 3, what + ": " + r);
      if (c.get("view").asText().equals("mouth")) {
        double half = c.get("side").asInt() / 2.0;
        assertEquals(half, r.get("mouth_centroid").get(0).asDouble(), 1e-3, what);
        assertEquals(half, r.get("mouth_centroid").get(1).asDouble(), 1e-3, what);
      }
    }
    System.out.printf(Locale.ROOT, "views vs scikit-image, %d pictures: worst mean |diff| %.3f,"
        + " worst 99th percentile %.1f grey levels%n", ref.size(), worstMean, worstP99);
  }
}
