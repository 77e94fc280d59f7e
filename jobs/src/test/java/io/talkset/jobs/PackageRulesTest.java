package io.talkset.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.testing.PackageRules;
import java.nio.file.Path;
import java.util.List;
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
    PackageRules rules = PackageRules.read(ROOT.resolve("jobs/src/main/java"), "io.talkset.jobs");
    assertTrue(rules.uses.size() >= 15, "read " + rules.uses.keySet());
    assertEquals(List.of(), rules.undocumented(), "packages without a package-info");
    assertEquals(List.of(), rules.violations(), "imports their package-info does not allow");
    assertEquals(Set.of(), rules.cycles(), "packages on an import loop");
  }

  @Test
  void udfsUseOnlyCore() throws Exception {
    PackageRules rules = PackageRules.read(ROOT.resolve("udfs/src/main/java"), "io.talkset");
    assertEquals(Set.of(), rules.uses.getOrDefault("io.talkset.udf", Set.of()).stream()
        .filter(p -> !p.startsWith("io.talkset.core.")).collect(java.util.stream.Collectors
            .toSet()), "the UDFs adapt core and nothing else");
  }
}
