package io.talkset.core.models;

import io.talkset.core.models.TfjsGraphModel.Node;
import io.talkset.core.models.TfjsGraphModel.Port;
import io.talkset.core.models.TfjsGraphModel.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Converts a TensorFlow.js graph model ({@link TfjsGraphModel}) to ONNX with {@link OnnxGraph},
 * op by op, with tfjs's semantics (its {@code tfjs-converter} executors on the CPU backend):
 *
 * <ul>
 *   <li><b>Layout.</b> TensorFlow tensors are NHWC and the ONNX graph keeps TensorFlow's contract
 *       at its edges (inputs and outputs as tfjs sees them). Inside, every 4-D tensor may exist
 *       in TensorFlow's layout, channels-first, or both; a transpose is written only when a
 *       consumer needs the layout that is missing. Convolutions and pools take and give
 *       channels-first; element-wise ops, Pad, and reductions or squeezes whose result order
 *       agrees follow their operands' layout (constants are permuted at conversion time), so a
 *       convolutional trunk costs one transpose at the input and, at most, one per output.
 *   <li><b>Padding.</b> {@code SAME} pads {@code total = max((ceil(in/s) − 1)·s + (k − 1)·d + 1 − in,
 *       0)} with the odd pixel at the end (ONNX {@code SAME_UPPER}); written as explicit pads
 *       when the input's size is known. {@code EXPLICIT} takes {@code explicit_paddings}; pools
 *       ignore padded pixels (max) or leave them out of the count (average), as tfjs does.
 *   <li><b>Fused ops.</b> {@code _FusedConv2D}, {@code FusedDepthwiseConv2dNative} and
 *       {@code _FusedMatMul} carry {@code fused_ops} = [BiasAdd[, activation]] with the bias (and
 *       a PReLU's alpha) as extra inputs; activations Relu, Relu6, Elu, LeakyRelu
 *       ({@code leakyrelu_alpha}), Prelu and Sigmoid.
 *   <li><b>Matrix products.</b> {@code MatMul} and {@code _FusedMatMul} are 2-D, with
 *       {@code transpose_a} and {@code transpose_b}; a constant right operand (a dense layer's
 *       kernel) is multiplied in double and rounded once, like a convolution over its whole
 *       input. {@code Softmax} is over the last axis.
 *   <li><b>Shapes.</b> Negative axes count from the end; {@code Reshape}'s −1 is ONNX's −1;
 *       {@code keep_dims} is honoured; an empty reduction axis list reduces nothing.
 * </ul>
 *
 * <p>An op outside {@link #SUPPORTED} fails the whole import with one line naming the op and the
 * node (and the ops that are supported), before anything is written. Int32 tensors are
 * supported as the constant shapes, axes and paddings these ops take; data flows in float32.
 *
 * <p>To check a converted graph elsewhere: {@code java -cp CLASSPATH
 * io.talkset.core.models.TfjsToOnnx model.json out.onnx} (see {@link #main}).
 */
public final class TfjsToOnnx {
  /** The TensorFlow ops the importer converts. */
  public static final Set<String> SUPPORTED = Set.copyOf(new TreeSet<>(List.of(
      "Placeholder", "Const", "Identity",
      "Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative",
      "MatMul", "_FusedMatMul", "Softmax",
      "MaxPool", "AvgPool", "Pad", "PadV2", "Reshape", "Squeeze",
      "Sum", "Mean", "Max", "Min",
      "Add", "AddV2", "BiasAdd", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "Prelu",
      "Relu", "Relu6", "Elu", "LeakyRelu", "Sigmoid", "Tanh", "Abs", "Neg", "Exp", "Sqrt",
      "Rsqrt", "Square")));

  /** A TensorFlow axis's position in the channels-first layout: N→0, H→2, W→3, C→1. */
  private static final int[] CF_POSITION = {0, 2, 3, 1};
  /** Channels-first axis j is TensorFlow axis TO_CF[j] (the Transpose perm NHWC→NCHW). */
  private static final long[] TO_CF = {0, 3, 1, 2};
  private static final long[] TO_TF = {0, 2, 3, 1};

  private TfjsToOnnx() {}

  /**
   * Writes {@code model.json}'s graph as ONNX: {@code java ... TfjsToOnnx MODEL_JSON OUT_ONNX}.
   * The weight shards must sit next to the JSON file, as tfjs expects.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2 || args[0].equals("--help")) {
      System.err.println("usage: TfjsToOnnx MODEL_JSON OUT_ONNX  (writes the tfjs graph model"
          + " as an ONNX file; supported ops: " + String.join(", ", new TreeSet<>(SUPPORTED))
          + ")");
      System.exit(args.length == 1 && args[0].equals("--help") ? 0 : 2);
    }
    TfjsGraphModel model = TfjsGraphModel.read(Path.of(args[0]));
    byte[] onnx = convert(model);
    Files.write(Path.of(args[1]), onnx);
    System.out.println("wrote " + args[1] + " (" + onnx.length + " bytes): inputs "
        + describe(model.inputs()) + ", outputs " + describe(model.outputs()));
  }

  private static String describe(List<Port> ports) {
    List<String> out = new ArrayList<>();
    for (Port p : ports) {
      out.add(p.name() + (p.shape() == null ? "" : Arrays.toString(p.shape())));
    }
    return String.join(", ", out);
  }

  /** The ONNX model (opset 17); its inputs and outputs are the model's {@link Port}s. */
  public static byte[] convert(TfjsGraphModel model) throws IOException {
    for (Node n : model.nodes()) {
      if (!SUPPORTED.contains(n.op())) {
        throw new IOException("tfjs graph model " + model.file() + ": unsupported op '"
            + n.op() + "' at node '" + n.name() + "' (supported: "
            + String.join(", ", new TreeSet<>(SUPPORTED)) + ")");
      }
    }
    String name = model.file().replaceFirst("\\.json$", "");
    Converter c = new Converter(model, new OnnxGraph(name));
    try {
      return c.run();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IOException("tfjs graph model " + model.file() + ": " + e.getMessage(), e);
    }
  }

  /** One TensorFlow tensor and the ONNX tensors that hold it. */
  private static final class Val {
    final String base;
    /** TensorFlow order (null: not written yet). */
    String tf;
    /** Channels-first, for 4-D tensors (null: not written yet). */
    String cf;
    /** TensorFlow-order shape, −1 for an unknown size. */
    long[] shape;
    /** The value, when it is a constant. */
    Tensor constant;

    Val(String base, long[] shape) {
      this.base = base;
      this.shape = shape;
    }

    int rank() {
      return shape.length;
    }
  }

  private static final class Converter {
    final TfjsGraphModel model;
    final OnnxGraph g;
    final Map<String, Val> vals = new HashMap<>();
    final Set<String> names = new HashSet<>();
    Node node;

    Converter(TfjsGraphModel model, OnnxGraph g) {
      this.model = model;
      this.g = g;
    }

    byte[] run() {
      for (Node n : model.nodes()) {
        node = n;
        try {
          convert(n);
        } catch (IllegalArgumentException | IllegalStateException e) {
          throw new IllegalArgumentException(n.op() + " at node '" + n.name() + "': "
              + e.getMessage(), e);
        }
      }
      node = null;
      for (Port p : model.outputs()) {
        Val v = vals.get(p.tensor());
        if (v == null) {
          throw new IllegalArgumentException("output " + p.name() + " is tensor '"
              + p.tensor() + "', which no node makes");
        }
        String t = tf(v);
        if (!t.equals(p.name())) {
          if (names.contains(p.name())) {
            throw new IllegalArgumentException("output name '" + p.name()
                + "' is also the name of another tensor");
          }
          g.node("Identity", new String[] {t}, new String[] {name(p.name())});
        }
        g.output(p.name(), onnxDims(v.shape));
      }
      return g.toBytes();
    }

    private void convert(Node n) {
      switch (n.op()) {
        case "Placeholder" -> placeholder(n);
        case "Const" -> {
          Tensor t = model.constants().get(n.name());
          if (t == null) {
            throw new IllegalArgumentException("no weight in the manifest");
          }
          Val v = new Val(n.name(), t.shape());
          v.constant = t;
          vals.put(n.name(), v);
        }
        case "Identity" -> vals.put(n.name(), in(0));
        case "Conv2D", "_FusedConv2D" -> conv(n, false);
        case "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative" -> conv(n, true);
        case "MatMul", "_FusedMatMul" -> matMul(n);
        case "Softmax" -> softmax(n);
        case "MaxPool" -> pool(n, "MaxPool");
        case "AvgPool" -> pool(n, "AveragePool");
        case "Pad", "PadV2" -> pad(n);
        case "Reshape" -> reshape(n);
        case "Squeeze" -> squeeze(n);
        case "Sum" -> reduce(n, "ReduceSum");
        case "Mean" -> reduce(n, "ReduceMean");
        case "Max" -> reduce(n, "ReduceMax");
        case "Min" -> reduce(n, "ReduceMin");
        case "Add", "AddV2", "BiasAdd" -> binary(n, "Add");
        case "Sub" -> binary(n, "Sub");
        case "Mul" -> binary(n, "Mul");
        case "RealDiv" -> binary(n, "Div");
        case "Maximum" -> binary(n, "Max");
        case "Minimum" -> binary(n, "Min");
        case "Prelu" -> prelu(n);
        case "Relu" -> unary(n, (x, out) -> g.node("Relu", new String[] {x}, new String[] {out}));
        case "Relu6" -> unary(n, this::relu6);
        case "Elu" -> unary(n, (x, out) -> g.node("Elu", new String[] {x}, new String[] {out}));
        case "LeakyRelu" -> unary(n, (x, out) -> g.node("LeakyRelu", new String[] {x},
            new String[] {out}, "alpha", n.real("alpha", 0.2f)));
        case "Sigmoid" -> unary(n, (x, out) -> simple("Sigmoid", x, out));
        case "Tanh" -> unary(n, (x, out) -> simple("Tanh", x, out));
        case "Abs" -> unary(n, (x, out) -> simple("Abs", x, out));
        case "Neg" -> unary(n, (x, out) -> simple("Neg", x, out));
        case "Exp" -> unary(n, (x, out) -> simple("Exp", x, out));
        case "Sqrt" -> unary(n, (x, out) -> simple("Sqrt", x, out));
        // tfjs computes 1 / sqrt(x); ONNX has no single op for it.
        case "Rsqrt" -> unary(n, (x, out) -> g.node("Reciprocal",
            new String[] {g.op("Sqrt", new String[] {x})}, new String[] {out}));
        case "Square" -> unary(n, (x, out) -> g.node("Mul", new String[] {x, x},
            new String[] {out}));
        default -> throw new IllegalStateException("no conversion for " + n.op());
      }
    }

    private void simple(String op, String x, String out) {
      g.node(op, new String[] {x}, new String[] {out});
    }

    private void relu6(String x, String out) {
      g.node("Clip", new String[] {x, scalar(0f), scalar(6f)}, new String[] {out});
    }

    private String scalar(float v) {
      String s = "tfjs2onnx/const/" + v;
      if (names.add(s)) {
        g.initializer(s, new float[] {v});
      }
      return s;
    }

    // ---- tensors and layouts ----

    private String name(String n) {
      if (!names.add(n)) {
        throw new IllegalStateException("tensor name '" + n + "' used twice");
      }
      return n;
    }

    /** The node's input number {@code i}. */
    private Val in(int i) {
      if (i >= node.inputs().size()) {
        throw new IllegalArgumentException("has " + node.inputs().size() + " inputs, needs "
            + (i + 1));
      }
      String ref = node.inputs().get(i);
      if (ref.startsWith("^")) {
        throw new IllegalArgumentException("input " + i + " is a control dependency");
      }
      String key = TfjsGraphModel.stripIndex(ref);
      if (key.contains(":")) {
        throw new IllegalArgumentException("reads output " + key.substring(key.indexOf(':'))
            + " of a node; only single-output nodes are supported");
      }
      Val v = vals.get(key);
      if (v == null) {
        throw new IllegalArgumentException("input '" + ref + "' is not made before it is read");
      }
      return v;
    }

    private Tensor constantIn(int i, String what) {
      Val v = in(i);
      if (v.constant == null) {
        throw new IllegalArgumentException(what + " must be a constant");
      }
      return v.constant;
    }

    private String initializer(String name, long[] shape, float[] f, int[] ints) {
      name(name);
      return f != null ? g.initializer(name, f, shape) : g.initializerInt32(name, ints, shape);
    }

    /** The tensor in TensorFlow's order, transposing from channels-first if need be. */
    String tf(Val v) {
      if (v.tf == null) {
        if (v.constant != null) {
          v.tf = initializer(v.base, v.shape, v.constant.floats(),
              v.constant.ints());
        } else {
          g.node("Transpose", new String[] {v.cf}, new String[] {name(v.base)}, "perm", TO_TF);
          v.tf = v.base;
        }
      }
      return v.tf;
    }

    /**
     * The 4-D tensor channels-first, transposing if need be; a constant is permuted as it must
     * be to broadcast against a channels-first 4-D tensor.
     */
    String cf(Val v) {
      if (v.rank() != 4 && v.constant == null) {
        throw new IllegalArgumentException("'" + v.base + "' has rank " + v.rank()
            + ", a 4-D tensor is needed");
      }
      if (v.cf == null) {
        if (v.constant != null) {
          v.cf = constantCf(v);
        } else {
          g.node("Transpose", new String[] {v.tf}, new String[] {name(v.base + "#nchw")},
              "perm", TO_CF);
          v.cf = v.base + "#nchw";
        }
      }
      return v.cf;
    }

    /**
     * A constant of rank at most 4 that broadcasts against a 4-D tensor, as it must be to
     * broadcast against that tensor channels-first: leading 1s added, then permuted.
     */
    private String constantCf(Val v) {
      Tensor t = v.constant;
      if (v.rank() > 4) {
        throw new IllegalArgumentException("constant '" + v.base + "' has rank " + v.rank());
      }
      long[] s4 = new long[4];
      Arrays.fill(s4, 1);
      System.arraycopy(v.shape, 0, s4, 4 - v.rank(), v.rank());
      long[] cfShape = {s4[0], s4[3], s4[1], s4[2]};
      int n = t.size();
      float[] f = t.isFloat() ? new float[n] : null;
      int[] ints = t.isFloat() ? null : new int[n];
      int h = (int) s4[1];
      int w = (int) s4[2];
      int c = (int) s4[3];
      for (int b = 0; b < s4[0]; b++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            for (int k = 0; k < c; k++) {
              int from = ((b * h + y) * w + x) * c + k;
              int to = ((b * c + k) * h + y) * w + x;
              if (f != null) {
                f[to] = t.floats()[from];
              } else {
                ints[to] = t.ints()[from];
              }
            }
          }
        }
      }
      return initializer(v.base + "#nchw", cfShape, f, ints);
    }

    /**
     * The tensor's values in TensorFlow's flat order, for consumers that only see the order
     * (Reshape): a channels-first tensor whose height and width are 1 already has it.
     */
    private String flatTf(Val v) {
      if (v.tf == null && v.cf != null && v.rank() == 4 && v.shape[1] == 1 && v.shape[2] == 1) {
        return v.cf;
      }
      return tf(v);
    }

    private Val result(long[] shape) {
      Val v = new Val(node.name(), shape);
      vals.put(node.name(), v);
      return v;
    }

    /** Output named for the node, in the layout given; sets the Val's field. */
    private String out(Val v, boolean channelsFirst) {
      if (channelsFirst) {
        v.cf = name(v.base + "#nchw");
        return v.cf;
      }
      v.tf = name(v.base);
      return v.tf;
    }

    private static long[] onnxDims(long[] shape) {
      long[] d = new long[shape.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = shape[i] >= 0 ? shape[i] : i == 0 ? -1 : OnnxGraph.UNKNOWN;
      }
      return d;
    }

    // ---- ops ----

    private void placeholder(Node n) {
      String dtype = n.type("dtype", "DT_FLOAT");
      if (!dtype.equals("DT_FLOAT")) {
        throw new IllegalArgumentException("input of type " + dtype + "; only DT_FLOAT inputs"
            + " are supported");
      }
      long[] shape = n.shape("shape");
      if (shape == null) {
        throw new IllegalArgumentException("input without a shape");
      }
      g.input(name(n.name()), onnxDims(shape));
      result(shape).tf = n.name();
    }

    interface Emit {
      void to(String in, String out);
    }

    /** An element-wise op on one tensor, in whichever layout the tensor already has. */
    private void unary(Node n, Emit e) {
      Val x = in(0);
      boolean cfirst = x.cf != null && x.rank() == 4;
      String input = cfirst ? x.cf : tf(x);
      Val v = result(x.shape);
      e.to(input, out(v, cfirst));
    }

    /**
     * A broadcasting binary op: channels-first when a 4-D operand already is and every other
     * operand can follow (a 4-D tensor, or a constant of rank ≤ 4), else in TensorFlow's layout.
     */
    private void binary(Node n, String op) {
      Val a = in(0);
      Val b = in(1);
      if (n.op().equals("BiasAdd") && !n.string("data_format", "NHWC").equals("NHWC")) {
        throw new IllegalArgumentException("data_format " + n.string("data_format", "")
            + "; only NHWC is supported");
      }
      boolean anyCf = (a.constant == null && a.cf != null) || (b.constant == null
          && b.cf != null);
      boolean cfirst = anyCf && followsCf(a) && followsCf(b);
      long[] shape = broadcast(a.shape, b.shape);
      String[] ins = cfirst ? new String[] {cf(a), cf(b)} : new String[] {tf(a), tf(b)};
      Val v = result(shape);
      g.node(op, ins, new String[] {out(v, cfirst)});
    }

    /**
     * TensorFlow's Prelu: channels-first with a per-channel constant alpha it becomes
     * {@link #preluByConvolutions}; anything else ONNX's PRelu.
     */
    private void prelu(Node n) {
      Val x = in(0);
      Val a = in(1);
      float[] alpha = perChannel(x, a);
      if (alpha == null) {
        binary(n, "PRelu");
        return;
      }
      Val v = result(x.shape);
      preluByConvolutions(cf(x), alpha, out(v, true));
    }

    /**
     * The alpha of a PReLU on the 4-D tensor {@code x} (channels-first already) as one value per
     * channel, when it is a float constant of one value or one per channel; else null.
     */
    private static float[] perChannel(Val x, Val a) {
      if (x.rank() != 4 || x.cf == null || x.constant != null || a.constant == null
          || !a.constant.isFloat() || x.shape[3] <= 0) {
        return null;
      }
      int c = (int) x.shape[3];
      float[] f = a.constant.floats();
      for (int i = 0; i < a.rank() - 1; i++) {
        if (a.shape[i] != 1) {
          return null;
        }
      }
      if (f.length == c) {
        return f;
      }
      if (f.length == 1) {
        float[] all = new float[c];
        Arrays.fill(all, f[0]);
        return all;
      }
      return null;
    }

    /**
     * PReLU as max(x, 0) + (−alpha) · max(−x, 0): a ReLU, and two 1 × 1 depthwise convolutions
     * (weights −1 with a fused ReLU, then −alpha with the ReLU's output as the sum). ONNX
     * Runtime's PRelu broadcasts its per-channel alpha element by element and has no blocked
     * (NCHWc) kernel, so each one cost a pass of its own plus two layout reorders around it:
     * half of FaceMesh's time. Convolutions and ReLU stay in the blocked layout and take the
     * residual Add before them as their sum. The values are PRelu's bit for bit: for x > 0 the
     * second term is alpha · 0 added to x, for x ≤ 0 the first is 0 and the second is
     * (−alpha)(−x), the one rounding of alpha · x.
     */
    private void preluByConvolutions(String x, float[] alpha, String out) {
      int c = alpha.length;
      float[] minusOne = new float[c];
      float[] minusAlpha = new float[c];
      for (int i = 0; i < c; i++) {
        minusOne[i] = -1f;
        minusAlpha[i] = -alpha[i];
      }
      String base = out.replace("#nchw", "");
      String negOnes = g.initializer(name(base + "#prelu_neg"), minusOne, c, 1, 1, 1);
      String negAlpha = g.initializer(name(base + "#prelu_alpha"), minusAlpha, c, 1, 1, 1);
      Object[] dw = {"kernel_shape", new long[] {1, 1}, "group", (long) c};
      String positive = name(base + "#prelu_pos");
      String flipped = name(base + "#prelu_flip");
      String negative = name(base + "#prelu_negpart");
      String scaled = name(base + "#prelu_scaled");
      g.node("Relu", new String[] {x}, new String[] {positive});
      g.node("Conv", new String[] {x, negOnes}, new String[] {flipped}, dw);
      g.node("Relu", new String[] {flipped}, new String[] {negative});
      g.node("Conv", new String[] {negative, negAlpha}, new String[] {scaled}, dw);
      g.node("Add", new String[] {scaled, positive}, new String[] {out});
    }

    private static boolean followsCf(Val v) {
      return v.constant != null ? v.rank() <= 4 : v.rank() == 4;
    }

    static long[] broadcast(long[] a, long[] b) {
      int r = Math.max(a.length, b.length);
      long[] out = new long[r];
      for (int i = 0; i < r; i++) {
        long x = i < r - a.length ? 1 : a[i - (r - a.length)];
        long y = i < r - b.length ? 1 : b[i - (r - b.length)];
        if (x == 1) {
          out[i] = y;
        } else if (y == 1) {
          out[i] = x;
        } else if (x < 0 || y < 0) {
          out[i] = Math.max(x, y);
        } else if (x == y) {
          out[i] = x;
        } else {
          throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and "
              + Arrays.toString(b) + " do not broadcast");
        }
      }
      return out;
    }

    private static void requireNhwc(Node n) {
      String df = n.string("data_format", "NHWC");
      if (!df.equals("NHWC")) {
        throw new IllegalArgumentException("data_format " + df + "; only NHWC is supported");
      }
    }

    /** [1, a, b, 1] → {a, b}. */
    private static long[] spatial(Node n, String key, long[] fallback) {
      long[] v = n.ints(key, fallback);
      if (v.length != 4 || v[0] != 1 || v[3] != 1) {
        throw new IllegalArgumentException(key + " " + Arrays.toString(v)
            + "; expected [1, h, w, 1]");
      }
      return new long[] {v[1], v[2]};
    }

    /**
     * ONNX pads [top, left, bottom, right] and output sizes for a window of {@code k} with
     * {@code stride} and {@code dil} over {@code in} (−1: unknown); pads null means
     * SAME_UPPER at run time.
     */
    private record Window(long[] pads, long outH, long outW) {}

    private static Window window(Node n, String padding, long inH, long inW, long[] k,
        long[] stride, long[] dil) {
      long[] eff = {(k[0] - 1) * dil[0] + 1, (k[1] - 1) * dil[1] + 1};
      long[] in = {inH, inW};
      long[] pads = new long[4];
      long[] outs = new long[2];
      switch (padding) {
        case "VALID" -> {
          for (int i = 0; i < 2; i++) {
            outs[i] = in[i] < 0 ? -1 : (in[i] - eff[i]) / stride[i] + 1;
          }
        }
        case "SAME" -> {
          for (int i = 0; i < 2; i++) {
            if (in[i] < 0) {
              return new Window(null, -1, -1);
            }
            outs[i] = (in[i] + stride[i] - 1) / stride[i];
            long total = Math.max((outs[i] - 1) * stride[i] + eff[i] - in[i], 0);
            pads[i] = total / 2;
            pads[i + 2] = total - total / 2;
          }
        }
        case "EXPLICIT" -> {
          long[] e = n.ints("explicit_paddings", new long[0]);
          if (e.length != 8 || e[0] != 0 || e[1] != 0 || e[6] != 0 || e[7] != 0) {
            throw new IllegalArgumentException("explicit_paddings " + Arrays.toString(e)
                + "; expected 8 values, none on the batch or channels");
          }
          pads = new long[] {e[2], e[4], e[3], e[5]};
          for (int i = 0; i < 2; i++) {
            outs[i] = in[i] < 0 ? -1
                : (in[i] + pads[i] + pads[i + 2] - eff[i]) / stride[i] + 1;
          }
        }
        default -> throw new IllegalArgumentException("padding '" + padding + "'");
      }
      return new Window(pads, outs[0], outs[1]);
    }

    private static Object[] windowAttributes(Window w, long[] stride, Object... more) {
      List<Object> a = new ArrayList<>(List.of(more));
      a.add("strides");
      a.add(stride);
      if (w.pads() == null) {
        a.add("auto_pad");
        a.add("SAME_UPPER");
      } else {
        a.add("pads");
        a.add(w.pads());
      }
      return a.toArray();
    }

    private void conv(Node n, boolean depthwise) {
      requireNhwc(n);
      Val x = in(0);
      if (x.rank() != 4) {
        throw new IllegalArgumentException("input of rank " + x.rank());
      }
      Val fv = in(1);
      Tensor f = constantIn(1, "the filter");
      long[] stride = spatial(n, "strides", new long[] {1, 1, 1, 1});
      long[] dil = spatial(n, "dilations", new long[] {1, 1, 1, 1});
      if (f.shape().length != 4 || !f.isFloat()) {
        throw new IllegalArgumentException("the filter must be a 4-D float constant");
      }
      int kh = (int) f.shape()[0];
      int kw = (int) f.shape()[1];
      int cin = (int) f.shape()[2];
      int mult = (int) f.shape()[3];
      int outs = depthwise ? cin * mult : mult;
      if (x.shape[3] >= 0 && x.shape[3] != cin) {
        throw new IllegalArgumentException("input has " + x.shape[3] + " channels, the filter "
            + cin);
      }
      Window win = window(n, n.string("padding", "VALID"), x.shape[1], x.shape[2],
          new long[] {kh, kw}, stride, dil);
      Fused fu = fused(n, outs);
      Val bias = fu.bias();
      String activation = fu.activation();
      Val v = result(new long[] {x.shape[0], win.outH(), win.outW(), outs});
      // A window that covers the whole (known) input is a dense layer, typically an output
      // head. Summing its few hundred products in float (tfjs adds them one by one into a
      // Float32Array, ONNX Runtime in its own blocked order) is off the exact sum by up to
      // 1.2e-4 at FaceMesh's pixel outputs (values up to 170); ONNX Runtime has no double Conv
      // but a double MatMul, so the head is one, and our result is the exactly rounded sum.
      boolean dense = !depthwise && win.pads() != null && win.outH() == 1 && win.outW() == 1
          && x.shape[1] == kh && x.shape[2] == kw && dil[0] == 1 && dil[1] == 1
          && Arrays.stream(win.pads()).allMatch(p -> p == 0);
      String target = activation == null ? out(v, !dense) : name(n.name() + "#conv");
      if (dense) {
        dense(n, x, f, fv.base, bias, kh * kw * cin, outs, target);
      } else {
        List<String> convIn = new ArrayList<>(List.of(cf(x),
            filters(f, fv.base, depthwise)));
        if (bias != null) {
          convIn.add(tf(bias));
        }
        Object[] attrs = windowAttributes(win, stride, "kernel_shape", new long[] {kh, kw},
            "dilations", dil, "group", (long) (depthwise ? cin : 1));
        g.node("Conv", convIn.toArray(new String[0]), new String[] {target}, attrs);
      }
      if (activation != null) {
        String o = out(v, !dense);
        switch (activation) {
          case "prelu" -> {
            Val alpha = in(3);
            if (!followsCf(alpha)) {
              throw new IllegalArgumentException("PReLU alpha of rank " + alpha.rank());
            }
            float[] perChannel = dense ? null : perChannel(v, alpha);
            if (perChannel != null) {
              preluByConvolutions(target, perChannel, o);
            } else {
              g.node("PRelu", new String[] {target, dense ? tf(alpha) : cf(alpha)},
                  new String[] {o});
            }
          }
          default -> fusedActivation(n, activation, target, o);
        }
      }
    }

    /** A fused op's bias (null: none) and activation (null: none). */
    private record Fused(Val bias, String activation) {}

    /**
     * The fused ops of {@code n}: [BiasAdd] or [BiasAdd, activation] (or none), the bias being
     * the third input, a constant of {@code outs} values.
     */
    private Fused fused(Node n, long outs) {
      List<String> fused = new ArrayList<>();
      for (String s : n.strings("fused_ops")) {
        fused.add(s.toLowerCase(Locale.ROOT));
      }
      if (fused.isEmpty()) {
        return new Fused(null, null);
      }
      if (!fused.get(0).equals("biasadd") || fused.size() > 2) {
        throw new IllegalArgumentException("fused_ops " + n.strings("fused_ops")
            + "; supported: [BiasAdd] and [BiasAdd, activation]");
      }
      Val b = in(2);
      if (b.constant == null || b.rank() != 1 || b.shape[0] != outs) {
        throw new IllegalArgumentException("the bias must be a constant of " + outs
            + " values");
      }
      return new Fused(b, fused.size() > 1 ? fused.get(1) : null);
    }

    /** A fused activation other than PReLU, from {@code target} into {@code o}. */
    private void fusedActivation(Node n, String activation, String target, String o) {
      switch (activation) {
        case "relu" -> simple("Relu", target, o);
        case "relu6" -> relu6(target, o);
        case "elu" -> simple("Elu", target, o);
        case "sigmoid" -> simple("Sigmoid", target, o);
        case "leakyrelu" -> g.node("LeakyRelu", new String[] {target}, new String[] {o},
            "alpha", n.real("leakyrelu_alpha", 0.2f));
        default -> throw new IllegalArgumentException("fused activation '" + activation
            + "'; supported: Relu, Relu6, Elu, Sigmoid, LeakyRelu, Prelu");
      }
    }

    /**
     * TensorFlow's 2-D MatMul (and _FusedMatMul: then the bias is added in float after the
     * product, and the activation after that, as tfjs does). A constant right operand is
     * multiplied in double and the result rounded to float once, for the reason given at
     * {@link #dense}: a dense layer over a flattened feature map sums thousands of products,
     * and only the exactly rounded sum stays within a small bound of tfjs's float sum whatever
     * order each side adds them in.
     */
    private void matMul(Node n) {
      Val a = in(0);
      Val b = in(1);
      if (a.rank() != 2 || b.rank() != 2) {
        throw new IllegalArgumentException("operands of rank " + a.rank() + " and " + b.rank()
            + "; only 2-D MatMul is supported");
      }
      boolean ta = n.bool("transpose_a", false);
      boolean tb = n.bool("transpose_b", false);
      long rows = ta ? a.shape[1] : a.shape[0];
      long k = ta ? a.shape[0] : a.shape[1];
      long kb = tb ? b.shape[1] : b.shape[0];
      long cols = tb ? b.shape[0] : b.shape[1];
      if (k >= 0 && kb >= 0 && k != kb) {
        throw new IllegalArgumentException("inner sizes " + k + " and " + kb + " differ");
      }
      Fused fu = n.op().equals("_FusedMatMul") ? fused(n, cols) : new Fused(null, null);
      if ("prelu".equals(fu.activation())) {
        throw new IllegalArgumentException("fused activation 'prelu' in a MatMul");
      }
      Val v = result(new long[] {rows, cols});
      String left = tf(a);
      if (ta) {
        left = g.op("Transpose", new String[] {left}, "perm", new long[] {1, 0});
      }
      // The last step writes the node's output; the steps before it, fresh names.
      boolean productLast = fu.bias() == null && fu.activation() == null;
      String o = out(v, false);
      String y;
      if (b.constant != null && b.constant.isFloat() && k > 0 && cols > 0) {
        float[] f = b.constant.floats();
        double[] w = new double[f.length];
        for (int i = 0; i < k; i++) {
          for (int j = 0; j < cols; j++) {
            w[(int) (i * cols + j)] = f[(int) (tb ? j * k + i : i * cols + j)];
          }
        }
        String w64 = name(b.base + (tb ? "#dense64t" : "#dense64"));
        g.initializerDouble(w64, w, k, cols);
        String y64 = g.op("MatMul", new String[] {g.op("Cast", new String[] {left}, "to", 11L),
            w64});
        y = productLast ? o : g.fresh("cast");
        g.node("Cast", new String[] {y64}, new String[] {y}, "to", 1L);
      } else {
        String right = tf(b);
        if (tb) {
          right = g.op("Transpose", new String[] {right}, "perm", new long[] {1, 0});
        }
        y = productLast ? o : g.fresh("matmul");
        g.node("MatMul", new String[] {left, right}, new String[] {y});
      }
      if (fu.bias() != null) {
        String sum = fu.activation() == null ? o : g.fresh("add");
        g.node("Add", new String[] {y, tf(fu.bias())}, new String[] {sum});
        y = sum;
      }
      if (fu.activation() != null) {
        fusedActivation(n, fu.activation(), y, o);
      }
    }

    /** TensorFlow's Softmax, over the last axis, in TensorFlow's layout. */
    private void softmax(Node n) {
      Val x = in(0);
      Val v = result(x.shape);
      g.node("Softmax", new String[] {tf(x)}, new String[] {out(v, false)}, "axis", -1L);
    }

    /**
     * TensorFlow filters [kh, kw, in, out] (depthwise: [kh, kw, c, multiplier], output channel
     * c·multiplier + m) as ONNX's [out, in/group, kh, kw], once per constant.
     */
    private String filters(Tensor f, String base, boolean depthwise) {
      int kh = (int) f.shape()[0];
      int kw = (int) f.shape()[1];
      int cin = (int) f.shape()[2];
      int mult = (int) f.shape()[3];
      int outs = depthwise ? cin * mult : mult;
      int ins = depthwise ? 1 : cin;
      String filters = base + (depthwise ? "#depthwise" : "#oihw");
      if (names.contains(filters)) {
        return filters;
      }
      float[] w = new float[outs * ins * kh * kw];
      for (int y = 0; y < kh; y++) {
        for (int xx = 0; xx < kw; xx++) {
          for (int i = 0; i < cin; i++) {
            for (int m = 0; m < mult; m++) {
              float v = f.floats()[((y * kw + xx) * cin + i) * mult + m];
              int oc = depthwise ? i * mult + m : m;
              int ic = depthwise ? 0 : i;
              w[((oc * ins + ic) * kh + y) * kw + xx] = v;
            }
          }
        }
      }
      return initializer(filters, new long[] {outs, ins, kh, kw}, w, null);
    }

    /**
     * A convolution whose window is its whole input: the products summed in double and rounded
     * to float once, then the bias added in float (as tfjs adds it, after the sum). The TensorFlow filter
     * [kh, kw, in, out] read flat is already the [kh·kw·in, out] matrix for the input's NHWC
     * patch read flat. Writes TensorFlow's layout, N×1×1×out, to {@code target}.
     */
    private void dense(Node n, Val x, Tensor f, String filterName, Val bias, int k, int outs,
        String target) {
      String flatShape = name(n.name() + "#patch_shape");
      g.initializerInt64(flatShape, new long[] {-1, k}, 2);
      String patch = g.op("Reshape", new String[] {tf(x), flatShape});
      String patch64 = g.op("Cast", new String[] {patch}, "to", 11L);
      String w64 = filterName + "#dense64";
      if (names.add(w64)) {
        double[] w = new double[f.floats().length];
        for (int i = 0; i < w.length; i++) {
          w[i] = f.floats()[i];
        }
        g.initializerDouble(w64, w, k, outs);
      }
      String y64 = g.op("MatMul", new String[] {patch64, w64});
      String y = g.op("Cast", new String[] {y64}, "to", 1L);
      if (bias != null) {
        y = g.op("Add", new String[] {y, tf(bias)});
      }
      String outShape = name(n.name() + "#out_shape");
      g.initializerInt64(outShape, new long[] {-1, 1, 1, outs}, 4);
      g.node("Reshape", new String[] {y, outShape}, new String[] {target});
    }

    private void pool(Node n, String op) {
      requireNhwc(n);
      Val x = in(0);
      if (x.rank() != 4) {
        throw new IllegalArgumentException("input of rank " + x.rank());
      }
      long[] k = spatial(n, "ksize", null);
      long[] stride = spatial(n, "strides", new long[] {1, 1, 1, 1});
      String padding = n.string("padding", "VALID");
      if (padding.equals("EXPLICIT")) {
        throw new IllegalArgumentException("EXPLICIT padding in a pool");
      }
      Window win = window(n, padding, x.shape[1], x.shape[2], k, stride, new long[] {1, 1});
      Val v = result(new long[] {x.shape[0], win.outH(), win.outW(), x.shape[3]});
      // tfjs averages over the pixels inside the picture only (ONNX's default count).
      g.node(op, new String[] {cf(x)}, new String[] {out(v, true)},
          windowAttributes(win, stride, "kernel_shape", k));
    }

    private void pad(Node n) {
      Val x = in(0);
      Tensor p = constantIn(1, "the paddings");
      int r = x.rank();
      if (p.size() != 2 * r) {
        throw new IllegalArgumentException("paddings of " + p.size() + " values for rank " + r);
      }
      float value = 0;
      if (n.op().equals("PadV2")) {
        Tensor c = constantIn(2, "the constant value");
        value = (float) c.at(0);
      }
      boolean cfirst = x.cf != null && r == 4;
      long[] pads = new long[2 * r];
      long[] shape = new long[r];
      for (int j = 0; j < r; j++) {
        int axis = cfirst ? (int) TO_CF[j] : j;
        pads[j] = (long) p.at(2 * axis);
        pads[j + r] = (long) p.at(2 * axis + 1);
      }
      for (int i = 0; i < r; i++) {
        shape[i] = x.shape[i] < 0 ? -1 : x.shape[i] + (long) p.at(2 * i) + (long) p.at(2 * i + 1);
      }
      if (cfirst && value == 0 && x.shape[3] > 0 && channelsOnlyAtEnd(pads)) {
        Val v = result(shape);
        channelPad(x.cf, (int) x.shape[3], (int) shape[3], out(v, true));
        return;
      }
      String padsName = name(n.name() + "#pads");
      g.initializerInt64(padsName, pads, pads.length);
      String input = cfirst ? x.cf : tf(x);
      Val v = result(shape);
      g.node("Pad", new String[] {input, padsName, scalar(value)},
          new String[] {out(v, cfirst)}, "mode", "constant");
    }

    /** Channels-first pads [n0, c0, h0, w0, n1, c1, h1, w1] that add channels at the end only. */
    private static boolean channelsOnlyAtEnd(long[] pads) {
      for (int i = 0; i < pads.length; i++) {
        if (i != 5 && pads[i] != 0) {
          return false;
        }
      }
      return pads[5] > 0;
    }

    /**
     * Zero channels appended to a channels-first tensor (MediaPipe's residual "channel
     * padding"), as a 1 × 1 convolution whose weights copy each input channel and give the new
     * ones nothing: ONNX Runtime's Pad has no blocked (NCHWc) kernel, so it broke the blocked
     * layout for every block after it. Exact: each output is 1 · x plus zeros, or zeros.
     */
    private void channelPad(String x, int in, int out, String o) {
      float[] w = new float[out * in];
      for (int c = 0; c < in; c++) {
        w[c * in + c] = 1f;
      }
      String base = o.replace("#nchw", "");
      String weights = g.initializer(name(base + "#pad_weights"), w, out, in, 1, 1);
      g.node("Conv", new String[] {x, weights}, new String[] {o}, "kernel_shape",
          new long[] {1, 1});
    }

    private void reshape(Node n) {
      Val x = in(0);
      Tensor s = constantIn(1, "the shape");
      long[] target = new long[s.size()];
      long known = 1;
      int free = -1;
      for (int i = 0; i < target.length; i++) {
        target[i] = (long) s.at(i);
        if (target[i] == -1) {
          free = i;
        } else {
          known *= target[i];
        }
      }
      long[] shape = target.clone();
      long total = 1;
      for (long d : x.shape) {
        total = d < 0 || total < 0 ? -1 : total * d;
      }
      if (free >= 0 && total >= 0 && known > 0) {
        shape[free] = total / known;
      }
      String shapeName = name(n.name() + "#shape");
      g.initializerInt64(shapeName, target, target.length);
      Val v = result(shape);
      boolean zero = Arrays.stream(target).anyMatch(d -> d == 0);
      // TensorFlow's 0 is a size of 0; ONNX's, unless told otherwise, copies the input's size.
      if (zero) {
        g.node("Reshape", new String[] {flatTf(x), shapeName}, new String[] {out(v, false)},
            "allowzero", 1L);
      } else {
        g.node("Reshape", new String[] {flatTf(x), shapeName}, new String[] {out(v, false)});
      }
    }

    private static int axis(long a, int rank) {
      long axis = a < 0 ? a + rank : a;
      if (axis < 0 || axis >= rank) {
        throw new IllegalArgumentException("axis " + a + " out of range for rank " + rank);
      }
      return (int) axis;
    }

    /**
     * Whether a channels-first tensor, with {@code dropped} TensorFlow axes removed, lists the
     * rest in TensorFlow's order (then an op that drops them can run channels-first and give
     * TensorFlow's result as it is).
     */
    private static boolean keepsOrder(boolean[] dropped) {
      int last = -1;
      for (int j = 0; j < 4; j++) {
        int tfAxis = (int) TO_CF[j];
        if (!dropped[tfAxis]) {
          if (tfAxis < last) {
            return false;
          }
          last = tfAxis;
        }
      }
      return true;
    }

    private void squeeze(Node n) {
      Val x = in(0);
      int r = x.rank();
      long[] dims = n.ints("squeeze_dims", new long[0]);
      boolean[] dropped = new boolean[r];
      if (dims.length == 0) {
        for (int i = 0; i < r; i++) {
          if (x.shape[i] < 0) {
            throw new IllegalArgumentException("squeezing every 1 needs a known shape, not "
                + Arrays.toString(x.shape));
          }
          dropped[i] = x.shape[i] == 1;
        }
      } else {
        for (long d : dims) {
          int a = axis(d, r);
          if (x.shape[a] > 1) {
            throw new IllegalArgumentException("cannot squeeze axis " + a + " of size "
                + x.shape[a]);
          }
          dropped[a] = true;
        }
      }
      boolean cfirst = x.tf == null && x.cf != null && r == 4 && keepsOrder(dropped);
      List<Long> axes = new ArrayList<>();
      List<Long> shape = new ArrayList<>();
      for (int i = 0; i < r; i++) {
        if (dropped[i]) {
          axes.add((long) (cfirst ? CF_POSITION[i] : i));
        } else {
          shape.add(x.shape[i]);
        }
      }
      long[] ax = axes.stream().mapToLong(Long::longValue).sorted().toArray();
      String axesName = name(n.name() + "#axes");
      g.initializerInt64(axesName, ax, ax.length);
      Val v = result(shape.stream().mapToLong(Long::longValue).toArray());
      g.node("Squeeze", new String[] {cfirst ? x.cf : tf(x), axesName},
          new String[] {out(v, false)});
    }

    private void reduce(Node n, String op) {
      Val x = in(0);
      Tensor a = constantIn(1, "the reduction axes");
      int r = x.rank();
      boolean keep = n.bool("keep_dims", false);
      boolean[] dropped = new boolean[r];
      for (int i = 0; i < a.size(); i++) {
        dropped[axis((long) a.at(i), r)] = true;
      }
      long[] shape;
      List<Long> s = new ArrayList<>();
      for (int i = 0; i < r; i++) {
        if (!dropped[i]) {
          s.add(x.shape[i]);
        } else if (keep) {
          s.add(1L);
        }
      }
      shape = s.stream().mapToLong(Long::longValue).toArray();
      if (a.size() == 0) {
        // TensorFlow reduces nothing over an empty axis list (ONNX would reduce everything).
        vals.put(n.name(), x);
        return;
      }
      boolean cfirst = x.tf == null && x.cf != null && r == 4 && (keep || keepsOrder(dropped));
      List<Long> axes = new ArrayList<>();
      for (int i = 0; i < r; i++) {
        if (dropped[i]) {
          axes.add((long) (cfirst ? CF_POSITION[i] : i));
        }
      }
      long[] ax = axes.stream().mapToLong(Long::longValue).sorted().toArray();
      Val v = result(shape);
      String input = cfirst ? x.cf : tf(x);
      String o = out(v, cfirst && keep);
      // Opset 17: ReduceSum takes its axes as an input, the other reductions as an attribute.
      if (op.equals("ReduceSum")) {
        String axesName = name(n.name() + "#axes");
        g.initializerInt64(axesName, ax, ax.length);
        g.node(op, new String[] {input, axesName}, new String[] {o}, "keepdims", keep ? 1L : 0L);
      } else {
        g.node(op, new String[] {input}, new String[] {o}, "axes", ax, "keepdims",
            keep ? 1L : 0L);
      }
    }
  }
}
