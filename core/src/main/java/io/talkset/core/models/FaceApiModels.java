package io.talkset.core.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.models.ModelFiles;
import io.talkset.core.models.OnnxGraph;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * face-api's landmark, expression and recognition networks (npm {@code @vladmandic/face-api},
 * MIT), rebuilt as ONNX graphs from the published weights: each network's manifest lists its
 * tensors (TensorFlow layouts, mostly uint8-quantized with a scale and minimum) in the order they
 * sit in the {@code .bin} file. The graphs are our own rendering of the published architectures,
 * so no tfjs and no Node run anywhere; both files are checked against their SHA-256 pins first.
 *
 * <p>Inputs are NCHW float RGB, already normalized as face-api does: {@code (pixel − mean) / 255}
 * with the per-channel {@link #MEAN_RGB}. The batch dimension is free.
 */
public final class FaceApiModels {
  public static final String LANDMARKS = "face-api/face_landmark_68_model";
  public static final String EXPRESSION = "face-api/face_expression_model";
  public static final String RECOGNITION = "face-api/face_recognition_model";
  /** face-api's per-channel mean, subtracted before dividing by 255. */
  public static final float[] MEAN_RGB = {122.782f, 117.001f, 104.298f};
  /** Input side of the landmark and expression networks. */
  public static final int FEATURE_SIDE = 112;
  /** Input side of the recognition network. */
  public static final int RECOGNITION_SIDE = 150;
  /** The expression classes, in the network's output order. */
  public static final String[] EXPRESSIONS =
      {"neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"};

  private FaceApiModels() {}

  /** One dequantized tensor in its TensorFlow shape. */
  record Tensor(int[] shape, float[] data) {}

  /** The tensors of one network, by name, after both files matched their pins. */
  static Map<String, Tensor> weights(Path modelsDir, String base) throws ProbeException {
    Path manifest = ModelFiles.verified(modelsDir, base + "-weights_manifest.json");
    Path bin = ModelFiles.verified(modelsDir, base + ".bin");
    try {
      JsonArray groups = JsonParser.parseString(Files.readString(manifest,
          StandardCharsets.UTF_8)).getAsJsonArray();
      ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(bin)).order(ByteOrder.LITTLE_ENDIAN);
      Map<String, Tensor> out = new HashMap<>();
      for (JsonElement g : groups) {
        for (JsonElement e : g.getAsJsonObject().getAsJsonArray("weights")) {
          JsonObject w = e.getAsJsonObject();
          JsonArray dims = w.getAsJsonArray("shape");
          int[] shape = new int[dims.size()];
          int n = 1;
          for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i).getAsInt();
            n *= shape[i];
          }
          float[] data = new float[n];
          JsonObject q = w.has("quantization") ? w.getAsJsonObject("quantization") : null;
          if (q != null) {
            if (!"uint8".equals(q.get("dtype").getAsString())) {
              throw new IOException("unsupported quantization " + q);
            }
            double scale = q.get("scale").getAsDouble();
            double min = q.get("min").getAsDouble();
            for (int i = 0; i < n; i++) {
              data[i] = (float) ((bytes.get() & 0xFF) * scale + min);
            }
          } else {
            for (int i = 0; i < n; i++) {
              data[i] = bytes.getFloat();
            }
          }
          out.put(w.get("name").getAsString(), new Tensor(shape, data));
        }
      }
      if (bytes.hasRemaining()) {
        throw new IOException(bytes.remaining() + " bytes left after the last tensor");
      }
      return out;
    } catch (IOException | RuntimeException e) {
      throw new ProbeException(ErrorCodes.MODEL_MISMATCH, "cannot read face-api weights " + base
          + ": " + e.getMessage(), e);
    }
  }

  /** Landmarks: N×3×112×112 → "landmarks" N×136, (x, y) per point in [0, 1] of the input. */
  public static byte[] landmarkGraph(Path modelsDir) throws ProbeException {
    return landmarkGraph(modelsDir, false);
  }

  /**
   * As {@link #landmarkGraph(Path)}; with {@code faceApiSums} the dense blocks add their
   * outputs in face-api's own order (the reference the running sums are tested against).
   */
  static byte[] landmarkGraph(Path modelsDir, boolean faceApiSums) throws ProbeException {
    Map<String, Tensor> w = weights(modelsDir, LANDMARKS);
    Builder b = new Builder("face_landmark_68", w);
    b.faceApiSums = faceApiSums;
    String features = b.featureExtractor("input");
    b.g.node("Gemm", new String[] {features, b.constant("fc/weights"), b.constant("fc/bias")},
        new String[] {"landmarks"});
    b.g.output("landmarks", -1, 136);
    return b.g.toBytes();
  }

  /** Expressions: N×3×112×112 → "expressions" N×7 probabilities (softmax), {@link #EXPRESSIONS}. */
  public static byte[] expressionGraph(Path modelsDir) throws ProbeException {
    return expressionGraph(modelsDir, false);
  }

  /** As {@link #expressionGraph(Path)}, in face-api's order of additions when asked. */
  static byte[] expressionGraph(Path modelsDir, boolean faceApiSums) throws ProbeException {
    Map<String, Tensor> w = weights(modelsDir, EXPRESSION);
    Builder b = new Builder("face_expression", w);
    b.faceApiSums = faceApiSums;
    String features = b.featureExtractor("input");
    String logits = b.g.op("Gemm",
        new String[] {features, b.constant("fc/weights"), b.constant("fc/bias")});
    b.g.node("Softmax", new String[] {logits}, new String[] {"expressions"}, "axis", 1);
    b.g.output("expressions", -1, 7);
    return b.g.toBytes();
  }

  /** Identity: N×3×150×150 → "descriptor" N×128 (not normalized; face-api compares by L2). */
  public static byte[] recognitionGraph(Path modelsDir) throws ProbeException {
    Map<String, Tensor> w = weights(modelsDir, RECOGNITION);
    Builder b = new Builder("face_recognition", w);
    b.g.input("input", -1, 3, RECOGNITION_SIDE, RECOGNITION_SIDE);
    int side = RECOGNITION_SIDE;
    String x = b.convScale("input", "conv32_down", 2, false, true);
    side = (side - 7) / 2 + 1;
    x = b.g.op("MaxPool", new String[] {x}, "kernel_shape", new long[] {3, 3},
        "strides", new long[] {2, 2});
    side = (side - 3) / 2 + 1;
    int channels = 32;
    String[][] stages = {
        {"conv32_1", "conv32_2", "conv32_3"},
        {"conv64_down", "conv64_1", "conv64_2", "conv64_3"},
        {"conv128_down", "conv128_1", "conv128_2"},
        {"conv256_down", "conv256_1", "conv256_2"},
        {"conv256_down_out"}};
    for (String[] stage : stages) {
      for (String block : stage) {
        if (block.contains("_down")) {
          int outChannels = w.get(block + "/conv1/conv/filters").shape()[3];
          x = b.residualDown(x, block, side, channels, outChannels);
          side = side / 2;
          channels = outChannels;
        } else {
          x = b.residual(x, block);
        }
      }
    }
    String pooled = b.g.op("GlobalAveragePool", new String[] {x});
    String flat = b.g.op("Flatten", new String[] {pooled}, "axis", 1);
    b.g.node("MatMul", new String[] {flat, b.constant("fc")}, new String[] {"descriptor"});
    b.g.output("descriptor", -1, 128);
    return b.g.toBytes();
  }

  /** Graph assembly over one network's tensors; converts TensorFlow layouts to ONNX's. */
  private static final class Builder {
    final OnnxGraph g;
    final Map<String, Tensor> w;
    boolean faceApiSums;

    Builder(String name, Map<String, Tensor> w) {
      this.g = new OnnxGraph(name);
      this.w = w;
    }

    Tensor t(String name) {
      Tensor t = w.get(name);
      if (t == null) {
        throw new IllegalStateException("face-api weights have no tensor " + name);
      }
      return t;
    }

    /** A tensor as-is (biases, dense weights [in, out]). */
    String constant(String name) {
      Tensor t = t(name);
      long[] dims = new long[t.shape().length];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = t.shape()[i];
      }
      return g.initializer(name, t.data(), dims);
    }

    /** TensorFlow filters [kh, kw, in, out] (or depthwise [kh, kw, c, 1]) as ONNX [out, in, kh, kw]. */
    String filters(String name, boolean depthwise) {
      Tensor t = t(name);
      int kh = t.shape()[0];
      int kw = t.shape()[1];
      int cin = t.shape()[2];
      int cout = t.shape()[3];
      int outs = depthwise ? cin : cout;
      int ins = depthwise ? 1 : cin;
      float[] o = new float[outs * ins * kh * kw];
      for (int y = 0; y < kh; y++) {
        for (int x = 0; x < kw; x++) {
          for (int i = 0; i < cin; i++) {
            for (int c = 0; c < cout; c++) {
              float v = t.data()[((y * kw + x) * cin + i) * cout + c];
              int oc = depthwise ? i : c;
              int ic = depthwise ? 0 : i;
              o[((oc * ins + ic) * kh + y) * kw + x] = v;
            }
          }
        }
      }
      return g.initializer(name, o, outs, ins, kh, kw);
    }

    /** Bias [c] as [1, c, 1, 1] for broadcasting over NCHW. */
    String channelVector(String name) {
      Tensor t = t(name);
      return g.initializer(name, t.data(), 1, t.data().length, 1, 1);
    }

    /** TensorFlow "same" padding puts the odd pixel at the end, as ONNX's SAME_UPPER does. */
    String conv(String x, String filters, String bias, int stride, int group, boolean same) {
      String[] in = bias == null ? new String[] {x, filters} : new String[] {x, filters, bias};
      return g.op("Conv", in, "strides", new long[] {stride, stride}, "group", group,
          "auto_pad", same ? "SAME_UPPER" : "VALID");
    }

    String separable(String x, String p, int stride) {
      int c = t(p + "/depthwise_filter").shape()[2];
      String dw = conv(x, filters(p + "/depthwise_filter", true), null, stride, c, true);
      return conv(dw, filters(p + "/pointwise_filter", false), constant(p + "/bias"), 1, 1, true);
    }

    String relu(String x) {
      return g.op("Relu", new String[] {x});
    }

    String add(String a, String b) {
      return g.op("Add", new String[] {a, b});
    }

    /**
     * face-api's dense block: four convolutions, each fed the sum of the previous outputs.
     * face-api adds right to left (out1 + (out2 + (out3 + out4))), six additions over whole
     * feature maps, and ONNX Runtime fuses few of them; here the sums run left to right, each
     * the next convolution's output plus the sum so far, which ONNX Runtime folds into that
     * convolution (its sum input): no separate addition is left, and the landmark and
     * expression networks take about a quarter less time. Only the rounding of float32
     * additions differs (FaceApiModelsTest: outputs within 1e-5 of the window).
     */
    String denseBlock(String x, String p, boolean first) {
      String out1 = relu(first
          ? conv(x, filters(p + "/conv0/filters", false), constant(p + "/conv0/bias"), 2, 1, true)
          : separable(x, p + "/conv0", 2));
      if (faceApiSums) {
        String out2 = separable(out1, p + "/conv1", 1);
        String in3 = relu(add(out1, out2));
        String out3 = separable(in3, p + "/conv2", 1);
        String in4 = relu(add(out1, add(out2, out3)));
        String out4 = separable(in4, p + "/conv3", 1);
        return relu(add(out1, add(out2, add(out3, out4))));
      }
      String s12 = add(separable(out1, p + "/conv1", 1), out1);
      String s123 = add(separable(relu(s12), p + "/conv2", 1), s12);
      return relu(add(separable(relu(s123), p + "/conv3", 1), s123));
    }

    /** 112 → 56 → 28 → 14 → 7, then a 7×7 average: N×256 features. */
    String featureExtractor(String input) {
      g.input(input, -1, 3, FEATURE_SIDE, FEATURE_SIDE);
      String x = denseBlock(input, "dense0", true);
      x = denseBlock(x, "dense1", false);
      x = denseBlock(x, "dense2", false);
      x = denseBlock(x, "dense3", false);
      x = g.op("AveragePool", new String[] {x}, "kernel_shape", new long[] {7, 7},
          "strides", new long[] {2, 2});
      return g.op("Flatten", new String[] {x}, "axis", 1);
    }

    /** Convolution with bias, then the per-channel scale layer, then optionally ReLU. */
    String convScale(String x, String p, int stride, boolean same, boolean relu) {
      // Conv's bias is 1-D [c] in the ONNX spec (newer ONNX Runtime refuses [1, c, 1, 1]).
      String y = conv(x, filters(p + "/conv/filters", false), constant(p + "/conv/bias"),
          stride, 1, same);
      y = g.op("Mul", new String[] {y, channelVector(p + "/scale/weights")});
      y = g.op("Add", new String[] {y, channelVector(p + "/scale/biases")});
      return relu ? relu(y) : y;
    }

    String residual(String x, String p) {
      String y = convScale(x, p + "/conv1", 1, true, true);
      y = convScale(y, p + "/conv2", 1, true, false);
      return relu(add(y, x));
    }

    /**
     * The downsampling block: a valid stride-2 path next to a 2×2 average of the input whose
     * channels are doubled with zeros; where the valid path comes out one pixel smaller, face-api
     * appends a zero row and column to it, and so do we.
     */
    String residualDown(String x, String p, int side, int inChannels, int outChannels) {
      String y = convScale(x, p + "/conv1", 2, false, true);
      y = convScale(y, p + "/conv2", 1, true, false);
      int convSide = (side - 3) / 2 + 1;
      int poolSide = side / 2;
      String pooled = g.op("AveragePool", new String[] {x}, "kernel_shape", new long[] {2, 2},
          "strides", new long[] {2, 2});
      if (convSide != poolSide) {
        long d = poolSide - convSide;
        String pads = g.initializerInt64(g.fresh("pads"), new long[] {0, 0, 0, 0, 0, 0, d, d}, 8);
        y = g.op("Pad", new String[] {y, pads});
      }
      if (outChannels != inChannels) {
        long d = outChannels - inChannels;
        String pads = g.initializerInt64(g.fresh("pads"), new long[] {0, 0, 0, 0, 0, d, 0, 0}, 8);
        pooled = g.op("Pad", new String[] {pooled, pads});
      }
      return relu(add(pooled, y));
    }
  }
}
