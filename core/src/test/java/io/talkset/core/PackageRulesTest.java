package io.talkset.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.talkset.testing.PackageRules;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Core's packages import only what their package-info says they may, and never each other in a
 * loop. (That core imports no Spark, Hadoop, UDF or job class is Maven's to enforce: core's pom
 * bans those dependencies, so such an import does not compile.)
 */
class PackageRulesTest {
  @Test
  void corePackagesFollowTheirPackageInfo() throws Exception {
    PackageRules.assertFollowed("core", "io.talkset.core", 15);
  }

  @Test
  void aLoopAndAnUndeclaredImportAreFound(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path a = dir.resolve("x/a");
    Path b = dir.resolve("x/b");
    java.nio.file.Files.createDirectories(a);
    java.nio.file.Files.createDirectories(b);
    java.nio.file.Files.writeString(a.resolve("package-info.java"),
        "/**\n * A.\n *\n * <p>May import: b.\n */\npackage x.a;\n");
    java.nio.file.Files.writeString(b.resolve("package-info.java"),
        "/**\n * B.\n *\n * <p>May import: nothing.\n */\npackage x.b;\n");
    java.nio.file.Files.writeString(a.resolve("A.java"),
        "package x.a;\nimport x.b.B;\nclass A { B b; }\n");
    // A fully written name counts; one in a string or a plain comment does not.
    java.nio.file.Files.writeString(b.resolve("B.java"), "package x.b;\n// x.a.A in a comment\n"
        + "class B { String s = \"x.a.A\"; x.a.A a; }\n");
    PackageRules rules = PackageRules.read(dir, "x");
    assertEquals(List.of("x.b -> x.a"), rules.violations());
    assertEquals(Set.of("x.a", "x.b"), rules.cycles());
  }
}
