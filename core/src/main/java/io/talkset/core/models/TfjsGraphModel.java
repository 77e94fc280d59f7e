package io.talkset.core.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A TensorFlow.js graph model as published: {@code model.json} ({@code format: graph-model})
 * whose {@code modelTopology.node[]} is a frozen TensorFlow GraphDef in JSON (name, op, inputs,
 * attributes), and whose {@code weightsManifest} lists the values of every {@code Const} node,
 * back to back in the {@code .bin} shards it names (little-endian; float32 or int32, or quantized
 * as tfjs writes them: float16, or uint8/uint16 with a scale and a minimum).
 *
 * <p>The graph's inputs are its {@code Placeholder} nodes and its outputs those the
 * {@code signature} names; without a signature (or one naming only outputs by node, as
 * {@code userDefinedMetadata.signature} does) the outputs are the nodes nothing else reads.
 * Public names are the signature's keys, else the node names.
 */
public final class TfjsGraphModel {
  /** One node of the GraphDef; {@code attrs} is the raw JSON attribute map. */
  public record Node(String name, String op, List<String> inputs, JsonObject attrs) {
    /** A string attribute (stored base64 by the converter), or {@code fallback}. */
    public String string(String key, String fallback) {
      JsonObject a = attr(key);
      return a == null || !a.has("s") ? fallback
          : new String(Base64.getDecoder().decode(a.get("s").getAsString()),
              StandardCharsets.UTF_8);
    }

    /** An int-list attribute, or {@code fallback}. */
    public long[] ints(String key, long[] fallback) {
      JsonObject a = attr(key);
      if (a == null || !a.has("list")) {
        return fallback;
      }
      JsonObject list = a.getAsJsonObject("list");
      if (!list.has("i")) {
        return new long[0];
      }
      JsonArray i = list.getAsJsonArray("i");
      long[] out = new long[i.size()];
      for (int k = 0; k < out.length; k++) {
        out[k] = i.get(k).getAsLong();
      }
      return out;
    }

    /** A string-list attribute (e.g. {@code fused_ops}), empty when absent. */
    public List<String> strings(String key) {
      JsonObject a = attr(key);
      List<String> out = new ArrayList<>();
      if (a != null && a.has("list") && a.getAsJsonObject("list").has("s")) {
        for (JsonElement e : a.getAsJsonObject("list").getAsJsonArray("s")) {
          out.add(new String(Base64.getDecoder().decode(e.getAsString()),
              StandardCharsets.UTF_8));
        }
      }
      return out;
    }

    public long integer(String key, long fallback) {
      JsonObject a = attr(key);
      return a == null || !a.has("i") ? fallback : a.get("i").getAsLong();
    }

    public float real(String key, float fallback) {
      JsonObject a = attr(key);
      return a == null || !a.has("f") ? fallback : a.get("f").getAsFloat();
    }

    public boolean bool(String key, boolean fallback) {
      JsonObject a = attr(key);
      return a == null || !a.has("b") ? fallback : a.get("b").getAsBoolean();
    }

    /** A type attribute ({@code DT_FLOAT}, ...), or {@code fallback}. */
    public String type(String key, String fallback) {
      JsonObject a = attr(key);
      return a == null || !a.has("type") ? fallback : a.get("type").getAsString();
    }

    /** A shape attribute ({@code -1} for an unknown size), or null. */
    public long[] shape(String key) {
      JsonObject a = attr(key);
      if (a == null || !a.has("shape")) {
        return null;
      }
      return dims(a.getAsJsonObject("shape"));
    }

    private JsonObject attr(String key) {
      return attrs.has(key) ? attrs.getAsJsonObject(key) : null;
    }
  }

  /** A constant's value: float32 data in {@code floats}, int32 in {@code ints}. */
  public record Tensor(String dtype, long[] shape, float[] floats, int[] ints) {
    public boolean isFloat() {
      return floats != null;
    }

    public int size() {
      return floats != null ? floats.length : ints.length;
    }

    /** The value as a double, whatever the type. */
    public double at(int i) {
      return floats != null ? floats[i] : ints[i];
    }
  }

  /** A graph input or output: its public name, the tensor it is, and its declared shape. */
  public record Port(String name, String tensor, long[] shape) {}

  private final String file;
  private final List<Node> nodes;
  private final Map<String, Tensor> constants;
  private final List<Port> inputs;
  private final List<Port> outputs;

  private TfjsGraphModel(String file, List<Node> nodes, Map<String, Tensor> constants,
      List<Port> inputs, List<Port> outputs) {
    this.file = file;
    this.nodes = nodes;
    this.constants = constants;
    this.inputs = inputs;
    this.outputs = outputs;
  }

  /** The file name, for messages. */
  public String file() {
    return file;
  }

  /** The nodes in the file's order (a frozen graph lists producers before consumers). */
  public List<Node> nodes() {
    return nodes;
  }

