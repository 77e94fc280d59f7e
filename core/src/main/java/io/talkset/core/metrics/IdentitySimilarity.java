package io.talkset.core.metrics;

import io.talkset.core.faceparams.FaceDescriptors;
import java.util.List;

/**
 * Identity similarity between two faces or two clips from face-api's 128-d descriptors
 * ({@link FaceDescriptors}): the cosine the talking-head papers report (CSIM, 1 = same
 * direction), and the Euclidean distance face-api and dlib decide with (same person below
 * {@link FaceDescriptors#SAME_PERSON}, 0.6). A clip is compared through the mean of its frames'
 * descriptors, which averages out pose and expression.
 */
public final class IdentitySimilarity {
  /** Both figures for one comparison. */
  public record Comparison(double cosine, double distance) {
    /** face-api's decision: distance under 0.6. */
    public boolean samePerson() {
      return distance < FaceDescriptors.SAME_PERSON;
    }
  }

  private IdentitySimilarity() {}

  /** Two descriptors (two crops, or two clips' means). */
  public static Comparison compare(float[] a, float[] b) {
    check(a, b);
    return new Comparison(FaceDescriptors.cosine(a, b), FaceDescriptors.distance(a, b));
  }

  /** Cosine of two descriptors; NaN when either is all zeros. */
  public static double cosine(float[] a, float[] b) {
    check(a, b);
    return FaceDescriptors.cosine(a, b);
  }

  /**
   * Two face crops, each with its 68 points in its own pixels: both described by {@code net}
   * (one batch), then compared.
   */
  public static Comparison crops(FaceDescriptors net, org.bytedeco.opencv.opencv_core.Mat a,
      float[] pointsA, org.bytedeco.opencv.opencv_core.Mat b, float[] pointsB)
      throws ai.djl.translate.TranslateException {
    float[][] d = net.describe(List.of(a, b), new float[][] {pointsA, pointsB});
    return compare(d[0], d[1]);
  }

  /** Two clips: the cosine and distance of their mean descriptors. */
  public static Comparison clips(List<float[]> a, List<float[]> b) {
    if (a.isEmpty() || b.isEmpty()) {
      throw new IllegalArgumentException("a clip without descriptors (" + a.size() + " and "
          + b.size() + ")");
    }
    return compare(FaceDescriptors.mean(a), FaceDescriptors.mean(b));
  }

  private static void check(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("descriptors differ in length: " + a.length + " and "
          + b.length);
    }
  }
}
