package io.talkset.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference implementations, run at test time: a virtual environment with librosa and
 * scikit-image from the machine's pip index (created once under the talkset cache), and Debian's
 * python3 with python3-torchaudio for Kaldi's features (installed by bin/test).
 */
public final class Python {
  /** Bump when the requirements change: a new folder is built. */
  public static final String VENV = "venv-reference-3";
  private static final String[] REQUIREMENTS = {"librosa==0.11.0", "scikit-image==0.26.0",
      "scipy", "numpy", "pyarrow"};
  private static Path venvPython;

  private Python() {}

  /** The venv's python, creating the venv on first use. */
  public static synchronized Path venv() {
    if (venvPython != null) {
      return venvPython;
    }
    Path dir = Path.of(System.getProperty("talkset.cache")).resolve(VENV);
    Path python = dir.resolve("bin/python");
    if (!Files.exists(dir.resolve(".ready"))) {
      Tools.run("python3", "-m", "venv", "--clear", dir.toString());
      List<String> cmd = new ArrayList<>(List.of(python.toString(), "-m", "pip", "install",
          "--quiet", "--disable-pip-version-check"));
      cmd.addAll(indexArguments());
      cmd.addAll(List.of(REQUIREMENTS));
      Tools.run(cmd.toArray(new String[0]));
      try {
        Files.writeString(dir.resolve(".ready"), String.join("\n", REQUIREMENTS));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    venvPython = python;
    return python;
  }

  /**
   * pip tries the public index first and retries before it falls back to the local one; go
   * straight to the indexes pip is configured with, when there are any.
   */
  static List<String> indexArguments() {
    String urls;
    try {
      urls = Tools.run("python3", "-m", "pip", "config", "get", "global.extra-index-url").trim();
    } catch (IllegalStateException e) {
      return List.of();
    }
    List<String> args = new ArrayList<>();
    for (String u : urls.split("\\s+")) {
      if (u.isBlank()) {
        continue;
      }
      args.add(args.isEmpty() ? "--index-url" : "--extra-index-url");
      args.add(u);
    }
    return args;
  }

  /** Debian's python3, which has python3-torchaudio. */
  public static Path debian() {
    Path p = Path.of("/usr/bin/python3");
    if (!Files.exists(p)) {
      throw new IllegalStateException("/usr/bin/python3 is missing (bin/test installs "
          + "python3-torchaudio)");
    }
    return p;
  }

  /** Runs the reference script on {@code samples}; returns one [frames][dims] per spec. */
  public static List<double[][]> audioReference(Path python, String specJson, float[] samples,
      Path tmp) throws IOException {
    Path script = tmp.resolve("audio_reference.py");
    try (var in = Python.class.getResourceAsStream("/reference/audio_reference.py")) {
      Files.write(script, in.readAllBytes());
    }
    Path spec = tmp.resolve("spec.json");
    Files.writeString(spec, specJson);
    Path input = tmp.resolve("input.f32");
    ByteBuffer bb = ByteBuffer.allocate(samples.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : samples) {
      bb.putFloat(v);
    }
    Files.write(input, bb.array());
    Path out = Files.createDirectories(tmp.resolve("out"));
    Tools.run(python.toString(), script.toString(), spec.toString(), input.toString(),
        out.toString());
    List<double[][]> results = new ArrayList<>();
    for (int i = 0; Files.exists(out.resolve("out_" + i + ".shape")); i++) {
      String[] shape = Files.readString(out.resolve("out_" + i + ".shape"),
          StandardCharsets.UTF_8).trim().split(" ");
      int rows = Integer.parseInt(shape[0]);
      int cols = Integer.parseInt(shape[1]);
      ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(out.resolve("out_" + i + ".f32")))
          .order(ByteOrder.LITTLE_ENDIAN);
      double[][] m = new double[rows][cols];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          m[r][c] = data.getDouble();
        }
      }
      results.add(m);
    }
    return results;
  }
}
