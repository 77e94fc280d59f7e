package io.talkset.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Untrusted file names never reach a shell or any other process: the shipped code decodes and
 * probes in-process (FFmpeg through JavaCV) and starts no processes at all. This keeps it that
 * way by reading the compiled classes, not the source text: a class that can start a process
 * must name {@code java.lang.ProcessBuilder} or {@code Runtime.exec} in its constant pool
 * (however the call is spelt, through a variable, a {@code var}, a static import or a method
 * reference), and one that looks them up by reflection must hold their names as string
 * constants. {@code ProcessHandle} starts nothing; reading one (a pid, whether it is alive, when
 * it started: {@code OutputLock}'s stale-lock rule) is allowed, acting on one ({@code destroy},
 * {@code destroyForcibly}) is not. A future need for a process must come with argument lists, never
 * a command string, and a change here.
 */
class NoProcessesTest {
  private static final Path ROOT = Path.of(System.getProperty("talkset.root", ".."))
      .toAbsolutePath().normalize();
  /** Classes whose mere use means a process (or a handle on one) can be started. */
  private static final Set<String> PROCESS_CLASSES = Set.of("java/lang/ProcessBuilder",
      "java/lang/ProcessBuilder$Redirect", "java/lang/Process");
  /** Methods that act on another process through its handle. */
  private static final Set<String> HANDLE_ACTIONS = Set.of("destroy", "destroyForcibly");
  /** The same names as reflection would spell them. */
  private static final Set<String> REFLECTED = Set.of("java.lang.ProcessBuilder",
      "java.lang.Process", "java.lang.ProcessHandle");

  @Test
  void shippedCodeStartsNoProcess() throws IOException {
    List<Path> roots = List.of(ROOT.resolve("core/target/classes"),
        ROOT.resolve("udfs/target/classes"), ROOT.resolve("jobs/target/classes"),
        ROOT.resolve("schemas/target/classes"));
    int classes = 0;
    StringBuilder offenders = new StringBuilder();
    for (Path r : roots) {
      assertTrue(Files.isDirectory(r), r + " missing: build the modules first");
      try (Stream<Path> s = Files.walk(r)) {
        for (Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".class"))::iterator) {
          classes++;
          try (InputStream in = Files.newInputStream(p)) {
            for (String use : processUses(in)) {
              offenders.append(ROOT.relativize(p)).append(": ").append(use).append('\n');
            }
          }
        }
      }
    }
    assertTrue(classes > 200, "scanned " + classes + " classes");
    assertEquals("", offenders.toString(), "these main-code classes can start processes");
  }

  /** The scan itself finds every spelling, on classes compiled here (this test's own). */
  @Test
  void theScanFindsProcessUseHoweverItIsSpelt() throws IOException {
    assertEquals(List.of("class java/lang/ProcessBuilder"), uses(ViaVariable.class));
    assertEquals(List.of("method java/lang/Runtime.exec"), uses(ViaRuntimeVariable.class));
    assertEquals(List.of("string java.lang.ProcessBuilder"), uses(ViaReflection.class));
    assertEquals(List.of(), uses(NoProcess.class));
    assertEquals(List.of(), uses(ReadsAHandle.class));
    assertEquals(List.of("method java/lang/ProcessHandle.destroy"), uses(KillsViaHandle.class));
    // Not a class file at all: said, not skipped.
    assertThrows(IOException.class, () -> processUses(new java.io.ByteArrayInputStream(
        new byte[] {1, 2, 3, 4})));
  }

  static final class ViaVariable {
    Object start(List<String> cmd) throws IOException {
      var pb = new ProcessBuilder(cmd);
      return pb.start();
    }
  }

  static final class ViaRuntimeVariable {
    void run(String cmd) throws IOException {
      Runtime r = Runtime.getRuntime();
      r.exec(new String[] {cmd});
    }
  }

  static final class ViaReflection {
    Object load() throws ReflectiveOperationException {
      return Class.forName("java.lang.ProcessBuilder");
    }
  }

  static final class NoProcess {
    void hook() {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {}));
    }
  }

  static final class ReadsAHandle {
    boolean alive(long pid) {
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
          && ProcessHandle.current().pid() > 0;
    }
  }

  static final class KillsViaHandle {
    void kill(long pid) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    }
  }

  private static List<String> uses(Class<?> c) throws IOException {
    try (InputStream in = c.getResourceAsStream(
        c.getName().substring(c.getName().lastIndexOf('.') + 1) + ".class")) {
      return processUses(in);
    }
  }

  /**
   * What a class file's constant pool names that can start a process: classes, {@code exec}
   * methods of {@code java.lang.Runtime}, and the process classes' names as strings (JVM
   * specification, 4.4: the pool is the only place a class names what it uses).
   */
  static List<String> processUses(InputStream classFile) throws IOException {
    DataInputStream in = new DataInputStream(classFile);
    if (in.readInt() != 0xCAFEBABE) {
      throw new IOException("not a class file");
    }
    in.readUnsignedShort(); // minor version
    in.readUnsignedShort(); // major version
    int count = in.readUnsignedShort();
    String[] utf8 = new String[count];
    int[] classNameIndex = new int[count];
    int[] stringIndex = new int[count];
    int[][] memberRef = new int[count][];
    int[][] nameAndType = new int[count][];
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> utf8[i] = in.readUTF();
        case 7 -> classNameIndex[i] = in.readUnsignedShort();
        case 8 -> stringIndex[i] = in.readUnsignedShort();
        case 9, 10, 11 -> memberRef[i] = new int[] {in.readUnsignedShort(),
            in.readUnsignedShort()};
        case 12 -> nameAndType[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
        case 3, 4 -> in.readInt();
        case 5, 6 -> {
          in.readLong();
          i++; // long and double take two entries
        }
        case 15 -> {
          in.readUnsignedByte();
          in.readUnsignedShort();
        }
        case 16, 19, 20 -> in.readUnsignedShort();
        case 17, 18 -> in.readInt();
        default -> throw new IOException("unknown constant pool tag " + tag + " at " + i);
      }
    }
    List<String> found = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      if (classNameIndex[i] != 0) {
        String name = utf8[classNameIndex[i]];
        if (PROCESS_CLASSES.contains(name)) {
          found.add("class " + name);
        }
      } else if (stringIndex[i] != 0 && REFLECTED.contains(utf8[stringIndex[i]])) {
        found.add("string " + utf8[stringIndex[i]]);
      } else if (memberRef[i] != null) {
        String owner = utf8[classNameIndex[memberRef[i][0]]];
        String member = utf8[nameAndType[memberRef[i][1]][0]];
        if ("java/lang/Runtime".equals(owner) && "exec".equals(member)
            || "java/lang/ProcessHandle".equals(owner) && HANDLE_ACTIONS.contains(member)) {
          found.add("method " + owner + "." + member);
        }
      }
    }
    return found;
  }
}
