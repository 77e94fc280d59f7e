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
 * 68 face landmarks (dlib / iBUG 300-W order) from face-api's landmark network, given a face
 * box from the detector. The network was trained on loose detector boxes, so the window is a
 * square around the box enlarged by {@link Params#boxScale}; a second pass (optional) re-centres
 * the window on the first pass's points, the way face-api aligns faces from landmarks, which
 * makes the result depend less on the detector's box.
 */
public final class FaceLandmarker implements AutoCloseable {
  /**
   * @param boxScale window side over the box's larger side (first pass)
   * @param shiftY window centre moved down by this fraction of the box height (first pass)
   * @param refine run a second pass on a window from the first pass's points
   * @param refineScale second-pass window side over the points' larger extent
   */
  public record Params(double boxScale, double shiftY, boolean refine, double refineScale) {
    public static Params defaults() {
      return new Params(1.1, 0.05, true, 1.2);
    }
  }

  private final OnnxNet net;
  private final Params params;
  private final FaceInput.Scratch scratch = new FaceInput.Scratch();

  public FaceLandmarker(Path modelsDir, Device device, Params params)
      throws ProbeException, IOException {
    this.net = new OnnxNet("face_landmark_68", FaceApiModels.landmarkGraph(modelsDir), device);
    this.params = params;
  }

  /**
   * Points for each box ({x0, y0, x1, y1} in source pixels), as 136 floats x0, y0, x1, y1, … in
   * source pixels. One batched network call per pass.
   */
  public float[][] landmarks(Mat bgr, float[][] boxes) throws TranslateException {
    return landmarks(java.util.Collections.nCopies(boxes.length, bgr), boxes);
  }

  /** As above with one box per picture: a batch across frames. */
  public float[][] landmarks(java.util.List<Mat> bgr, float[][] boxes)
      throws TranslateException {
    int n = boxes.length;
    if (n == 0) {
      return new float[0][];
    }
    double[][] windows = new double[n][];
    for (int i = 0; i < n; i++) {
      float[] b = boxes[i];
      double side = params.boxScale() * Math.max(b[2] - b[0], b[3] - b[1]);
      windows[i] = new double[] {(b[0] + b[2]) / 2.0,
          (b[1] + b[3]) / 2.0 + params.shiftY() * (b[3] - b[1]), side};
    }
    float[][] pts = pass(bgr, windows);
    if (params.refine()) {
      for (int i = 0; i < n; i++) {
        windows[i] = window(pts[i], params.refineScale());
      }
      pts = pass(bgr, windows);
    }
    return pts;
  }

  /** The square window around a set of points: centre of their extent, side scaled. */
  public static double[] window(float[] xy, double scale) {
    float minX = Float.MAX_VALUE;
    float minY = Float.MAX_VALUE;
    float maxX = -Float.MAX_VALUE;
    float maxY = -Float.MAX_VALUE;
    for (int k = 0; k < xy.length; k += 2) {
      minX = Math.min(minX, xy[k]);
      maxX = Math.max(maxX, xy[k]);
      minY = Math.min(minY, xy[k + 1]);
      maxY = Math.max(maxY, xy[k + 1]);
    }
    return new double[] {(minX + maxX) / 2.0, (minY + maxY) / 2.0,
        scale * Math.max(maxX - minX, maxY - minY)};
  }

  private float[][] pass(java.util.List<Mat> bgr, double[][] windows) throws TranslateException {
    int side = FaceApiModels.FEATURE_SIDE;
    int n = windows.length;
    float[] input = new float[n * 3 * side * side];
    for (int i = 0; i < n; i++) {
      scratch.put(bgr.get(i), windows[i][0], windows[i][1], windows[i][2], 0, side, 255f, input,
          i);
    }
    float[][] raw = net.run(input, n, 3, side, side);
    float[][] out = new float[n][136];
    for (int i = 0; i < n; i++) {
      double x0 = windows[i][0] - windows[i][2] / 2;
      double y0 = windows[i][1] - windows[i][2] / 2;
      for (int k = 0; k < 68; k++) {
        // Outputs are fractions of the window (face-api scales them by the input side).
        out[i][2 * k] = (float) (x0 + raw[i][2 * k] * windows[i][2]);
        out[i][2 * k + 1] = (float) (y0 + raw[i][2 * k + 1] * windows[i][2]);
      }
    }
    return out;
  }

  @Override
  public void close() {
    net.close();
    scratch.close();
  }
}
