package io.talkset.core.models;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.util.Locale;
import java.util.Map;

/**
 * The ONNX Runtime session settings every graph here is loaded with, as DJL's options map: one
 * thread per session (executors already run one task per core, and ONNX Runtime's own pool
 * would spin on cores other tasks use), and ONNX Runtime's own log at {@code error} level, so
 * an ordinary run does not print its graph optimiser's "Removing initializer" warnings. The
 * level is {@link #LOG_LEVEL_PROPERTY} (verbose, info, warning, error or fatal) when set, e.g.
 * through {@code spark.executor.extraJavaOptions}. Open one per model after the engine has
 * started ({@code Model.newInstance}) and close it with the model.
 */
public final class SessionSettings implements AutoCloseable {
  public static final String LOG_LEVEL_PROPERTY = "talkset.onnx.logLevel";

  private final OrtSession.SessionOptions options;

  public SessionSettings() {
    try {
      options = new OrtSession.SessionOptions();
      options.setSessionLogLevel(level(System.getProperty(LOG_LEVEL_PROPERTY, "error")));
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime refused its session options: " + e, e);
    }
  }

  /** The ONNX Runtime level named by {@code name} (case-insensitive). */
  static OrtLoggingLevel level(String name) {
    String n = name.trim().toUpperCase(Locale.ROOT);
    try {
      return OrtLoggingLevel.valueOf("ORT_LOGGING_LEVEL_" + n);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(LOG_LEVEL_PROPERTY + " must be verbose, info, warning,"
          + " error or fatal, got '" + name + "'", e);
    }
  }

  /** The options for DJL's {@code Model.load}. */
  public Map<String, Object> djlOptions() {
    return Map.of("sessionOptions", options, "intraOpNumThreads", "1", "interOpNumThreads", "1");
  }

  @Override
  public void close() {
    options.close();
  }
}
