package io.talkset.jobs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code talkset ARGS} in a child JVM on the test class path with a 1 GiB heap, for the suites
 * whose subject is the JVM itself: its heap (a limit the test JVM does not have) or its death.
 */
public final class ChildTalkset {
  private ChildTalkset() {}

  /** The exit status and everything the child printed. */
  public record Run(int code, String log) {}

  /**
   * Runs it, output to {@code log}; {@code jvmOptions} come after the defaults (Spark's UI off,
   * the driver on the loopback). A {@code -Dspark.test.home=DIR} option also becomes
   * SPARK_HOME: a local cluster's worker starts executors from it (their class path is the
   * test class path) and needs the Scala version a real install names.
   */
  public static Run run(Path log, List<String> jvmOptions, int timeoutSeconds, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.add("-Dfile.encoding=UTF-8");
    cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + System.getProperty("talkset.cache")
        + "/javacpp");
    cmd.add("-Dspark.ui.enabled=false");
    cmd.add("-Dspark.driver.host=127.0.0.1");
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path")));
    cmd.add("io.talkset.jobs.Talkset");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("SPARK_SCALA_VERSION", "2.13");
    for (String o : jvmOptions) {
      if (o.startsWith("-Dspark.test.home=")) {
        pb.environment().put("SPARK_HOME", o.substring("-Dspark.test.home=".length()));
      }
    }
    pb.environment().put("LC_ALL", "C.UTF-8");
    Process p = pb.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("talkset did not finish in " + timeoutSeconds + " s: "
          + tail(Files.readString(log, StandardCharsets.UTF_8)));
    }
    return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  /** The last 20,000 characters, for a failure message. */
  public static String tail(String s) {
    return s.length() > 20_000 ? s.substring(s.length() - 20_000) : s;
  }
}
