package io.talkset.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Untrusted file names never reach a shell or any other process: the shipped code decodes and
 * probes in-process (FFmpeg through JavaCV) and starts no processes at all. This scan keeps it
 * that way; a future need for a process must come with argument lists, never a command string,
 * and a change here.
 */
class NoProcessesTest {
  private static final Path ROOT = Path.of(System.getProperty("talkset.root", ".."))
      .toAbsolutePath().normalize();
  private static final Pattern STARTS_PROCESS = Pattern.compile(
      "\\bProcessBuilder\\b|Runtime\\s*\\.\\s*getRuntime\\s*\\(\\s*\\)\\s*\\.\\s*exec|"
          + "\\bbash\\s+-c\\b|\\bsh\\s+-c\\b");

  @Test
  void shippedCodeStartsNoProcess() throws IOException {
    List<Path> roots = List.of(ROOT.resolve("core/src/main/java"),
        ROOT.resolve("udfs/src/main/java"),
        ROOT.resolve("jobs/src/main/java"), ROOT.resolve("schemas/src/main/java"));
    int files = 0;
    StringBuilder offenders = new StringBuilder();
    for (Path r : roots) {
      assertTrue(Files.isDirectory(r), r + " missing");
      try (Stream<Path> s = Files.walk(r)) {
        for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".java"))::iterator) {
          files++;
          String text = Files.readString(p);
          if (STARTS_PROCESS.matcher(text).find()) {
            offenders.append(ROOT.relativize(p)).append('\n');
          }
        }
      }
    }
    assertTrue(files > 50, "scanned " + files + " files");
    assertEquals("", offenders.toString(), "these main-code files start processes");
  }
}
