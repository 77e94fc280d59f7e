package io.talkset.jobs.runtime;

import io.talkset.core.errors.ProbeException;
import io.talkset.core.models.ModelFiles;
import io.talkset.jobs.cli.UsageException;
import java.nio.file.Path;
import java.util.List;

/**
 * The model stages' check of their pinned model files on the driver, before any task starts: a
 * wrong {@code --models} folder then fails the stage at once, with a message naming the file,
 * instead of failing every clip in every task (and, before failed clips were retried, marking
 * them failed for good). Executors check the files again when they load them, since on a
 * cluster each node has its own copy of the folder.
 */
public final class ModelCheck {
  private ModelCheck() {}

  /**
   * Checks {@code files} (paths under the models folder, as in {@code models.lock}) against
   * their pins.
   *
   * @throws UsageException naming the option, the stage, the missing or mismatched file and
   *     what to do, when one is not the pinned file: bin/talkset prints it as one line and
   *     exits with 2, as for any other wrong argument
   */
  public static void beforeTasks(String stage, String modelsDir, List<String> files) {
    for (String f : files) {
      try {
        ModelFiles.verified(Path.of(modelsDir), f);
      } catch (ProbeException e) {
        throw new UsageException("--models " + modelsDir + " is not usable for the " + stage
            + " stage: " + e.getMessage() + "; no clip was processed");
      }
    }
  }
}
