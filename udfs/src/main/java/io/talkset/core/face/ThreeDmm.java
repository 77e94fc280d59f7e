package io.talkset.core.face;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import ai.djl.Device;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The 3DMM slot: any ONNX regressor with Deep3DFaceRecon's contract, a 224 × 224 RGB crop
 * aligned from five landmarks ({@link Align5}) as N×3×224×224 floats in [0, 1] in, 257
 * coefficients out, split into Deep3DFaceRecon's named parts.
 */
public final class ThreeDmm implements AutoCloseable {
  public static final int SIDE = 224;
  public static final int COEFFICIENTS = 257;
  /** Index ranges [from, to) of the parts in the 257 outputs. */
  public static final int[] ID = {0, 80};
  public static final int[] EXP = {80, 144};
  public static final int[] TEX = {144, 224};
  public static final int[] ANGLES = {224, 227};
  public static final int[] GAMMA = {227, 254};
  public static final int[] TRANS = {254, 257};

  private final OnnxNet net;

  public ThreeDmm(byte[] onnx, Device device) throws IOException {
    this.net = new OnnxNet("threedmm", onnx, device);
  }

  /** The aligned network input for one picture, written at item {@code index} of {@code dst}. */
  public static void input(Mat bgr, float[] landmarks68, float[] dst, int index) {
    double[] a = Align5.affine(Align5.fromLandmarks68(landmarks68), bgr.cols(), bgr.rows());
    try (Mat m = new Mat(2, 3, CV_64F); Mat out = new Mat();
        DoubleIndexer ix = m.createIndexer()) {
      ix.put(0, 0, a[0], a[1], a[2]);
      ix.put(1, 0, a[3], a[4], a[5]);
      warpAffine(bgr, out, m, new Size(SIDE, SIDE), INTER_LINEAR, BORDER_CONSTANT,
          new Scalar(0, 0, 0, 0));
      int plane = SIDE * SIDE;
      int base = index * 3 * plane;
      try (UByteIndexer px = out.createIndexer()) {
        for (int y = 0; y < SIDE; y++) {
          for (int x = 0; x < SIDE; x++) {
            int p = y * SIDE + x;
            dst[base + p] = px.get(y, x, 2) / 255f;
            dst[base + plane + p] = px.get(y, x, 1) / 255f;
            dst[base + 2 * plane + p] = px.get(y, x, 0) / 255f;
          }
        }
      }
    }
  }

  /** 257 coefficients per picture, one face each (68 points in that picture's pixels). */
  public List<float[]> coefficients(List<Mat> bgr, List<float[]> landmarks68)
      throws TranslateException {
    int n = bgr.size();
    List<float[]> out = new ArrayList<>(n);
    if (n == 0) {
      return out;
    }
    float[] input = new float[n * 3 * SIDE * SIDE];
    for (int i = 0; i < n; i++) {
      input(bgr.get(i), landmarks68.get(i), input, i);
    }
    float[][] y = net.run(input, n, 3, SIDE, SIDE);
    for (float[] c : y) {
      if (c.length != COEFFICIENTS) {
        throw new IllegalStateException("the 3DMM model gives " + c.length
            + " values per face, not Deep3DFaceRecon's 257");
      }
      out.add(c);
    }
    return out;
  }

  @Override
  public void close() {
    net.close();
  }
}
