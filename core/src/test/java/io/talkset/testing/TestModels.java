package io.talkset.testing;

import io.talkset.core.models.OnnxGraph;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

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

  /**
   * The same stand-in as {@link #threeDmm} as a TorchScript module, scripted and saved at test
   * time by Debian's python3-torch (a {@code torch.jit.save} zip archive); {@code tmp} holds the
   * script and the weights.
   */
  public static byte[] threeDmmTorchScript(long[] index, float[] weight, float[] bias, Path tmp)
      throws IOException {
    ByteBuffer bb = ByteBuffer.allocate(index.length * 8 + weight.length * 4 + bias.length * 4)
        .order(ByteOrder.LITTLE_ENDIAN);
    for (long v : index) {
      bb.putLong(v);
    }
    for (float v : weight) {
      bb.putFloat(v);
    }
    for (float v : bias) {
      bb.putFloat(v);
    }
    Path weights = tmp.resolve("threedmm_weights.bin");
    Files.write(weights, bb.array());
    Path out = tmp.resolve("threedmm.pt");
    Path script = tmp.resolve("threedmm_torchscript.py");
    Files.writeString(script, String.join("\n",
        "import sys, numpy as np, torch",
        "n = " + index.length,
        "raw = open(sys.argv[1], 'rb').read()",
        "index = torch.from_numpy(np.frombuffer(raw, '<i8', n, 0).copy())",
        "weight = torch.from_numpy(np.frombuffer(raw, '<f4', n, 8 * n).copy())",
        "bias = torch.from_numpy(np.frombuffer(raw, '<f4', n, 12 * n).copy())",
        "class M(torch.nn.Module):",
        "    def __init__(self):",
        "        super().__init__()",
        "        self.register_buffer('index', index)",
        "        self.register_buffer('weight', weight)",
        "        self.register_buffer('bias', bias)",
        "    def forward(self, image: torch.Tensor) -> torch.Tensor:",
        "        flat = image.reshape(image.shape[0], -1)",
        "        return flat.index_select(1, self.index) * self.weight + self.bias",
        "torch.jit.save(torch.jit.script(M().eval()), sys.argv[2])",
        ""));
    Tools.run(Python.debian().toString(), script.toString(), weights.toString(), out.toString());
    return Files.readAllBytes(out);
  }
}
