package io.talkset.core.models;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.hashing.Sha256;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pinned model files (the lock {@code bin/fetch-models} installs from) and their check: a
 * model is loaded only after its SHA-256 matches the pin. A file is hashed once per JVM (per
 * path, size and modification time), not once per task.
 */
public final class ModelFiles {
  public static final String BLAZEFACE_256 =
      "blazeface/face_detection_back_256x256_barracuda.onnx";
  public static final String BLAZEFACE_128 =
      "blazeface/face_detection_front_128x128_barracuda.onnx";

  private static final Map<String, String> PINS = load();
  private static final Map<String, Boolean> CHECKED = new ConcurrentHashMap<>();

  private ModelFiles() {}

  private static Map<String, String> load() {
    Map<String, String> pins = new LinkedHashMap<>();
    try (InputStream in = ModelFiles.class.getResourceAsStream("/talkset/models.lock");
        BufferedReader r = new BufferedReader(new InputStreamReader(in,
            StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        pins.put(f[4], f[5]);
      }
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("talkset/models.lock is missing from the class path", e);
    }
    return pins;
  }

  /** The pinned SHA-256 of a model, by its path under the models folder. */
  public static String pin(String relative) {
    String p = PINS.get(relative);
    if (p == null) {
      throw new IllegalArgumentException("no pinned model " + relative);
    }
    return p;
  }

  /**
   * {@code dir/relative} after checking it is the pinned file.
   *
   * @throws ProbeException {@link ErrorCodes#MODEL_MISMATCH} when it is missing or different
   */
  public static Path verified(Path dir, String relative) throws ProbeException {
    Path file = dir.resolve(relative);
    String want = pin(relative);
    try {
      if (!Files.isRegularFile(file)) {
        throw new ProbeException(ErrorCodes.MODEL_MISMATCH, "model " + file
            + " is missing: run bin/fetch-models (or point --models at its folder)");
      }
      String key = file.toAbsolutePath() + "|" + Files.size(file) + "|"
          + Files.getLastModifiedTime(file).toMillis();
      if (CHECKED.containsKey(key)) {
        return file;
      }
      String got = sha256(file);
      if (!got.equals(want)) {
        throw new ProbeException(ErrorCodes.MODEL_MISMATCH, "model " + file + " has SHA-256 "
            + got + ", not the pinned " + want + ": run bin/fetch-models");
      }
      CHECKED.put(key, Boolean.TRUE);
      return file;
    } catch (IOException e) {
      throw new ProbeException(ErrorCodes.MODEL_MISMATCH, "cannot read model " + file + ": " + e,
          e);
    }
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return Sha256.hex(in);
    }
  }

}
