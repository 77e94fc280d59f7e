package io.talkset.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The package rules of a source tree, read from its own files: each package's
 * {@code package-info.java} says which sibling packages it may import ({@code May import: a, b.}
 * or {@code nothing}), and every reference to another package under the same prefix, imported
 * or written out in full, must be among them. Together with the rule that the graph has no
 * cycle, a newcomer can trust the package comments as the architecture.
 */
public final class PackageRules {
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
  private static final Pattern MAY_IMPORT = Pattern.compile("May import:([^.]*)\\.");
  private static final Pattern STRING = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"");
  private static final Pattern COMMENT = Pattern.compile("(?s)/\\*.*?\\*/|//[^\\n]*");
  private static final Pattern LINK = Pattern.compile("\\{@link(?:plain)?\\s+([\\w.]+)");

  /** Each package's references to other packages under the prefix, by package. */
  public final Map<String, Set<String>> uses = new TreeMap<>();
  /** Each package's declared allowed imports, by package (absent: no package-info). */
  public final Map<String, Set<String>> allowed = new TreeMap<>();
  private final String prefix;

  private PackageRules(String prefix) {
    this.prefix = prefix;
  }

  /** Reads every {@code .java} file under {@code sourceRoot} for packages under {@code prefix}. */
  public static PackageRules read(Path sourceRoot, String prefix) throws IOException {
    PackageRules rules = new PackageRules(prefix);
    List<Path> files;
    try (Stream<Path> s = Files.walk(sourceRoot)) {
      files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    Pattern reference = Pattern.compile("\\b(" + Pattern.quote(prefix) + "(?:\\.[a-z]\\w*)*)"
        + "\\.[A-Z]");
    for (Path p : files) {
      String text = Files.readString(p);
      Matcher pm = PACKAGE.matcher(text);
      if (!pm.find()) {
        continue;
      }
      String pkg = pm.group(1);
      if (p.getFileName().toString().equals("package-info.java")) {
        Matcher m = MAY_IMPORT.matcher(text.replaceAll("\\s*\\n\\s*\\*\\s*", " "));
        Set<String> names = new TreeSet<>();
        if (m.find()) {
          for (String n : m.group(1).split(",")) {
            String name = n.trim();
            if (!name.isEmpty() && !name.startsWith("nothing")) {
              names.add(name.startsWith("io.talkset") ? name : rules.qualify(name));
            }
          }
        }
        rules.allowed.put(pkg, names);
        continue;
      }
      // Code and {@link} targets count; strings and plain comments do not.
      String code = STRING.matcher(text).replaceAll("\"\"");
      StringBuilder links = new StringBuilder();
      Matcher lm = LINK.matcher(code);
      while (lm.find()) {
        links.append(' ').append(lm.group(1));
      }
      code = COMMENT.matcher(code).replaceAll(" ") + links;
      Set<String> used = rules.uses.computeIfAbsent(pkg, k -> new TreeSet<>());
      Matcher rm = reference.matcher(code);
      while (rm.find()) {
        if (!rm.group(1).equals(pkg)) {
          used.add(rm.group(1));
        }
      }
    }
    return rules;
  }

  private String qualify(String name) {
    return prefix + "." + name;
  }

  /** Packages without a package-info that states what they may import. */
  public List<String> undocumented() {
    List<String> out = new ArrayList<>();
    for (String p : uses.keySet()) {
      if (!allowed.containsKey(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /** {@code a -> b} for every reference that a's package-info does not allow. */
  public List<String> violations() {
    List<String> out = new ArrayList<>();
    uses.forEach((p, used) -> {
      Set<String> ok = allowed.getOrDefault(p, Set.of());
      for (String u : used) {
        if (!ok.contains(u)) {
          out.add(p + " -> " + u);
        }
      }
    });
    return out;
  }

  /**
   * The repository's tree {@code module/src/main/java} read for packages under {@code prefix},
   * checked: at least {@code minPackages} read, each with a package-info, every reference
   * allowed by it, and no package on an import loop.
   */
  public static void assertFollowed(String module, String prefix, int minPackages)
      throws IOException {
    Path root = Path.of(System.getProperty("talkset.root", "..")).toAbsolutePath().normalize();
    PackageRules rules = read(root.resolve(module + "/src/main/java"), prefix);
    assertTrue(rules.uses.size() >= minPackages, "read " + rules.uses.keySet());
    assertEquals(List.of(), rules.undocumented(), "packages without a package-info");
    assertEquals(List.of(), rules.violations(), "imports their package-info does not allow");
    assertEquals(Set.of(), rules.cycles(), "packages on an import loop");
  }

  /** The packages on some cycle of the reference graph (empty: the graph is a DAG). */
  public Set<String> cycles() {
    // Repeatedly remove packages that reference nothing left; what remains lies on or behind
    // a cycle, and of those the ones that reach themselves are on one.
    Map<String, Set<String>> g = new TreeMap<>();
    uses.forEach((p, u) -> g.put(p, new TreeSet<>(u)));
    boolean removed = true;
    while (removed) {
      removed = false;
      for (String p : new ArrayList<>(g.keySet())) {
        g.get(p).retainAll(g.keySet());
        if (g.get(p).isEmpty()) {
          g.remove(p);
          removed = true;
        }
      }
    }
    Set<String> onCycle = new TreeSet<>();
    for (String start : g.keySet()) {
      if (reaches(g, start, start, new TreeSet<>())) {
        onCycle.add(start);
      }
    }
    return onCycle;
  }

  private static boolean reaches(Map<String, Set<String>> g, String from, String target,
      Set<String> seen) {
    for (String n : g.getOrDefault(from, Set.of())) {
      if (n.equals(target)) {
        return true;
      }
      if (seen.add(n) && reaches(g, n, target, seen)) {
        return true;
      }
    }
    return false;
  }
}
