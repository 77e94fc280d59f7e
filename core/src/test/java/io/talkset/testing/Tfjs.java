package io.talkset.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * TensorFlow.js 4.22.0 with its pure JavaScript CPU backend under Node, the reference for the
 * tfjs graph importer: installed once from the npm registry into the talkset cache with
 * {@code npm ci} from the committed lock ({@code reference/tfjs/package-lock.json}), as
 * {@link Python#venv} does for the Python references. Node and npm come from Debian (bin/test).
 */
public final class Tfjs {
  /** Bump when package.json or the lock changes: a new folder is installed. */
  public static final String DIR = "node-tfjs-4.22.0-1";
  private static Path installed;

  private Tfjs() {}

  /** The folder with node_modules and the reference script, installing it on first use. */
  public static synchronized Path install() {
    if (installed != null) {
      return installed;
    }
    Path dir = Path.of(System.getProperty("talkset.cache")).resolve(DIR);
    try {
      if (!Files.exists(dir.resolve(".ready"))) {
        Files.createDirectories(dir);
        copy("package.json", dir);
        copy("package-lock.json", dir);
        // No install scripts: the CPU backend needs none (tfjs-node's native download is what
        // fails on machines like these).
        run(dir, 300, "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund",
            "--loglevel=error");
        Files.writeString(dir.resolve(".ready"), "@tensorflow/tfjs 4.22.0\n");
      }
      copy("tfjs_reference.js", dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot install the tfjs reference in " + dir + ": " + e,
          e);
    }
    installed = dir;
    return dir;
  }

  private static void copy(String name, Path dir) throws IOException {
    try (InputStream in = Tfjs.class.getResourceAsStream("/reference/tfjs/" + name)) {
      Files.write(dir.resolve(name), in.readAllBytes());
    }
  }

  /**
   * Runs {@code modelJson} on {@code input} (NHWC float32, {@code shape}) and returns the
   * requested output tensors, each flat.
   */
  public static List<float[]> run(Path modelJson, float[] input, long[] shape,
      List<String> tensors, Path tmp) throws IOException {
    Path dir = install();
    Path in = tmp.resolve("tfjs-input.f32");
    ByteBuffer bb = ByteBuffer.allocate(4 * input.length).order(ByteOrder.LITTLE_ENDIAN);
    bb.asFloatBuffer().put(input);
    Files.write(in, bb.array());
    Path out = Files.createDirectories(tmp.resolve("tfjs-out"));
    StringBuilder s = new StringBuilder();
    for (long d : shape) {
      s.append(s.length() == 0 ? "" : ",").append(d);
    }
    List<String> cmd = new ArrayList<>(List.of("node", dir.resolve("tfjs_reference.js").toString(),
        modelJson.toString(), in.toString(), s.toString(), out.toString()));
    cmd.addAll(tensors);
    run(dir, 600, cmd.toArray(new String[0]));
    List<float[]> results = new ArrayList<>();
    for (int i = 0; i < tensors.size(); i++) {
      ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(out.resolve("out_" + i + ".f32")))
          .order(ByteOrder.LITTLE_ENDIAN);
      float[] v = new float[data.remaining() / 4];
      data.asFloatBuffer().get(v);
      results.add(v);
    }
    return results;
  }

  /** Runs a command in {@code dir}; its output goes to a log that the failure message quotes. */
  private static void run(Path dir, int seconds, String... cmd) throws IOException {
    Path log = Files.createTempFile("talkset-tfjs", ".log");
    try {
      Process p;
      try {
        p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
      } catch (IOException e) {
        throw new IOException(cmd[0] + " is not installed (bin/test installs Debian's nodejs"
            + " and npm): " + e.getMessage(), e);
      }
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out after " + seconds + " s: "
            + String.join(" ", cmd));
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue()
            + ": " + Files.readString(log, StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
