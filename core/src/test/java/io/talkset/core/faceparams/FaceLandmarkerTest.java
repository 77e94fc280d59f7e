package io.talkset.core.faceparams;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.talkset.core.faces.BlazeFace;
import io.talkset.core.faces.Detection;
import io.talkset.testing.DlibFaces;
import io.talkset.testing.Samples;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** face-api's 68-point network (our ONNX rendering) against dlib's labelled faces. */
class FaceLandmarkerTest {
  static final Map<String, int[]> REGIONS = new LinkedHashMap<>();

  static {
    REGIONS.put("jaw", new int[] {0, 17});
    REGIONS.put("brows", new int[] {17, 27});
    REGIONS.put("nose", new int[] {27, 36});
    REGIONS.put("eyes", new int[] {36, 48});
    REGIONS.put("mouth", new int[] {48, 68});
  }

  private static BlazeFace detector;

  @BeforeAll
  static void load() throws Exception {
    detector = new BlazeFace(Samples.blazeFace(256), 256, Device.cpu(), 0.5f, 0.3f);
  }

  @AfterAll
  static void close() {
    detector.close();
  }

  /** Mean point error over inter-ocular (outer eye corner) distance, per region then overall. */
  static double[] nme(FaceLandmarker.Params params, List<DlibFaces.Face> faces, int[] detected)
      throws Exception {
    double[] sum = new double[REGIONS.size() + 1];
    int n = 0;
    int missed = 0;
    try (FaceLandmarker lm = new FaceLandmarker(Samples.models(), Device.cpu(), params)) {
      String file = null;
      Mat img = null;
      List<Detection> dets = null;
      for (DlibFaces.Face f : faces) {
        if (!f.file().equals(file)) {
          file = f.file();
          img = imread(Samples.get("photos/dlib/" + file).toString());
          dets = detector.detect(img);
        }
        Detection best = null;
        float bestIou = 0.3f;
        for (Detection d : dets) {
          float iou = Detection.iou(d.x0(), d.y0(), d.x1(), d.y1(), f.box()[0], f.box()[1],
              f.box()[2], f.box()[3]);
          if (iou >= bestIou) {
            best = d;
            bestIou = iou;
          }
        }
        if (best == null) {
          missed++;
          continue;
        }
        float[] p = lm.landmarks(img, new float[][] {{best.x0(), best.y0(), best.x1(),
            best.y1()}})[0];
        float[] g = f.points();
        double iod = Math.hypot(g[72] - g[90], g[73] - g[91]);
        int r = 0;
        double all = 0;
        for (int[] range : REGIONS.values()) {
          double s = 0;
          for (int k = range[0]; k < range[1]; k++) {
            double e = Math.hypot(p[2 * k] - g[2 * k], p[2 * k + 1] - g[2 * k + 1]) / iod;
            s += e;
            all += e;
          }
          sum[r++] += s / (range[1] - range[0]);
        }
        sum[r] += all / 68;
        n++;
      }
    }
    for (int i = 0; i < sum.length; i++) {
      sum[i] /= n;
    }
    detected[0] = n;
    detected[1] = missed;
    return sum;
  }

  static String describe(double[] e) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "NME %.4f (", e[e.length - 1]));
    int i = 0;
    for (String r : REGIONS.keySet()) {
      b.append(String.format(Locale.ROOT, "%s %.4f%s", r, e[i], i < REGIONS.size() - 1 ? ", " : ")"));
      i++;
    }
    return b.toString();
  }

  @Test
  void normalizedMeanErrorOnDlibsLabelledFaces() throws Exception {
    int[] counts = new int[2];
    double[] e = nme(FaceLandmarker.Params.defaults(), DlibFaces.all(), counts);
    System.out.printf(Locale.ROOT, "face-api 68 landmarks on dlib faces: %d faces (%d not"
        + " detected): %s%n", counts[0], counts[1], describe(e));
    assertEquals(43, counts[0] + counts[1]);
    assertTrue(e[e.length - 1] <= 0.08, describe(e));
  }

  public static void main(String[] args) throws Exception {
    load();
    for (double scale : new double[] {1.1, 1.2, 1.3, 1.4, 1.5}) {
      for (double shift : new double[] {0, 0.05, 0.1}) {
        for (boolean refine : new boolean[] {false, true}) {
          for (double rs : refine ? new double[] {1.1, 1.2, 1.3, 1.4} : new double[] {1}) {
            int[] c = new int[2];
            FaceLandmarker.Params p = new FaceLandmarker.Params(scale, shift, refine, rs);
            double[] tr = nme(p, DlibFaces.load("training_with_face_landmarks.xml"), c);
            double[] te = nme(p, DlibFaces.load("testing_with_face_landmarks.xml"), c);
            System.out.printf(Locale.ROOT, "%s train %s test %s%n", p, describe(tr), describe(te));
          }
        }
      }
    }
    close();
  }
}
