package io.talkset.testing;

import io.talkset.core.models.OnnxGraph;

/** Small ONNX models with known weights, built by the tests themselves. */
public final class TestModels {
  private TestModels() {}

  /**
   * A stand-in 3DMM regressor with Deep3DFaceRecon's contract (N×3×224×224 in, N×257 out):
   * coefficient k = {@code weight[k]} × input value number {@code index[k]} (flattened C, H, W)
   * + {@code bias[k]}, so every output can be predicted exactly from the aligned input.
   */
  public static byte[] threeDmm(long[] index, float[] weight, float[] bias) {
    OnnxGraph g = new OnnxGraph("test_3dmm");
    g.input("image", -1, 3, 224, 224);
    String shape = g.initializerInt64("shape", new long[] {-1, 3L * 224 * 224}, 2);
    String flat = g.op("Reshape", new String[] {"image", shape});
    String idx = g.initializerInt64("index", index, index.length);
    String picked = g.op("Gather", new String[] {flat, idx}, "axis", 1);
    String w = g.initializer("weight", weight, weight.length);
    String b = g.initializer("bias", bias, bias.length);
    String scaled = g.op("Mul", new String[] {picked, w});
    g.node("Add", new String[] {scaled, b}, new String[] {"coefficients"});
    g.output("coefficients", -1, 257);
    return g.toBytes();
  }
}
