package io.talkset.core.faceparams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.talkset.core.faces.BlazeFace;
import io.talkset.core.faces.Detection;
import io.talkset.testing.Samples;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/**
 * MobileFaceNet embeddings against face-api's descriptors on the same faces: kphotoalbum's
 * labelled people ({@link FaceDescriptorsTest#FACES}), each face also mirrored.
 */
class FaceIdentityTest {

  @Test
  void similarityMapsTheTemplateOntoItselfAndRecoversAKnownTransform() {
    float[] template = {38.2946f, 51.6963f, 73.5318f, 51.5014f, 56.0252f, 71.7366f, 41.5493f,
        92.3655f, 70.7299f, 92.2041f};
    // The template in continuous coordinates is the template in pixel indices + 0.5.
    float[] cont = new float[10];
    for (int i = 0; i < 10; i++) {
      cont[i] = template[i] + 0.5f;
    }
    double[] id = FaceIdentity.similarity(cont);
    double[] expectId = {1, 0, 0, 0, 1, 0};
    for (int i = 0; i < 6; i++) {
      assertEquals(expectId[i], id[i], 1e-5, "identity entry " + i);
    }
    // Source = template turned by 20°, scaled 3×, moved (300, 200): the fit must undo exactly
    // that (scale 1/3, angle −20°), and send every source point onto its template point.
    double ang = Math.toRadians(20);
    float[] src = new float[10];
    for (int i = 0; i < 5; i++) {
      double x = template[2 * i];
      double y = template[2 * i + 1];
      src[2 * i] = (float) (3 * (Math.cos(ang) * x - Math.sin(ang) * y) + 300 + 0.5);
      src[2 * i + 1] = (float) (3 * (Math.sin(ang) * x + Math.cos(ang) * y) + 200 + 0.5);
    }
    double[] m = FaceIdentity.similarity(src);
    assertEquals(Math.cos(-ang) / 3, m[0], 1e-6);
    assertEquals(Math.sin(-ang) / 3, m[3], 1e-6);
    for (int i = 0; i < 5; i++) {
      double x = src[2 * i] - 0.5;
      double y = src[2 * i + 1] - 0.5;
      assertEquals(template[2 * i], m[0] * x + m[1] * y + m[2], 1e-3);
      assertEquals(template[2 * i + 1], m[3] * x + m[4] * y + m[5], 1e-3);
    }
  }

  /** Same-person and different-people scores, and each face against its mirror image. */
  private record Scores(List<Double> same, List<Double> diff, List<Double> mirror) {
    Scores() {
      this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }

    /** ROC AUC with "higher is more alike" ({@code sign} −1 turns distances round). */
    double auc(int sign) {
      double wins = 0;
      for (double s : same) {
        for (double d : diff) {
          wins += sign * s > sign * d ? 1 : s == d ? 0.5 : 0;
        }
      }
      return wins / (same.size() * (double) diff.size());
    }

    static double mean(List<Double> v) {
      return v.stream().mapToDouble(x -> x).average().orElseThrow();
    }

    static double min(List<Double> v) {
      return v.stream().mapToDouble(x -> x).min().orElseThrow();
    }

    static double max(List<Double> v) {
      return v.stream().mapToDouble(x -> x).max().orElseThrow();
    }
  }

