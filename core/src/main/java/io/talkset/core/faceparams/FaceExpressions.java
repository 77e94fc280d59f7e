package io.talkset.core.faceparams;

import ai.djl.Device;
import ai.djl.translate.TranslateException;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.models.FaceApiModels;
import io.talkset.core.models.OnnxNet;
import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * face-api's expression network: probabilities of {@link FaceApiModels#EXPRESSIONS} for each
 * face, from the face-api-style aligned window (the landmarks' extent padded by 20 %).
 */
public final class FaceExpressions implements AutoCloseable {
  /** face-api pads the landmarks' bounding box by this fraction of its size before cropping. */
  public static final double ALIGN_SCALE = 1.2;
  private final OnnxNet net;
  private final FaceInput.Scratch scratch = new FaceInput.Scratch();

  public FaceExpressions(Path modelsDir, Device device) throws ProbeException, IOException {
    this.net = new OnnxNet("face_expression", FaceApiModels.expressionGraph(modelsDir), device);
  }

  /** Seven probabilities per face, given its 68 points in source pixels. */
  public float[][] probabilities(Mat bgr, float[][] landmarks) throws TranslateException {
    return probabilities(java.util.Collections.nCopies(landmarks.length, bgr), landmarks);
  }

  /** As above with one face per picture: a batch across frames. */
  public float[][] probabilities(java.util.List<Mat> bgr, float[][] landmarks)
      throws TranslateException {
    int n = landmarks.length;
    if (n == 0) {
      return new float[0][];
    }
    int side = FaceApiModels.FEATURE_SIDE;
    float[] input = new float[n * 3 * side * side];
    for (int i = 0; i < n; i++) {
      double[] w = FaceLandmarker.window(landmarks[i], ALIGN_SCALE);
      scratch.put(bgr.get(i), w[0], w[1], w[2], 0, side, 255f, input, i);
    }
    return net.run(input, n, 3, side, side);
  }

  /** Index of the most likely class. */
  public static int argmax(float[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) {
      if (p[i] > p[best]) {
        best = i;
      }
    }
    return best;
  }

  @Override
  public void close() {
    net.close();
    scratch.close();
  }
}
