package io.talkset.core.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;

/** The ONNX Runtime session settings: quiet by default, a level by name, threads fixed at one. */
class SessionSettingsTest {
  @Test
  void levelsAreNamedAndAWrongNameSaysWhatIsAccepted() {
    assertEquals(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, SessionSettings.level("error"));
    assertEquals(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, SessionSettings.level(" Warning"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SessionSettings.level("loud"));
    assertTrue(e.getMessage().contains("talkset.onnx.logLevel must be verbose, info, warning,"
        + " error or fatal, got 'loud'"), e.getMessage());
  }

  @Test
  void djlGetsTheSessionOptionsAndOneThread() {
    ai.djl.engine.Engine.getEngine("OnnxRuntime");
    try (SessionSettings s = new SessionSettings()) {
      assertTrue(s.djlOptions().get("sessionOptions") instanceof OrtSession.SessionOptions);
      assertEquals("1", s.djlOptions().get("intraOpNumThreads"));
      assertEquals("1", s.djlOptions().get("interOpNumThreads"));
    }
  }
}