  /** The value of every {@code Const} node, by node name. */
  public Map<String, Tensor> constants() {
    return constants;
  }

  public List<Port> inputs() {
    return inputs;
  }

  public List<Port> outputs() {
    return outputs;
  }

  /** Reads {@code modelJson} and the weight shards it names (relative to its folder). */
  public static TfjsGraphModel read(Path modelJson) throws IOException {
    String name = modelJson.getFileName().toString();
    try {
      JsonObject root = JsonParser.parseString(Files.readString(modelJson,
          StandardCharsets.UTF_8)).getAsJsonObject();
      String format = root.has("format") ? root.get("format").getAsString() : "";
      if (!"graph-model".equals(format)) {
        throw new IOException("not a tfjs graph model (format '" + format + "')");
      }
      List<Node> nodes = new ArrayList<>();
      for (JsonElement e : root.getAsJsonObject("modelTopology").getAsJsonArray("node")) {
        JsonObject n = e.getAsJsonObject();
        List<String> in = new ArrayList<>();
        if (n.has("input")) {
          for (JsonElement i : n.getAsJsonArray("input")) {
            in.add(i.getAsString());
          }
        }
        nodes.add(new Node(n.get("name").getAsString(), n.get("op").getAsString(),
            Collections.unmodifiableList(in),
            n.has("attr") ? n.getAsJsonObject("attr") : new JsonObject()));
      }
      Map<String, Tensor> constants = weights(root.getAsJsonArray("weightsManifest"),
          modelJson.toAbsolutePath().getParent());
      List<Port> inputs = new ArrayList<>();
      for (Node n : nodes) {
        if (n.op().equals("Placeholder")) {
          inputs.add(new Port(n.name(), n.name(), n.shape("shape")));
        }
      }
      return new TfjsGraphModel(name, Collections.unmodifiableList(nodes),
          Collections.unmodifiableMap(constants), Collections.unmodifiableList(inputs),
          Collections.unmodifiableList(outputs(root, nodes)));
    } catch (IOException | RuntimeException e) {
      throw new IOException("tfjs graph model " + name + ": " + e.getMessage(), e);
    }
  }

  /** The weight shards {@code modelJson} names, relative to its folder, in reading order. */
  public static List<String> shards(Path modelJson) throws IOException {
    try {
      JsonObject root = JsonParser.parseString(Files.readString(modelJson,
          StandardCharsets.UTF_8)).getAsJsonObject();
      List<String> out = new ArrayList<>();
      for (JsonElement g : root.getAsJsonArray("weightsManifest")) {
        for (JsonElement p : g.getAsJsonObject().getAsJsonArray("paths")) {
          out.add(p.getAsString());
        }
      }
      return out;
    } catch (RuntimeException e) {
      throw new IOException("tfjs graph model " + modelJson.getFileName() + ": " + e.getMessage(),
          e);
    }
  }

  /** The signature's outputs in its order, else the nodes nothing reads, in graph order. */
  private static List<Port> outputs(JsonObject root, List<Node> nodes) {
    JsonObject sig = root.has("signature") && root.get("signature").isJsonObject()
        ? root.getAsJsonObject("signature") : null;
    if (sig == null && root.has("userDefinedMetadata")
        && root.getAsJsonObject("userDefinedMetadata").has("signature")) {
      sig = root.getAsJsonObject("userDefinedMetadata").getAsJsonObject("signature");
    }
    List<Port> out = new ArrayList<>();
    if (sig != null && sig.has("outputs")) {
      for (Map.Entry<String, JsonElement> e : sig.getAsJsonObject("outputs").entrySet()) {
        JsonObject o = e.getValue().getAsJsonObject();
        String tensor = o.has("name") ? o.get("name").getAsString() : e.getKey();
        long[] shape = o.has("tensorShape") ? dims(o.getAsJsonObject("tensorShape")) : null;
        out.add(new Port(e.getKey().replace(":0", ""), stripIndex(tensor), shape));
      }
      return out;
    }
    Set<String> read = new HashSet<>();
    for (Node n : nodes) {
      for (String i : n.inputs()) {
        read.add(stripIndex(i.startsWith("^") ? i.substring(1) : i));
      }
    }
    for (Node n : nodes) {
      if (!read.contains(n.name()) && !n.op().equals("Const")
          && !n.op().equals("Placeholder")) {
        out.add(new Port(n.name(), n.name(), null));
      }
    }
    return out;
  }

  /** "node:0" and "node" are the same tensor. */
  static String stripIndex(String tensor) {
    return tensor.endsWith(":0") ? tensor.substring(0, tensor.length() - 2) : tensor;
  }

