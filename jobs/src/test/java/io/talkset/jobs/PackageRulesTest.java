package io.talkset.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.talkset.testing.PackageRules;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The jobs' packages import only what their package-info says they may: every stage may use the
 * shared runtime, io and cli packages, no stage reaches into another, and there is no loop.
 */
class PackageRulesTest {
  private static final Path ROOT = Path.of(System.getProperty("talkset.root", ".."))
      .toAbsolutePath().normalize();

  @Test
  void jobPackagesFollowTheirPackageInfo() throws Exception {
    PackageRules.assertFollowed("jobs", "io.talkset.jobs", 15);
  }

  @Test
  void udfsUseOnlyCore() throws Exception {
    PackageRules rules = PackageRules.read(ROOT.resolve("udfs/src/main/java"), "io.talkset");
    assertEquals(Set.of(), rules.uses.getOrDefault("io.talkset.udf", Set.of()).stream()
        .filter(p -> !p.startsWith("io.talkset.core.")).collect(java.util.stream.Collectors
            .toSet()), "the UDFs adapt core and nothing else");
  }
}
