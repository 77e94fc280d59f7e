package io.talkset.core.models;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an ONNX model (the protobuf {@code ModelProto}) from Java: float inputs and outputs,
 * float, int64 and int32 initializers, and nodes with int, float, int-list and string
 * attributes. Enough to turn published weights (face-api's manifests, tfjs graph models) into a
 * graph ONNX Runtime runs, and for tests to build small models with known weights, without
 * protobuf or Python at run time.
 *
 * <p>Field numbers follow onnx.proto (IR version 8, default opset 17).
 */
public final class OnnxGraph {
  /** A dimension of unknown size in {@link #input} and {@link #output} (other negatives: "N"). */
  public static final long UNKNOWN = Long.MIN_VALUE;
  private static final int FLOAT = 1;
  private final String name;
  private final int opset;
  private final List<byte[]> nodes = new ArrayList<>();
  private final List<byte[]> initializers = new ArrayList<>();
  private final List<byte[]> inputs = new ArrayList<>();
  private final List<byte[]> outputs = new ArrayList<>();
  private int counter;

  public OnnxGraph(String name) {
    this(name, 17);
  }

  public OnnxGraph(String name, int opset) {
    this.name = name;
    this.opset = opset;
  }

  /** A fresh tensor name with the given prefix. */
  public String fresh(String prefix) {
    return prefix + "_" + (counter++);
  }

  /** A float graph input; a negative dimension is symbolic (e.g. the batch, named "N"). */
  public OnnxGraph input(String tensor, long... dims) {
    inputs.add(valueInfo(tensor, dims));
    return this;
  }

  /** A float graph output; a negative dimension is symbolic. */
  public OnnxGraph output(String tensor, long... dims) {
    outputs.add(valueInfo(tensor, dims));
    return this;
  }

  /** A float constant (weights), stored little-endian as raw data. */
  public String initializer(String tensor, float[] data, long... dims) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    if (n != data.length) {
      throw new IllegalArgumentException(tensor + ": " + data.length + " values for shape "
          + java.util.Arrays.toString(dims));
    }
    Proto t = new Proto();
    for (long d : dims) {
      t.varint(1, d);
    }
    t.varint(2, FLOAT);
    t.string(8, tensor);
    ByteBuffer raw = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(data);
    t.bytes(9, raw.array());
    initializers.add(t.toByteArray());
    return tensor;
  }

  /** An int64 constant (shapes, axes). */
  public String initializerInt64(String tensor, long[] data, long... dims) {
    Proto t = new Proto();
    for (long d : dims) {
      t.varint(1, d);
    }
    t.varint(2, 7);
    t.string(8, tensor);
    ByteBuffer raw = ByteBuffer.allocate(8 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    raw.asLongBuffer().put(data);
    t.bytes(9, raw.array());
    initializers.add(t.toByteArray());
    return tensor;
  }

  /** A float64 constant, for the few products computed in double precision. */
  public String initializerDouble(String tensor, double[] data, long... dims) {
    Proto t = new Proto();
    for (long d : dims) {
      t.varint(1, d);
    }
    t.varint(2, 11);
    t.string(8, tensor);
    ByteBuffer raw = ByteBuffer.allocate(8 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    raw.asDoubleBuffer().put(data);
    t.bytes(9, raw.array());
    initializers.add(t.toByteArray());
    return tensor;
  }

  /** An int32 constant (integer data a TensorFlow graph computes with). */
  public String initializerInt32(String tensor, int[] data, long... dims) {
    Proto t = new Proto();
    for (long d : dims) {
      t.varint(1, d);
    }
    t.varint(2, 6);
    t.string(8, tensor);
    ByteBuffer raw = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    raw.asIntBuffer().put(data);
    t.bytes(9, raw.array());
    initializers.add(t.toByteArray());
    return tensor;
  }

  /**
   * A node. Attributes come as name/value pairs: {@code Long}/{@code Integer} (INT),
   * {@code Float}/{@code Double} (FLOAT), {@code long[]}/{@code int[]} (INTS), {@code String}
   * (STRING).
   */
  public void node(String op, String[] in, String[] out, Object... attributes) {
    Proto n = new Proto();
    for (String s : in) {
      n.string(1, s);
    }
    for (String s : out) {
      n.string(2, s);
    }
    n.string(3, out[0] + "_" + op);
    n.string(4, op);
    for (int i = 0; i < attributes.length; i += 2) {
      Proto a = new Proto();
      a.string(1, (String) attributes[i]);
      Object v = attributes[i + 1];
      if (v instanceof Integer || v instanceof Long) {
        a.varint(3, ((Number) v).longValue());
        a.varint(20, 2);
      } else if (v instanceof Float || v instanceof Double) {
        a.fixed32(2, Float.floatToIntBits(((Number) v).floatValue()));
        a.varint(20, 1);
      } else if (v instanceof int[] ints) {
        for (int x : ints) {
          a.varint(8, x);
        }
        a.varint(20, 7);
      } else if (v instanceof long[] longs) {
        for (long x : longs) {
          a.varint(8, x);
        }
        a.varint(20, 7);
      } else if (v instanceof String s) {
        a.bytes(4, s.getBytes(StandardCharsets.UTF_8));
        a.varint(20, 3);
      } else {
        throw new IllegalArgumentException("attribute " + attributes[i] + ": " + v);
      }
      n.message(5, a);
    }
    nodes.add(n.toByteArray());
  }

  /** A node with one output, named freshly; returns the output's name. */
  public String op(String op, String[] in, Object... attributes) {
    String out = fresh(op.toLowerCase(java.util.Locale.ROOT));
    node(op, in, new String[] {out}, attributes);
    return out;
  }

  /** The serialized ModelProto. */
  public byte[] toBytes() {
    Proto g = new Proto();
    for (byte[] n : nodes) {
      g.bytes(1, n);
    }
    g.string(2, name);
    for (byte[] t : initializers) {
      g.bytes(5, t);
    }
    for (byte[] v : inputs) {
      g.bytes(11, v);
    }
    for (byte[] v : outputs) {
      g.bytes(12, v);
    }
    Proto m = new Proto();
    m.varint(1, 8);
    m.string(2, "talkset");
    m.message(7, g);
    Proto opsetId = new Proto();
    opsetId.string(1, "");
    opsetId.varint(2, opset);
    m.message(8, opsetId);
    return m.toByteArray();
  }

  private static byte[] valueInfo(String tensor, long[] dims) {
    Proto shape = new Proto();
    for (long d : dims) {
      Proto dim = new Proto();
      if (d == UNKNOWN) {
        // Neither a size nor a name: a dimension nothing is known about.
      } else if (d < 0) {
        dim.string(2, "N");
      } else {
        dim.varint(1, d);
      }
      shape.message(1, dim);
    }
    Proto tensorType = new Proto();
    tensorType.varint(1, FLOAT);
    tensorType.message(2, shape);
    Proto type = new Proto();
    type.message(1, tensorType);
    Proto v = new Proto();
    v.string(1, tensor);
    v.message(2, type);
    return v.toByteArray();
  }

  /** Protobuf wire format, the handful of field kinds ONNX needs. */
  private static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private void raw(long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }

    void varint(int field, long v) {
      raw((long) field << 3);
      raw(v);
    }

    void fixed32(int field, int bits) {
      raw(((long) field << 3) | 5);
      for (int i = 0; i < 4; i++) {
        out.write((bits >>> (8 * i)) & 0xFF);
      }
    }

    void bytes(int field, byte[] b) {
      raw(((long) field << 3) | 2);
      raw(b.length);
      out.writeBytes(b);
    }

    void string(int field, String s) {
      bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    void message(int field, Proto p) {
      bytes(field, p.toByteArray());
    }

    byte[] toByteArray() {
      return out.toByteArray();
    }
  }
}
