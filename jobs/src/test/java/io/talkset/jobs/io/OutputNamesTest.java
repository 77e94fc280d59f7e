package io.talkset.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Folder names under the dataset root cannot climb out of it or hide as staging folders. */
class OutputNamesTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"clips", "face_params_clips", "20261122T081057Z-a1b2c3", "v1.2"})
  void plainSegmentsPass(String name) {
    assertEquals(name, OutputNames.segment("table name", name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "..", "../etc", "a/b", "/abs", "a\\b", ".clips.staging-1",
      "x\u0000y", "sp ace", "é", "hdfs://nn/x"})
  void namesThatCouldLeaveTheRootAreRefused(String name) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OutputNames.segment("batch id", name));
    assertTrue(e.getMessage().startsWith("batch id must be one path segment"), e.getMessage());
    assertTrue(e.getMessage().endsWith("got '" + name + "'"), e.getMessage());
  }

  @Test
  void overlongNamesAreRefused() {
    assertEquals(128, OutputNames.segment("table name", "a".repeat(128)).length());
    assertThrows(IllegalArgumentException.class,
        () -> OutputNames.segment("table name", "a".repeat(129)));
  }

  @Test
  void theCommitterRefusesABadTableOrBatchBeforeTouchingTheFileSystem() throws Exception {
    Path root = tmp.resolve("out");
    Files.createDirectories(root);
    Configuration conf = new Configuration(false);
    assertThrows(IllegalArgumentException.class,
        () -> new TableCommitter(conf, root.toUri().toString(), "../escaped"));
    TableCommitter t = new TableCommitter(conf, root.toUri().toString(), "frames");
    assertEquals(root.resolve("frames").toUri().getPath().replaceAll("/$", ""),
        t.table().toUri().getPath());
    assertThrows(IllegalArgumentException.class, () -> t.dropBatch("../../victim"));
    assertThrows(IllegalArgumentException.class, () -> t.appendBatch(null, "x/../../y", "{}"));
    try (var s = Files.list(tmp)) {
      assertEquals(1, s.count(), "nothing written beside the root");
    }
    assertFalse(Files.exists(root.resolve("frames")));
  }
}
