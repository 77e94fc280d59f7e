package io.talkset.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Reference tools run at test time: Debian's ffprobe and ffmpeg (installed by bin/test). */
public final class Tools {
  private Tools() {}

  /** Runs a command, returns stdout; fails with its stderr if it exits non-zero. */
  public static String run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).start();
      byte[] out = p.getInputStream().readAllBytes();
      byte[] err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + String.join(" ", cmd));
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue()
            + ": " + new String(err, StandardCharsets.UTF_8));
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(cmd[0] + " is not installed (bin/test installs Debian's"
          + " ffmpeg package): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Debian's ffprobe on {@code file}, as JSON (format and streams). */
  public static JsonNode ffprobe(Path file, String... extra) {
    List<String> cmd = new ArrayList<>(List.of("ffprobe", "-v", "error", "-print_format", "json",
        "-show_format", "-show_streams"));
    cmd.addAll(Arrays.asList(extra));
    cmd.add(file.toString());
    try {
      return new ObjectMapper().readTree(run(cmd.toArray(new String[0])));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Debian's ffmpeg, quiet, overwriting. */
  public static void ffmpeg(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-y"));
    cmd.addAll(Arrays.asList(args));
    run(cmd.toArray(new String[0]));
  }
}
