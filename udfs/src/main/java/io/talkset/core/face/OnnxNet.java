package io.talkset.core.face;

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
import java.util.Map;

/**
 * One ONNX graph with a single float NCHW input and a single 2-D output, run batched through
 * DJL's ONNX Runtime engine on the given device. One instance per executor thread; close it.
 */
public final class OnnxNet implements AutoCloseable {
  private final Model model;
  private final Predictor<NDList, NDList> predictor;
  private final NDManager manager;

  public OnnxNet(String name, byte[] onnx, Device device) throws IOException {
    this.model = Model.newInstance(name, device, "OnnxRuntime");
    try {
      // One thread per session: executors already run one task per core.
      model.load(new ByteArrayInputStream(onnx),
          Map.of("intraOpNumThreads", "1", "interOpNumThreads", "1"));
    } catch (MalformedModelException e) {
      model.close();
      throw new IOException("ONNX Runtime rejected the " + name + " graph: " + e.getMessage(), e);
    }
    this.predictor = model.newPredictor(new NoopTranslator());
    this.manager = model.getNDManager().newSubManager();
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

  @Override
  public void close() {
    manager.close();
    predictor.close();
    model.close();
  }
}
