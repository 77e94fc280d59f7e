package io.talkset.core.faceparams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.talkset.core.faceparams.FaceDescriptors;
import io.talkset.core.faceparams.FaceDescriptorsTest;
import io.talkset.core.faceparams.FaceLandmarker;
import io.talkset.core.faces.BlazeFace;
import io.talkset.core.faces.Detection;
import io.talkset.core.metrics.IdentitySimilarity;
import io.talkset.testing.Samples;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/**
 * Identity similarity (cosine of face-api descriptors) on kphotoalbum's labelled faces
 * ({@link FaceDescriptorsTest#FACES}): crop against crop, and "clips" made of one person's photos
 * against another's.
 */
class IdentitySimilarityTest {

  @Test
  void samePersonIsMoreSimilarThanDifferentPeopleForCropsAndClips() throws Exception {
    List<String> who = new ArrayList<>();
    List<float[]> desc = new ArrayList<>();
    try (BlazeFace det = new BlazeFace(Samples.blazeFace(256), 256, Device.cpu(), 0.5f, 0.3f);
        FaceLandmarker lm = new FaceLandmarker(Samples.models(), Device.cpu(),
            FaceLandmarker.Params.defaults());
        FaceDescriptors fd = new FaceDescriptors(Samples.models(), Device.cpu())) {
      Mat firstImg = null;
      float[] firstPts = null;
      for (String[] f : FaceDescriptorsTest.FACES) {
        Mat img = FaceDescriptorsTest.upright(f[0], Integer.parseInt(f[1]));
        List<Detection> dets = det.detect(img);
        Detection face = FaceDescriptorsTest.labelledFace(f, dets);
        if (face == null) {
          continue;
        }
        float[] pts = lm.landmarks(img, new float[][] {{face.x0(), face.y0(), face.x1(),
            face.y1()}})[0];
        float[] d = fd.describe(img, new float[][] {pts})[0];
        // Crop against crop through the network gives the figures of the two descriptors.
        if (firstImg == null) {
          firstImg = img;
          firstPts = pts;
        } else {
          IdentitySimilarity.Comparison c = IdentitySimilarity.crops(fd, firstImg, firstPts, img,
              pts);
          IdentitySimilarity.Comparison direct = IdentitySimilarity.compare(desc.get(0), d);
          assertEquals(direct.cosine(), c.cosine(), 1e-4);
          assertEquals(direct.distance(), c.distance(), 1e-3);
        }
        desc.add(d);
        who.add(f[2]);
      }
    }
    List<Double> same = new ArrayList<>();
    List<Double> diff = new ArrayList<>();
    for (int i = 0; i < desc.size(); i++) {
      assertEquals(1.0, IdentitySimilarity.cosine(desc.get(i), desc.get(i)), 1e-6);
      for (int j = i + 1; j < desc.size(); j++) {
        (who.get(i).equals(who.get(j)) ? same : diff)
            .add(IdentitySimilarity.cosine(desc.get(i), desc.get(j)));
      }
    }
    double meanSame = same.stream().mapToDouble(x -> x).average().orElseThrow();
    double meanDiff = diff.stream().mapToDouble(x -> x).average().orElseThrow();
    double wins = 0;
    for (double s : same) {
      for (double d : diff) {
        wins += s > d ? 1 : s == d ? 0.5 : 0;
      }
    }
    double auc = wins / (same.size() * (double) diff.size());
    System.out.printf(Locale.ROOT, "identity cosine on kphotoalbum: %d faces, same person mean"
        + " %.3f (%d pairs), different people mean %.3f (%d pairs), ROC AUC %.3f%n", desc.size(),
        meanSame, same.size(), meanDiff, diff.size(), auc);
    assertTrue(desc.size() >= 12, "faces: " + desc.size());
    assertTrue(meanSame > meanDiff + 0.02, meanSame + " vs " + meanDiff);
    assertTrue(auc >= 0.8, "AUC " + auc);

    // Clips: Jesper's photos in two halves (alternating, so both span the years) against each
    // other and against every other person's photos.
    Map<String, List<float[]>> byPerson = new LinkedHashMap<>();
    for (int i = 0; i < desc.size(); i++) {
      byPerson.computeIfAbsent(who.get(i), k -> new ArrayList<>()).add(desc.get(i));
    }
    List<float[]> jesper = byPerson.get("Jesper");
    List<float[]> a = new ArrayList<>();
    List<float[]> b = new ArrayList<>();
    for (int i = 0; i < jesper.size(); i++) {
      (i % 2 == 0 ? a : b).add(jesper.get(i));
    }
    IdentitySimilarity.Comparison self = IdentitySimilarity.clips(a, b);
    System.out.printf(Locale.ROOT, "clip vs clip: Jesper %d photos vs %d photos: cosine %.3f,"
        + " distance %.3f%n", a.size(), b.size(), self.cosine(), self.distance());
    assertTrue(self.samePerson(), "Jesper's halves: distance " + self.distance());
    for (Map.Entry<String, List<float[]>> e : byPerson.entrySet()) {
      if (e.getKey().equals("Jesper")) {
        continue;
      }
      for (List<float[]> half : List.of(a, b)) {
        IdentitySimilarity.Comparison other = IdentitySimilarity.clips(half, e.getValue());
        System.out.printf(Locale.ROOT, "  Jesper (%d) vs %s (%d): cosine %.3f, distance %.3f%n",
            half.size(), e.getKey(), e.getValue().size(), other.cosine(), other.distance());
        assertTrue(other.cosine() < self.cosine(), e.getKey() + ": " + other.cosine() + " vs "
            + self.cosine());
      }
    }
  }
}
