package io.talkset.jobs.runtime;

import ai.djl.Device;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.nio.file.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * Where the model stages (frames, params, evaluate) run their networks and find their model
 * files: the device follows the GPU Spark assigned to the task, never an assumed one, and the
 * models folder follows the environment. One place, so no stage reaches into another for them.
 */
public final class Devices {
  private static final Logger LOG = LoggerFactory.getLogger(Devices.class);
  private static final java.util.Set<String> WARNED =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private Devices() {}

  /** Where a task runs its model, and why. */
  public record Placement(Device device, String description) {}

  /**
   * The default of every stage's {@code --models}: {@code TALKSET_MODELS}, else
   * {@code TALKSET_CACHE/models}, else {@code ~/.cache/talkset/models} (bin/fetch-models).
   */
  public static String defaultModelsDir() {
    String env = System.getenv("TALKSET_MODELS");
    if (env != null && !env.isBlank()) {
      return env;
    }
    String cache = System.getenv("TALKSET_CACHE");
    return (cache != null && !cache.isBlank() ? Path.of(cache)
        : Path.of(System.getProperty("user.home"), ".cache", "talkset")).resolve("models")
        .toString();
  }

  /**
   * The device for a task: {@code cpu} mode always gives the CPU; {@code auto} gives the first
   * GPU address in the task's {@code gpu} resource when ONNX Runtime has its CUDA provider (the
   * {@code gpu} Maven profile's build), else the CPU with a logged warning.
   */
  public static Placement placement(String mode, TaskContext task) {
    if ("cpu".equals(mode) || task == null) {
      return new Placement(Device.cpu(), "cpu");
    }
    Option<ResourceInformation> gpu = task.resources().get("gpu");
    if (gpu.isEmpty() || gpu.get().addresses().length == 0) {
      return new Placement(Device.cpu(), "cpu");
    }
    String address = gpu.get().addresses()[0];
    int id;
    try {
      id = Integer.parseInt(address.trim());
    } catch (NumberFormatException e) {
      String why = "cpu (task was assigned gpu '" + address
          + "', which is not a CUDA device number)";
      warnOnce(why);
      return new Placement(Device.cpu(), why);
    }
    if (!cudaAvailable()) {
      String why = "cpu (task was assigned gpu " + id + ", but this ONNX Runtime build has no"
          + " CUDA provider: build with -Pgpu on executors with CUDA)";
      warnOnce(why);
      return new Placement(Device.cpu(), why);
    }
    return new Placement(Device.gpu(id), "gpu(" + id + ")");
  }

  /**
   * A fallback is logged once per executor JVM, not once per task: the stage's summary and each
   * clip's {@code device} column say it for the whole run.
   */
  private static void warnOnce(String why) {
    if (WARNED.add(why)) {
      LOG.warn("model tasks run on the {}", why);
    }
  }

  public static boolean cudaAvailable() {
    try {
      return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    } catch (Throwable t) {
      return false;
    }
  }
}
