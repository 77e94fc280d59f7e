package io.talkset.jobs.frames;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.faces.BlazeFace;
import io.talkset.core.models.ModelFiles;
import io.talkset.jobs.runtime.Devices.Placement;
import io.talkset.jobs.runtime.Devices;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.spark.TaskContext;

/**
 * Detectors kept for the life of the executor JVM: loading an ONNX session costs tens of
 * milliseconds and native memory, so each task borrows one and gives it back, and the pool is
 * closed when the JVM exits. The device is decided per task: the GPU Spark assigned to the task
 * (resource {@code gpu}) when ONNX Runtime can use it, else the CPU ({@link Devices#placement}).
 */
public final class Detectors {
  private static final Map<String, ConcurrentLinkedQueue<BlazeFace>> POOL =
      new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> POOL.values().forEach(q -> {
      BlazeFace b;
      while ((b = q.poll()) != null) {
        b.close();
      }
    }), "talkset-detectors-close"));
  }

  /**
   * Borrowed detectors: the main one, and the short-range one for shots of large faces under
   * {@code --detector auto} (else null). Give them back with {@link #close()}.
   */
  static final class Lease implements AutoCloseable {
    final BlazeFace detector;
    final BlazeFace near;
    final Placement placement;
    private final String key;
    private final String nearKey;

    private Lease(BlazeFace detector, String key, BlazeFace near, String nearKey,
        Placement placement) {
      this.detector = detector;
      this.key = key;
      this.near = near;
      this.nearKey = nearKey;
      this.placement = placement;
    }

    @Override
    public void close() {
      POOL.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).add(detector);
      if (near != null) {
        POOL.computeIfAbsent(nearKey, k -> new ConcurrentLinkedQueue<>()).add(near);
      }
    }
  }

  private Detectors() {}

  static Lease borrow(FramesConfig cfg) throws ProbeException {
    Placement where = Devices.placement(cfg.device(), TaskContext.get());
    int side = cfg.detector() == 128 ? 128 : 256;
    String key = key(cfg, side, where);
    BlazeFace d = take(cfg, side, where, key);
    if (cfg.detector() != FramesConfig.AUTO) {
      return new Lease(d, key, null, null, where);
    }
    String nearKey = key(cfg, 128, where);
    try {
      return new Lease(d, key, take(cfg, 128, where, nearKey), nearKey, where);
    } catch (ProbeException | RuntimeException e) {
      POOL.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).add(d);
      throw e;
    }
  }

  private static String key(FramesConfig cfg, int side, Placement where) {
    return cfg.models() + "|" + side + "|" + where.device() + "|" + cfg.minScore();
  }

  private static BlazeFace take(FramesConfig cfg, int side, Placement where, String key)
      throws ProbeException {
    BlazeFace d = POOL.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).poll();
    if (d != null) {
      return d;
    }
    Path model = ModelFiles.verified(Path.of(cfg.models()),
        side == 128 ? ModelFiles.BLAZEFACE_128 : ModelFiles.BLAZEFACE_256);
    try {
      return new BlazeFace(model, side, where.device(), cfg.minScore(), 0.3f);
    } catch (Exception e) {
      throw new ProbeException(ErrorCodes.INTERNAL, "cannot load " + model + " on "
          + where.device() + ": " + e, e);
    }
  }
}
