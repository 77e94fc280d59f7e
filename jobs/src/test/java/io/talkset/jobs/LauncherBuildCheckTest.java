package io.talkset.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/talkset's two decisions before it starts a JVM, on a copy of the script in a stand-in
 * checkout whose {@code mvn} and {@code java} only record how they were called: it runs Maven
 * only when a build input (a pom, .mvn, a module's src/main) is newer than the job jar, never
 * for files a run wrote under the checkout; and in local mode it names no application jar
 * (Spark would copy it for the in-process executor) and turns the web UI off, while a cluster
 * master gets the jar.
 */
class LauncherBuildCheckTest {
  private static final Path ROOT =
      Path.of(System.getProperty("talkset.root", "..")).toAbsolutePath().normalize();
  private static final FileTime HOUR_AGO = FileTime.from(Instant.now().minusSeconds(3600));
  private static final FileTime HALF_HOUR_AGO = FileTime.from(Instant.now().minusSeconds(1800));

  @TempDir Path tmp;
  private Path checkout;
  private Path calls;

  record Launch(String mvn, List<String> java) {}

  @BeforeEach
  void standInCheckout() throws Exception {
    checkout = tmp.resolve("checkout");
    Path bin = Files.createDirectories(checkout.resolve("bin"));
    Files.copy(ROOT.resolve("bin/talkset"), bin.resolve("talkset"));
    executable(bin.resolve("talkset"));
    for (String f : new String[] {"pom.xml", ".mvn/maven.config", "core/pom.xml",
        "core/src/main/java/A.java", "core/src/test/java/ATest.java", "jobs/pom.xml",
        "jobs/src/main/resources/talkset.properties"}) {
      write(checkout.resolve(f), "x", HOUR_AGO);
    }
    // Folders count too (a deleted source changes its folder): all of them an hour old.
    try (var paths = Files.walk(checkout)) {
      for (Path p : paths.toList()) {
        Files.setLastModifiedTime(p, HOUR_AGO);
      }
    }
    write(checkout.resolve("jobs/target/talkset.jar"), "jar", HALF_HOUR_AGO);
    write(checkout.resolve("jobs/target/spark-classpath.txt"), "/spark.jar", HALF_HOUR_AGO);
    calls = tmp.resolve("calls");
    Files.createDirectories(calls);
    Path fake = Files.createDirectories(tmp.resolve("fake-bin"));
    // Maven "builds" by touching the jar, as package does.
    write(fake.resolve("mvn"), "#!/bin/sh\necho \"$@\" >> '" + calls.resolve("mvn") + "'\n"
        + "touch '" + checkout.resolve("jobs/target/talkset.jar") + "'\n", null);
    write(fake.resolve("java"), "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > '"
        + calls.resolve("java") + "'\n", null);
    executable(fake.resolve("mvn"));
    executable(fake.resolve("java"));
  }

  private Launch launch(String master) throws Exception {
    Files.deleteIfExists(calls.resolve("mvn"));
    Files.deleteIfExists(calls.resolve("java"));
    ProcessBuilder pb = new ProcessBuilder(checkout.resolve("bin/talkset").toString(), "run",
        "--input", "/in", "--output", "/out");
    pb.environment().put("PATH", tmp.resolve("fake-bin") + ":/usr/bin:/bin");
    pb.environment().put("TALKSET_CACHE", tmp.resolve("cache").toString());
    pb.environment().remove("TALKSET_SUBMIT_ARGS");
    if (master == null) {
      pb.environment().remove("TALKSET_MASTER");
    } else {
      pb.environment().put("TALKSET_MASTER", master);
    }
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bin/talkset did not finish");
    assertEquals(0, p.exitValue(), out);
    String mvn = Files.exists(calls.resolve("mvn")) ? Files.readString(calls.resolve("mvn")) : "";
    return new Launch(mvn, Files.readAllLines(calls.resolve("java")));
  }

  @Test
  void buildsOnlyWhenABuildInputIsNewerThanTheJar() throws Exception {
    assertEquals("", launch("local[2]").mvn(), "sources older than the jar: no build");

    // What bin/demo leaves in the checkout (demo-output/_runs/*.json) and a test source.
    write(checkout.resolve("demo-output/_runs/20261204T000000Z-local-1.json"), "{}", null);
    write(checkout.resolve("demo-output/clips/_talkset.json"), "{}", null);
    write(checkout.resolve("core/src/test/java/ATest.java"), "y", null);
    assertEquals("", launch("local[2]").mvn(), "run outputs and tests are not build inputs");

    write(checkout.resolve("core/src/main/java/A.java"), "y", null);
    assertTrue(launch("local[2]").mvn().contains("package"), "a changed main source builds");
    assertEquals("", launch("local[2]").mvn(), "built once, then the jar is current");

    write(checkout.resolve("jobs/pom.xml"), "y", null);
    assertTrue(launch("local[2]").mvn().contains("package"), "a changed pom builds");
  }

  @Test
  void localModeNamesNoApplicationJarAndNoUi() throws Exception {
    String jar = checkout.resolve("jobs/target/talkset.jar").toString();
    for (String master : new String[] {null, "local", "local[1]", "local[*]"}) {
      List<String> java = launch(master).java();
      assertEquals(List.of("spark-internal", "run", "--input", "/in", "--output", "/out"),
          java.subList(java.size() - 6, java.size()), "master " + master);
      assertTrue(java.contains("spark.ui.enabled=false"), "master " + master + ": " + java);
      assertTrue(java.get(java.indexOf("-cp") + 1).startsWith(jar + ":"), "jar on the class path");
    }
    for (String master : new String[] {"spark://127.0.0.1:7077", "local-cluster[2,1,1024]",
        "yarn"}) {
      List<String> java = launch(master).java();
      assertEquals(List.of(jar, "run", "--input", "/in", "--output", "/out"),
          java.subList(java.size() - 6, java.size()), "master " + master);
      assertFalse(java.contains("spark.ui.enabled=false"), "master " + master + ": " + java);
      assertEquals(master, java.get(java.indexOf("--master") + 1));
    }
  }

  private static void write(Path p, String text, FileTime mtime) throws Exception {
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    if (mtime != null) {
      Files.setLastModifiedTime(p, mtime);
    }
  }

  private static void executable(Path p) throws Exception {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