  @Test
  void pinnedMobileFaceNetSeparatesPeopleWorseThanFaceApiInEveryInputConvention() throws Exception {
    List<String> who = new ArrayList<>();
    List<float[]> faceApi = new ArrayList<>();
    List<Double> faceApiMirror = new ArrayList<>();
    Map<FaceIdentity.Input, List<float[]>> mfn = new EnumMap<>(FaceIdentity.Input.class);
    Map<FaceIdentity.Input, List<Double>> mfnMirror = new EnumMap<>(FaceIdentity.Input.class);
    Map<FaceIdentity.Input, FaceIdentity> nets = new EnumMap<>(FaceIdentity.Input.class);
    try (BlazeFace det = new BlazeFace(Samples.blazeFace(256), 256, Device.cpu(), 0.5f, 0.3f);
        FaceLandmarker lm = new FaceLandmarker(Samples.models(), Device.cpu(),
            FaceLandmarker.Params.defaults());
        FaceDescriptors fd = new FaceDescriptors(Samples.models(), Device.cpu())) {
      for (FaceIdentity.Input in : FaceIdentity.Input.values()) {
        nets.put(in, new FaceIdentity(Samples.models(), Device.cpu(), in));
        mfn.put(in, new ArrayList<>());
        mfnMirror.put(in, new ArrayList<>());
      }
      for (String[] f : FaceDescriptorsTest.FACES) {
        Mat img = FaceDescriptorsTest.upright(f[0], Integer.parseInt(f[1]));
        List<Detection> dets = det.detect(img);
        Detection face = null;
        if (f[3] == null) {
          face = dets.size() == 1 ? dets.get(0) : null;
        } else {
          String[] a = f[3].split(" ");
          float x = Float.parseFloat(a[0]);
          float y = Float.parseFloat(a[1]);
          for (Detection d : dets) {
            if (d.centerX() > x && d.centerX() < x + Float.parseFloat(a[2])
                && d.centerY() > y && d.centerY() < y + Float.parseFloat(a[3])) {
              face = d;
            }
          }
        }
        if (face == null) {
          continue;
        }
        float[][] pts = lm.landmarks(img, new float[][] {{face.x0(), face.y0(), face.x1(),
            face.y1()}});
        Mat flipped = new Mat();
        opencv_core.flip(img, flipped, 1);
        // Continuous coordinates mirror as x → W − x; point k becomes its left-right partner.
        float[] mp = pts[0].clone();
        for (int k = 0; k < 68; k++) {
          mp[2 * k] = img.cols() - pts[0][2 * FaceDescriptorsTest.MIRROR[k]];
          mp[2 * k + 1] = pts[0][2 * FaceDescriptorsTest.MIRROR[k] + 1];
        }
        float[] d = fd.describe(img, pts)[0];
        faceApi.add(d);
        faceApiMirror.add(FaceDescriptors.distance(d, fd.describe(flipped,
            new float[][] {mp})[0]));
        for (FaceIdentity.Input in : FaceIdentity.Input.values()) {
          float[] e = nets.get(in).embed(img, pts)[0];
          mfn.get(in).add(e);
          mfnMirror.get(in).add(FaceIdentity.cosine(e, nets.get(in).embed(flipped,
              new float[][] {mp})[0]));
        }
        who.add(f[2]);
      }
    } finally {
      nets.values().forEach(FaceIdentity::close);
    }
    assertTrue(who.size() >= 12, "faces: " + who.size());

    Scores fa = new Scores(new ArrayList<>(), new ArrayList<>(), faceApiMirror);
    Map<FaceIdentity.Input, Scores> ms = new EnumMap<>(FaceIdentity.Input.class);
    for (FaceIdentity.Input in : FaceIdentity.Input.values()) {
      ms.put(in, new Scores(new ArrayList<>(), new ArrayList<>(), mfnMirror.get(in)));
    }
    for (int i = 0; i < who.size(); i++) {
      assertEquals(1.0, FaceIdentity.cosine(mfn.get(FaceIdentity.DEFAULT_INPUT).get(i),
          mfn.get(FaceIdentity.DEFAULT_INPUT).get(i)), 1e-6);
      for (int j = i + 1; j < who.size(); j++) {
        boolean same = who.get(i).equals(who.get(j));
        (same ? fa.same() : fa.diff()).add(FaceDescriptors.distance(faceApi.get(i),
            faceApi.get(j)));
        for (FaceIdentity.Input in : FaceIdentity.Input.values()) {
          Scores s = ms.get(in);
          (same ? s.same() : s.diff()).add(FaceIdentity.cosine(mfn.get(in).get(i),
              mfn.get(in).get(j)));
        }
      }
    }
    System.out.printf(Locale.ROOT, "kphotoalbum: %d faces, %d same-person pairs, %d"
        + " different-person pairs%n", who.size(), fa.same().size(), fa.diff().size());
    System.out.printf(Locale.ROOT, "  %-26s %8s %8s %8s %8s %8s %8s%n", "network", "AUC",
        "same", "diff", "sameWorst", "diffBest", "mirrorWorst");
    System.out.printf(Locale.ROOT, "  %-26s %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f%n",
        "face-api (Euclidean dist)", fa.auc(-1), Scores.mean(fa.same()), Scores.mean(fa.diff()),
        Scores.max(fa.same()), Scores.min(fa.diff()), Scores.max(fa.mirror()));
    for (FaceIdentity.Input in : FaceIdentity.Input.values()) {
      Scores s = ms.get(in);
      System.out.printf(Locale.ROOT, "  %-26s %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f%n",
          "MobileFaceNet " + in + " (cos)", s.auc(1), Scores.mean(s.same()),
          Scores.mean(s.diff()), Scores.min(s.same()), Scores.max(s.diff()),
          Scores.min(s.mirror()));
    }
    // Diagnostic: cosine after taking off the embeddings' common part (their mean here).
    for (FaceIdentity.Input in : FaceIdentity.Input.values()) {
      List<float[]> e = mfn.get(in);
      float[] mean = new float[FaceIdentity.DIMENSIONS];
      for (float[] v : e) {
        for (int k = 0; k < mean.length; k++) {
          mean[k] += v[k] / e.size();
        }
      }
      Scores c = new Scores();
      for (int i = 0; i < who.size(); i++) {
        for (int j = i + 1; j < who.size(); j++) {
          float[] a = e.get(i).clone();
          float[] b = e.get(j).clone();
          for (int k = 0; k < mean.length; k++) {
            a[k] -= mean[k];
            b[k] -= mean[k];
          }
          (who.get(i).equals(who.get(j)) ? c.same() : c.diff()).add(FaceIdentity.cosine(a, b));
        }
      }
      System.out.printf(Locale.ROOT, "  %-26s %8.3f %8.3f %8.3f%n", "centred " + in, c.auc(1),
          Scores.mean(c.same()), Scores.mean(c.diff()));
    }
    Scores best = ms.get(FaceIdentity.DEFAULT_INPUT);
    // The default is the convention that separates people best (ties allowed).
    for (Scores s : ms.values()) {
      assertTrue(best.auc(1) >= s.auc(1), "default " + best.auc(1) + " vs " + s.auc(1));
    }
    // face-api meets the mirror half of issue 16's bar on its own: every face is nearer its
    // mirror image than any two different people are to each other (measured 0.35 vs 0.55).
    assertTrue(Scores.max(fa.mirror()) < Scores.min(fa.diff()),
        "face-api mirror " + Scores.max(fa.mirror()) + " vs different people "
            + Scores.min(fa.diff()));
    // The pinned MobileFaceNet does not meet the bar in any input convention (measured AUC
    // 0.39-0.61 against face-api's 0.88): its embeddings barely depend on the face. With the
    // [0, 1] and [-1, 1] ranges any two faces, a dog's included, have a cosine above 0.99, and
    // taking off the common part leaves chance-level AUCs; the symptom of a TensorFlow graph
    // frozen with batch-norm statistics that were never updated. So face-api stays the
    // identity network; this fails, and the decision is to be revisited, if that changes.
    for (Map.Entry<FaceIdentity.Input, Scores> e : ms.entrySet()) {
      assertTrue(e.getValue().auc(1) < fa.auc(-1), e.getKey() + ": AUC " + e.getValue().auc(1)
          + " vs face-api " + fa.auc(-1));
    }
    assertTrue(Scores.mean(ms.get(FaceIdentity.Input.RGB_01).diff()) > 0.99,
        "MobileFaceNet [0, 1]: different people's mean cosine "
            + Scores.mean(ms.get(FaceIdentity.Input.RGB_01).diff()));
    assertTrue(best.auc(1) < 0.7, "MobileFaceNet's best AUC " + best.auc(1));
  }
}
