package io.talkset.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/**
 * DJL's ONNX Runtime engine starts offline from the natives in the build (no model hub, no
 * download): the ground the model stages stand on.
 */
class DjlOfflineTest {

  @Test
  void onnxRuntimeEngineLoadsOfflineAndComputes() {
    assertEquals("true", System.getProperty("ai.djl.offline"));
    // PyTorch is on the class path too: ONNX Runtime must not take it as its fallback engine.
    assertEquals("true", System.getProperty("ai.djl.onnx.disable_alternative"));
    Engine engine = Engine.getEngine("OnnxRuntime");
    assertTrue(engine.getVersion().startsWith("1."), engine.getVersion());
    try (NDManager m = engine.newBaseManager()) {
      NDArray a = m.create(new float[] {1f, 2f, 3f});
      assertEquals(3, a.getShape().get(0));
    }
  }

  /** DJL's PyTorch engine (TorchScript 3DMM regressors) from the CPU natives in the build. */
  @Test
  void pyTorchEngineLoadsOfflineAndComputes() {
    Engine engine = Engine.getEngine("PyTorch");
    assertTrue(engine.getVersion().startsWith("2.7"), engine.getVersion());
    try (NDManager m = engine.newBaseManager()) {
      NDArray a = m.create(new float[] {1f, 2f, 3f});
      assertEquals(6f, a.sum().getFloat(), 0f);
    }
  }
}
