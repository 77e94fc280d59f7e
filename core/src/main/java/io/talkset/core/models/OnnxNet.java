package io.talkset.core.models;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One ONNX graph with a single float input (NCHW for our own graphs; {@link TfjsToOnnx}'s keep
 * TensorFlow's NHWC) and a single 2-D output ({@link #run}) or several ({@link #runAll}), run
 * batched through DJL's ONNX Runtime engine on the given device; or, through
 * {@link #torchScript}, a TorchScript module with the same contract through DJL's PyTorch
 * engine. One instance per executor thread; close it.
 */
public final class OnnxNet implements AutoCloseable {
  private final Model model;
  private final SessionSettings settings;
  private final Predictor<NDList, NDList> predictor;
  private final NDManager manager;

  static {
    djlDefaults();
  }

  /**
   * DJL settings every engine here relies on, set before any engine starts unless the JVM was
   * given its own: PyTorch is on the class path (TorchScript 3DMM), and ONNX Runtime would
   * otherwise load it as its fallback engine (432 MB of natives extracted); PyTorch runs one
   * thread per module, as the ONNX sessions do (executors already run one task per core).
   */
  public static void djlDefaults() {
    setIfAbsent("ai.djl.onnx.disable_alternative", "true");
    setIfAbsent("ai.djl.pytorch.num_threads", "1");
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  public OnnxNet(String name, byte[] onnx, Device device) throws IOException {
    this(name, onnx, device, "OnnxRuntime");
  }

  private OnnxNet(String name, byte[] bytes, Device device, String engine) throws IOException {
    this.model = Model.newInstance(name, device, engine);
    // ONNX Runtime's settings (SessionSettings); the PyTorch engine takes none.
    this.settings = "OnnxRuntime".equals(engine) ? new SessionSettings() : null;
    try {
      model.load(new ByteArrayInputStream(bytes),
          settings == null ? Map.of() : settings.djlOptions());
    } catch (MalformedModelException | IOException | RuntimeException e) {
      model.close();
      if (settings != null) {
        settings.close();
      }
      throw new IOException(("OnnxRuntime".equals(engine) ? "ONNX Runtime" : engine)
          + " rejected the " + name + " model: " + e.getMessage(), e);
    }
    this.predictor = model.newPredictor(new NoopTranslator());
    this.manager = model.getNDManager().newSubManager();
  }

  /**
   * A TorchScript module (a {@code torch.jit.save} zip archive) with the same contract, through
   * DJL's PyTorch engine (offline: its CPU natives come from the class path).
   */
  public static OnnxNet torchScript(String name, byte[] module, Device device)
      throws IOException {
    return new OnnxNet(name, module, device, "PyTorch");
  }

  /** TorchScript files are zip archives ("PK\3\4"); ONNX files are protobuf messages. */
  public static boolean isTorchScript(byte[] bytes) {
    return bytes.length >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3
        && bytes[3] == 4;
  }

  /**
   * Runs {@code batch} inputs of shape {@code dims} (without the batch) stored back to back in
   * {@code input}; returns one output row per input.
   */
  public float[][] run(float[] input, int batch, long... dims) throws TranslateException {
    long[] shape = new long[dims.length + 1];
    shape[0] = batch;
    System.arraycopy(dims, 0, shape, 1, dims.length);
    try (NDManager m = manager.newSubManager()) {
      NDArray x = m.create(FloatBuffer.wrap(input), new Shape(shape));
      NDArray y = predictor.predict(new NDList(x)).singletonOrThrow();
      float[] flat = y.toFloatArray();
      int width = flat.length / batch;
      float[][] out = new float[batch][width];
      for (int i = 0; i < batch; i++) {
        System.arraycopy(flat, i * width, out[i], 0, width);
      }
      return out;
    }
  }

  /**
   * Runs a graph with any number of outputs on {@code batch} inputs as {@link #run} does;
   * returns each output flat (row-major, batch first), by output name in the graph's order.
   */
  public Map<String, float[]> runAll(float[] input, int batch, long... dims)
      throws TranslateException {
    long[] shape = new long[dims.length + 1];
    shape[0] = batch;
    System.arraycopy(dims, 0, shape, 1, dims.length);
    try (NDManager m = manager.newSubManager()) {
      NDArray x = m.create(FloatBuffer.wrap(input), new Shape(shape));
      NDList ys = predictor.predict(new NDList(x));
      Map<String, float[]> out = new LinkedHashMap<>();
      for (int i = 0; i < ys.size(); i++) {
        NDArray y = ys.get(i);
        out.put(y.getName() == null ? "output" + i : y.getName(), y.toFloatArray());
      }
      return out;
    }
  }

  @Override
  public void close() {
    manager.close();
    predictor.close();
    model.close();
    if (settings != null) {
      settings.close();
    }
  }
}