  private static long[] dims(JsonObject shape) {
    if (!shape.has("dim")) {
      return new long[0];
    }
    JsonArray d = shape.getAsJsonArray("dim");
    long[] out = new long[d.size()];
    for (int i = 0; i < out.length; i++) {
      JsonObject o = d.get(i).getAsJsonObject();
      out[i] = o.has("size") ? o.get("size").getAsLong() : -1;
    }
    return out;
  }

  /**
   * Decodes the weights as tfjs does ({@code io.decodeWeights}): each group's shards are one
   * byte stream, each tensor takes the next size × bytes-per-value bytes.
   */
  private static Map<String, Tensor> weights(JsonArray manifest, Path dir) throws IOException {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (JsonElement ge : manifest) {
      JsonObject group = ge.getAsJsonObject();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (JsonElement p : group.getAsJsonArray("paths")) {
        Path shard = dir.resolve(p.getAsString()).normalize();
        if (!shard.startsWith(dir)) {
          throw new IOException("weight shard " + p.getAsString() + " is outside the model's"
              + " folder");
        }
        all.writeBytes(Files.readAllBytes(shard));
      }
      ByteBuffer bytes = ByteBuffer.wrap(all.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
      for (JsonElement we : group.getAsJsonArray("weights")) {
        JsonObject w = we.getAsJsonObject();
        String name = w.get("name").getAsString();
        String dtype = w.get("dtype").getAsString();
        long[] shape = new long[w.getAsJsonArray("shape").size()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
          shape[i] = w.getAsJsonArray("shape").get(i).getAsLong();
          n *= shape[i];
        }
        if (n > Integer.MAX_VALUE / 4) {
          throw new IOException("weight " + name + " is too large: " + n + " values");
        }
        int size = (int) n;
        JsonObject q = w.has("quantization") ? w.getAsJsonObject("quantization") : null;
        String stored = q == null ? dtype : q.get("dtype").getAsString();
        int width = switch (stored) {
          case "float32", "int32" -> 4;
          case "float16", "uint16" -> 2;
          case "uint8" -> 1;
          default -> throw new IOException("weight " + name + ": unsupported stored dtype '"
              + stored + "' (float32, int32, or quantized float16, uint8, uint16)");
        };
        if (bytes.remaining() < (long) size * width) {
          throw new IOException("weight " + name + " needs " + (long) size * width
              + " bytes, the shards have " + bytes.remaining() + " left");
        }
        if (!dtype.equals("float32") && !dtype.equals("int32")) {
          throw new IOException("weight " + name + ": unsupported dtype '" + dtype + "'");
        }
        out.put(name, decode(name, dtype, stored, q, shape, size, bytes));
      }
      if (bytes.hasRemaining()) {
        throw new IOException(bytes.remaining() + " bytes left after the last weight of "
            + group.getAsJsonArray("paths"));
      }
    }
    return out;
  }

  private static Tensor decode(String name, String dtype, String stored, JsonObject q,
      long[] shape, int size, ByteBuffer bytes) throws IOException {
    boolean isFloat = dtype.equals("float32");
    float[] f = isFloat ? new float[size] : null;
    int[] ints = isFloat ? null : new int[size];
    switch (stored) {
      case "float32" -> {
        if (!isFloat) {
          throw new IOException("weight " + name + ": int32 stored as float32");
        }
        bytes.asFloatBuffer().get(f);
        bytes.position(bytes.position() + 4 * size);
      }
      case "int32" -> {
        if (isFloat) {
          throw new IOException("weight " + name + ": float32 stored as int32");
        }
        bytes.asIntBuffer().get(ints);
        bytes.position(bytes.position() + 4 * size);
      }
      case "float16" -> {
        if (!isFloat) {
          throw new IOException("weight " + name + ": float16 quantization of int32");
        }
        for (int i = 0; i < size; i++) {
          f[i] = halfToFloat(bytes.getShort());
        }
      }
      default -> {
        // uint8/uint16: value × scale + min, in double as JavaScript computes it, then
        // rounded once to the stored type (float32, or int32 by Math.round).
        if (!q.has("scale") || !q.has("min")) {
          throw new IOException("weight " + name + ": " + stored + " quantization without"
              + " scale and min");
        }
        double scale = q.get("scale").getAsDouble();
        double min = q.get("min").getAsDouble();
        for (int i = 0; i < size; i++) {
          int v = stored.equals("uint8") ? bytes.get() & 0xFF : bytes.getShort() & 0xFFFF;
          double x = v * scale + min;
          if (isFloat) {
            f[i] = (float) x;
          } else {
            ints[i] = (int) Math.floor(x + 0.5);
          }
        }
      }
    }
    return new Tensor(dtype, shape, f, ints);
  }

  /** IEEE 754 half precision to float, exactly (subnormals, infinities and NaN included). */
  static float halfToFloat(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    if (exp == 0) {
      // Subnormal (or zero): mant × 2^-24, exact in float.
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
