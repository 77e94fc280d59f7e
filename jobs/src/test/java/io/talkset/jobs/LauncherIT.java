package io.talkset.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.testing.Samples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/talkset on the packaged job jar, through Spark's real SparkSubmit: what a user types.
 * Runs after {@code package} (Maven's integration-test phase).
 */
class LauncherIT {
  private static final Path ROOT = Path.of(System.getProperty("talkset.root", "..")).toAbsolutePath();

  record Run(int code, String out, String err) {}

  static Run talkset(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ROOT.resolve("bin/talkset").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("TALKSET_MASTER", "local[2]");
    pb.environment().put("TALKSET_DRIVER_MEMORY", "2g");
    Path err = Files.createTempFile("talkset-err", ".txt");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "bin/talkset did not finish");
    String errText = Files.readString(err);
    Files.delete(err);
    return new Run(p.exitValue(), out, errText);
  }

  @Test
  void helpAndErrorsThroughSparkSubmit() throws Exception {
    Run help = talkset("--help");
    assertEquals(0, help.code(), help.err());
    assertTrue(help.out().contains("crawl") && help.out().contains("run"), help.out());
    Run crawlHelp = talkset("crawl", "--help");
    assertEquals(0, crawlHelp.code(), crawlHelp.err());
    assertTrue(crawlHelp.out().contains("--probe-timeout-ms"), crawlHelp.out());
    Run bad = talkset("crawl", "--input", "/nowhere");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("talkset crawl: --output is required"), bad.err());
  }

  @Test
  void runCrawlsRealMediaAndPrintsASummary(@TempDir Path out) throws Exception {
    Path input = Samples.dir().resolve("video");
    Run run = talkset("run", "--input", input.toString(), "--output", out.toString());
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().contains("crawl: 8 clips from 8 files (8 probed, 0 unchanged)"), run.out());
    assertTrue(run.out().contains("by status:  {ok=8}"), run.out());
    assertTrue(Files.exists(out.resolve("clips/_SUCCESS")));
    Run missing = talkset("crawl", "--input", input.resolve("nothing-here").toString(),
        "--output", out.toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("does not exist"), missing.err());
  }
}
