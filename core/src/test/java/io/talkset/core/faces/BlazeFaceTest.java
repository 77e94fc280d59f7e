package io.talkset.core.faces;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.talkset.testing.Samples;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** BlazeFace on real photos with labelled faces. */
class BlazeFaceTest {
  private static BlazeFace detector;

  @BeforeAll
  static void load() throws Exception {
    detector = new BlazeFace(Samples.blazeFace(256), 256, Device.cpu(), 0.5f, 0.3f);
  }

  @AfterAll
  static void close() {
    detector.close();
  }

  static Mat image(String sample) {
    Mat m = imread(Samples.get(sample).toString());
    assertTrue(!m.empty(), sample);
    return m;
  }

  @Test
  void theAstronautsFaceWithItsKeypoints() throws Exception {
    List<Detection> d = detector.detect(image("photos/skimage/astronaut.png"));
    assertEquals(1, d.size(), d.toString());
    Detection f = d.get(0);
    assertTrue(f.score() > 0.8, "score " + f.score());
    // The face is in the upper middle of the 512 x 512 picture; eyes above the nose, nose
    // above the mouth, all inside the box.
    assertTrue(f.centerX() > 150 && f.centerX() < 300 && f.centerY() > 50 && f.centerY() < 200,
        f.toString());
    float[] k = f.keypoints();
    assertTrue(k[1] < k[5] && k[3] < k[5] && k[5] < k[7], "eyes, nose, mouth from top down");
    for (int i = 0; i < 4; i++) {
      assertTrue(k[2 * i] > f.x0() && k[2 * i] < f.x1() && k[2 * i + 1] > f.y0()
          && k[2 * i + 1] < f.y1());
    }
  }

  /** dlib's 9 example photos with 43 labelled faces (PASCAL VOC group photos). */
  @Test
  void precisionAndRecallOnDlibsLabelledFaces() throws Exception {
    Pattern image = Pattern.compile("<image file='([^']+)'[^>]*>(.*?)</image>", Pattern.DOTALL);
    Pattern box = Pattern.compile(
        "<box top='(-?\\d+)' left='(-?\\d+)' width='(\\d+)' height='(\\d+)'");
    int labelled = 0;
    int found = 0;
    int detections = 0;
    int correct = 0;
    for (String xml : new String[] {"training_with_face_landmarks.xml",
        "testing_with_face_landmarks.xml"}) {
      String text = Files.readString(Samples.get("photos/dlib/" + xml),
          java.nio.charset.StandardCharsets.ISO_8859_1);
      Matcher im = image.matcher(text);
      while (im.find()) {
        List<float[]> truth = new ArrayList<>();
        Matcher b = box.matcher(im.group(2));
        while (b.find()) {
          float top = Float.parseFloat(b.group(1));
          float left = Float.parseFloat(b.group(2));
          truth.add(new float[] {left, top, left + Float.parseFloat(b.group(3)),
              top + Float.parseFloat(b.group(4))});
        }
        List<Detection> dets = detector.detect(image("photos/dlib/" + im.group(1)));
        labelled += truth.size();
        detections += dets.size();
        boolean[] matched = new boolean[truth.size()];
        for (Detection d : dets) {
          int best = -1;
          float bestIou = 0.5f;
          for (int t = 0; t < truth.size(); t++) {
            float[] g = truth.get(t);
            float iou = Detection.iou(d.x0(), d.y0(), d.x1(), d.y1(), g[0], g[1], g[2], g[3]);
            if (!matched[t] && iou >= bestIou) {
              best = t;
              bestIou = iou;
            }
          }
          if (best >= 0) {
            matched[best] = true;
            correct++;
          }
        }
        for (boolean m : matched) {
          found += m ? 1 : 0;
        }
      }
    }
    double precision = correct / (double) detections;
    double recall = found / (double) labelled;
    System.out.printf(Locale.ROOT, "blazeface 256 on dlib faces: %d labelled, %d detections,"
        + " precision %.3f, recall %.3f at IoU >= 0.5%n", labelled, detections, precision, recall);
    assertEquals(43, labelled);
    assertTrue(precision >= 0.95, "precision " + precision);
    assertTrue(recall >= 0.95, "recall " + recall);
  }

  /**
   * kphotoalbum's demo: the face areas its index labels are found (photos stored rotated are
   * turned as the index says first), and nothing is found on the fish tank, the rabbit and the
   * landscapes.
   */
  @Test
  void kphotoalbumFacesFoundAndNoneOnAnimalsOrScenery() throws Exception {
    String[][] labelled = {
      {"qt-logo.jpg", "0", "342 89 148 157", "558 45 137 144", "144 78 148 152"},
      {"wayne.jpg", "90", "480 285 51 53", "166 265 56 56"},
    };
    for (String[] l : labelled) {
      Mat img = image("photos/kphotoalbum/" + l[0]);
      if (!l[1].equals("0")) {
        Mat turned = new Mat();
        org.bytedeco.opencv.global.opencv_core.rotate(img, turned,
            org.bytedeco.opencv.global.opencv_core.ROTATE_90_CLOCKWISE);
        img = turned;
      }
      List<Detection> dets = detector.detect(img);
      for (int a = 2; a < l.length; a++) {
        String[] v = l[a].split(" ");
        float x = Float.parseFloat(v[0]);
        float y = Float.parseFloat(v[1]);
        float w = Float.parseFloat(v[2]);
        float h = Float.parseFloat(v[3]);
        boolean found = dets.stream().anyMatch(d -> d.centerX() > x && d.centerX() < x + w
            && d.centerY() > y && d.centerY() < y + h);
        assertTrue(found, l[0] + " area " + l[a] + " not found in " + dets);
      }
    }
    for (String none : new String[] {"blackie.jpg", "spiff.jpg", "spiff_2.jpg",
        "grand_canyon_3.jpg", "skagen.jpg", "skagen_2.jpg", "sunset.jpg", "snow.jpg"}) {
      List<Detection> dets = detector.detect(image("photos/kphotoalbum/" + none));
      assertEquals(List.of(), dets, none);
    }
  }
}
