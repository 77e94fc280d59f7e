package io.talkset.core.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.testing.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
  @Test
  void thePinnedFileIsAcceptedAndAnyOtherRefused(@TempDir Path tmp) throws Exception {
    Path ok = ModelFiles.verified(Samples.models(), ModelFiles.BLAZEFACE_256);
    assertTrue(Files.isRegularFile(ok));
    assertEquals(64, ModelFiles.pin(ModelFiles.BLAZEFACE_128).length());

    Path bad = tmp.resolve(ModelFiles.BLAZEFACE_256);
    Files.createDirectories(bad.getParent());
    Files.copy(ok, bad);
    byte[] b = Files.readAllBytes(bad);
    b[b.length / 2] ^= 1;
    Files.write(bad, b);
    ProbeException e = assertThrows(ProbeException.class,
        () -> ModelFiles.verified(tmp, ModelFiles.BLAZEFACE_256));
    assertEquals(ErrorCodes.MODEL_MISMATCH, e.code());
    assertTrue(e.getMessage().contains("not the pinned"), e.getMessage());
    e = assertThrows(ProbeException.class,
        () -> ModelFiles.verified(tmp, ModelFiles.BLAZEFACE_128));
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
  }
}
