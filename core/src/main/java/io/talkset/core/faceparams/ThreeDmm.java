package io.talkset.core.faceparams;

import ai.djl.Device;
import ai.djl.translate.TranslateException;
import io.talkset.core.models.OnnxNet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The 3DMM slot: any ONNX or TorchScript regressor (told apart by the file's content:
 * TorchScript files are zip archives) with Deep3DFaceRecon's contract, a 224 × 224 RGB crop
 * aligned from five landmarks ({@link Align5}) as N×3×224×224 floats in [0, 1] in, 257
 * coefficients out, split into Deep3DFaceRecon's named parts ({@link Coeffs257}).
 */
public final class ThreeDmm implements AutoCloseable {
  public static final int SIDE = Align5.SIZE;
  public static final int COEFFICIENTS = Coeffs257.LENGTH;

  private final OnnxNet net;

  /** {@code model}: an ONNX graph (ONNX Runtime) or a TorchScript archive (PyTorch). */
  public ThreeDmm(byte[] model, Device device) throws IOException {
    this.net = OnnxNet.isTorchScript(model)
        ? OnnxNet.torchScript("threedmm", model, device)
        : new OnnxNet("threedmm", model, device);
  }

  /** Which engine runs the regressor: "PyTorch" for TorchScript, else "OnnxRuntime". */
  public static String engineFor(byte[] model) {
    return OnnxNet.isTorchScript(model) ? "PyTorch" : "OnnxRuntime";
  }

  /** The aligned network input for one picture, written at item {@code index} of {@code dst}. */
  public static void input(Mat bgr, float[] landmarks68, float[] dst, int index) {
    Align5.Transform t = Align5.fit(Align5.fromDlib68(landmarks68), bgr.cols(), bgr.rows());
    try (Mat out = Align5.crop(bgr, t)) {
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
