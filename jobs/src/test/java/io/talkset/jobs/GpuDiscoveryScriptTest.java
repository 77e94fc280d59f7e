package io.talkset.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cluster-config/gpu/getGpusResources.sh prints what Spark's resource discovery parses
 * ({@code {"name": "gpu", "addresses": [...]}}), from a stand-in nvidia-smi on a PATH that holds
 * nothing else the script could find by accident (a real nvidia-smi on this machine included).
 */
class GpuDiscoveryScriptTest {
  private static final Path ROOT =
      Path.of(System.getProperty("talkset.root", "..")).toAbsolutePath().normalize();
  private static final Path SCRIPT = ROOT.resolve("cluster-config/gpu/getGpusResources.sh");

  @TempDir Path tmp;

  /** Runs the script with only {@code tr} and, when given, a fake nvidia-smi on the PATH. */
  private JsonNode discover(String fakeNvidiaSmi) throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("tr"), findOnPath("tr"));
    if (fakeNvidiaSmi != null) {
      Path smi = bin.resolve("nvidia-smi");
      Files.writeString(smi, "#!/bin/sh\n" + fakeNvidiaSmi);
      Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    ProcessBuilder pb = new ProcessBuilder(findOnPath("bash").toString(), SCRIPT.toString());
    pb.environment().put("PATH", bin.toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "script did not finish");
    assertEquals(0, p.exitValue(), out);
    assertEquals(1, out.strip().lines().count(), out);
    return new ObjectMapper().readTree(out);
  }

  private static Path findOnPath(String name) {
    for (String dir : System.getenv("PATH").split(":")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new AssertionError(name + " is not on the PATH");
  }

  private static List<String> addresses(JsonNode json) {
    assertEquals("gpu", json.get("name").asText(), json.toString());
    assertTrue(json.get("addresses").isArray(), json.toString());
    List<String> out = new ArrayList<>();
    json.get("addresses").forEach(a -> {
      assertTrue(a.isTextual(), "addresses are JSON strings: " + json);
      out.add(a.asText());
    });
    return out;
  }

  @Test
  void listsTheIndicesNvidiaSmiReportsAsStrings() throws Exception {
    // What `nvidia-smi --query-gpu=index --format=csv,noheader` prints on a two-GPU node; the
    // stub fails on any other query, so the script must ask exactly that.
    JsonNode json = discover("""
        [ "$*" = "--query-gpu=index --format=csv,noheader" ] || { echo "bad query: $*"; exit 7; }
        echo 0
        echo 1
        """);
    assertEquals(List.of("0", "1"), addresses(json));
  }

  @Test
  void printsAnEmptyAddressListWithoutNvidiaSmi() throws Exception {
    assertEquals(List.of(), addresses(discover(null)));
  }

  @Test
  void printsAnEmptyAddressListWhenNvidiaSmiFails() throws Exception {
    // nvidia-smi without a driver prints its complaint on stdout and exits non-zero.
    JsonNode json = discover("""
        echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."
        exit 9
        """);
    assertEquals(List.of(), addresses(json));
  }
}
