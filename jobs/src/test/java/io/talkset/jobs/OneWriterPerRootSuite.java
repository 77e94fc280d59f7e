package io.talkset.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.talkset.jobs.cli.UsageException;
import io.talkset.jobs.io.OutputLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer per dataset root ({@link OutputLock}): a second run is refused with a usage error
 * naming the holder, before it touches the first one's staging; dead holders' locks are taken
 * over, live ones never.
 */
class OneWriterPerRootSuite {
  private final Configuration conf = new Configuration();

  @Test
  void aSecondWriterIsRefusedNamingTheHolderAndTheFirstRunsStagingSurvives(@TempDir Path in,
      @TempDir Path root, @TempDir Path other) throws Exception {
    try (OutputLock first = OutputLock.acquire(conf, root.toString(), "run")) {
      // The first run is writing its manifest: a second crawl's recovery would delete this.
      Path staging = Files.createDirectories(root.resolve(".clips.staging-1a2b3c4d"));
      Files.writeString(staging.resolve("part-00000.parquet"), "being written");
      String before = Files.readString(root.resolve(OutputLock.FILE));
      TalksetCliTest.Outcome o = TalksetCliTest.execute("crawl", "--input", in.toString(),
          "--output", root.toString());
      assertEquals(2, o.code(), o.err());
      long pid = ProcessHandle.current().pid();
      assertTrue(o.err().startsWith("talkset crawl: dataset root " + root
          + " is being written by another run: talkset run on host "), o.err());
      assertTrue(o.err().contains(", pid " + pid + ", user "), o.err());
      assertTrue(o.err().contains("delete " + root.resolve(OutputLock.FILE)), o.err());
      assertEquals(1, o.err().strip().lines().count(), o.err());
      assertTrue(Files.exists(staging.resolve("part-00000.parquet")), "staging untouched");
      assertFalse(Files.exists(root.resolve("clips")));
      assertFalse(Files.exists(root.resolve("_runs")), "no run summary for a refused run");
      assertEquals(before, Files.readString(root.resolve(OutputLock.FILE)));
      // Another root is free.
      OutputLock.acquire(conf, other.toString(), "frames").close();
    }
    assertFalse(Files.exists(root.resolve(OutputLock.FILE)), "released");
    OutputLock.acquire(conf, root.toString(), "crawl").close();
  }

  @Test
  void aLockWhoseProcessIsGoneOrReusedIsTakenOverAtOnce(@TempDir Path root) throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    writeLock(root, OutputLockHost.get(), p.pid(), null, "dead");
    try (OutputLock l = OutputLock.acquire(conf, root.toString(), "audio")) {
      JsonNode held = read(root);
      assertEquals("audio", held.get("job").asText());
      assertEquals(String.valueOf(ProcessHandle.current().pid()), held.get("pid").asText());
    }
    // This very pid, but recorded with another start time: the pid was reused.
    writeLock(root, OutputLockHost.get(), ProcessHandle.current().pid(),
        "2001-01-01T00:00:00Z", "reused");
    OutputLock.acquire(conf, root.toString(), "audio").close();
    assertFalse(Files.exists(root.resolve(OutputLock.FILE)));
  }

  @Test
  void aLockFromAnotherHostIsKeptUntilItsHeartbeatIsOlderThanTheLimit(@TempDir Path root)
      throws Exception {
    writeLock(root, "other-host.example", 4242, null, "remote");
    UsageException e = assertThrows(UsageException.class,
        () -> OutputLock.acquire(conf, root.toString(), "params"));
    assertTrue(e.getMessage().contains("talkset run on host other-host.example, pid 4242"),
        e.getMessage());
    // Silent for 11 minutes: past the default 10.
    Files.setLastModifiedTime(root.resolve(OutputLock.FILE),
        FileTime.from(Instant.now().minusSeconds(660)));
    Configuration patient = new Configuration();
    patient.setLong(OutputLock.STALE_SECONDS, 900);
    assertThrows(UsageException.class, () -> OutputLock.acquire(patient, root.toString(), "x"));
    try (OutputLock l = OutputLock.acquire(conf, root.toString(), "params")) {
      assertEquals("params", read(root).get("job").asText());
      assertFalse(read(root).get("token").asText().equals("remote"));
    }
  }

  @Test
  void releaseLeavesALockThatIsNoLongerThisRuns(@TempDir Path root) throws Exception {
    OutputLock mine = OutputLock.acquire(conf, root.toString(), "sync");
    writeLock(root, "other-host.example", 7, null, "theirs");
    mine.close();
    assertEquals("theirs", read(root).get("token").asText());
  }

  private static void writeLock(Path root, String host, long pid, String started, String token)
      throws Exception {
    Files.writeString(root.resolve(OutputLock.FILE), "{\"job\": \"run\", \"host\": \"" + host
        + "\", \"pid\": \"" + pid + "\", \"process_started\": "
        + (started == null ? "null" : "\"" + started + "\"") + ", \"user\": \"someone\","
        + " \"since\": \"2026-12-04T00:00:00Z\", \"token\": \"" + token + "\"}\n");
  }

  private static JsonNode read(Path root) throws Exception {
    return new ObjectMapper().readTree(root.resolve(OutputLock.FILE).toFile());
  }

  /** The host name the lock records, as the JDK gives it. */
  private static final class OutputLockHost {
    static String get() throws Exception {
      return java.net.InetAddress.getLocalHost().getHostName();
    }
  }
}
