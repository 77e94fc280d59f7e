package io.talkset.jobs.params;

import ai.djl.Device;
import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.faceparams.FaceDescriptors;
import io.talkset.core.faceparams.FaceExpressions;
import io.talkset.core.faceparams.FaceLandmarker;
import io.talkset.core.faceparams.FaceMesh;
import io.talkset.core.faceparams.ThreeDmm;
import io.talkset.core.hashing.Sha256;
import io.talkset.jobs.cli.UsageException;
import io.talkset.jobs.io.HadoopConf;
import io.talkset.jobs.runtime.Devices.Placement;
import io.talkset.jobs.runtime.Devices;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.TaskContext;

/**
 * The stage's networks, kept for the life of the executor JVM (building the graphs from the
 * weights and opening ONNX sessions costs about a second): a task borrows one set and gives it
 * back; the pool closes them when the JVM exits. Device per task as in the frames stage.
 */
final class FaceNets implements AutoCloseable {
  private static final Map<String, ConcurrentLinkedQueue<FaceNets>> POOL =
      new ConcurrentHashMap<>();
  private static final Map<String, byte[]> THREE_DMM = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> POOL.values().forEach(q -> {
      FaceNets n;
      while ((n = q.poll()) != null) {
        n.closeNow();
      }
    }), "talkset-face-nets-close"));
  }

  final FaceLandmarker landmarker;
  /** Null when --mesh none. */
  final FaceMesh mesh;
  final FaceExpressions expressions;
  final FaceDescriptors descriptors;
  final ThreeDmm threeDmm;
  final String threeDmmDescription;
  final Placement placement;
  private String key;

  private FaceNets(ParamsConfig cfg, Placement where, HadoopConf conf)
      throws ProbeException {
    this.placement = where;
    Path models = Path.of(cfg.models());
    Device d = where.device();
    FaceLandmarker lm = null;
    FaceMesh me = null;
    FaceExpressions ex = null;
    FaceDescriptors de = null;
    ThreeDmm mm = null;
    try {
      lm = new FaceLandmarker(models, d, FaceLandmarker.Params.defaults());
      // Converted from the pinned tfjs files here, once per executor (about a second).
      me = cfg.mesh().equals("facemesh") ? new FaceMesh(models, d, FaceMesh.Params.defaults())
          : null;
      ex = cfg.expression() ? new FaceExpressions(models, d) : null;
      de = new FaceDescriptors(models, d);
      if (!cfg.threeDmm().isEmpty()) {
        // ONNX or TorchScript: ThreeDmm picks the engine from the file's content.
        mm = new ThreeDmm(threeDmmBytes(cfg, conf), d);
      }
    } catch (ProbeException e) {
      closeAll(lm, me, ex, de, mm);
      throw e;
    } catch (Exception e) {
      closeAll(lm, me, ex, de, mm);
      throw new ProbeException(ErrorCodes.MODEL_MISMATCH, "cannot load the face networks on "
          + d + ": " + e.getMessage(), e);
    }
    this.landmarker = lm;
    this.mesh = me;
    this.expressions = ex;
    this.descriptors = de;
    this.threeDmm = mm;
    this.threeDmmDescription = describe3dmm(cfg);
  }

  /**
   * What the clips record about the 3DMM regressor: its URI and the SHA-256 the driver found,
   * and whether that digest was pinned by {@code --3dmm-sha256}.
   */
  static String describe3dmm(ParamsConfig cfg) {
    if (cfg.threeDmm().isEmpty()) {
      return "absent: no --3dmm-model configured, the mm_* columns are null";
    }
    String sha = cfg.threeDmmDigest();
    if (sha.isEmpty()) {
      byte[] b = THREE_DMM.get(cfg.threeDmm());
      sha = b == null ? "?" : Sha256.hex(b);
    }
    return cfg.threeDmm() + " sha256=" + sha + (cfg.threeDmmSha256().isEmpty()
        ? " (not pinned: hashed when the stage started)" : " (pinned by --3dmm-sha256)");
  }

  /**
   * {@code cfg} with the 3DMM regressor's digest, read on the driver before any task starts
   * (streamed, from any Hadoop file system): a missing file, or one that is not the pinned
   * one, fails the stage here with its name (a {@code UsageException}: one line, exit 2)
   * instead of failing every clip.
   */
  static ParamsConfig threeDmmOnDriver(ParamsConfig cfg, org.apache.hadoop.conf.Configuration
      conf) {
    if (cfg.threeDmm().isEmpty()) {
      return cfg;
    }
    String sha;
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(cfg.threeDmm());
    try (InputStream in = p.getFileSystem(conf).open(p)) {
      sha = Sha256.hex(in);
    } catch (java.io.IOException e) {
      throw new UsageException("cannot read --3dmm-model " + cfg.threeDmm()
          + ": " + e + "; no clip was processed");
    }
    if (!cfg.threeDmmSha256().isEmpty() && !cfg.threeDmmSha256().equals(sha)) {
      throw new UsageException("--3dmm-model " + cfg.threeDmm()
          + " has SHA-256 " + sha + ", not the --3dmm-sha256 " + cfg.threeDmmSha256()
          + "; no clip was processed");
    }
    return cfg.withThreeDmmDigest(sha);
  }

  /** The regressor's bytes from any Hadoop file system, checked against the pin when given. */
  private static byte[] threeDmmBytes(ParamsConfig cfg, HadoopConf conf) throws ProbeException {
    byte[] cached = THREE_DMM.get(cfg.threeDmm());
    if (cached != null) {
      return cached;
    }
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(cfg.threeDmm());
      FileSystem fs = p.getFileSystem(conf.get());
      byte[] b;
      try (InputStream in = fs.open(p)) {
        b = in.readAllBytes();
      }
      String sha = Sha256.hex(b);
      if (!cfg.threeDmmSha256().isEmpty() && !cfg.threeDmmSha256().equals(sha)) {
        throw new ProbeException(ErrorCodes.MODEL_MISMATCH, "3DMM model " + cfg.threeDmm()
            + " has SHA-256 " + sha + ", not the expected " + cfg.threeDmmSha256());
      }
      // The file the driver hashed (and recorded) must be the file this executor loads.
      if (!cfg.threeDmmDigest().isEmpty() && !cfg.threeDmmDigest().equals(sha)) {
        throw new ProbeException(ErrorCodes.MODEL_MISMATCH, "3DMM model " + cfg.threeDmm()
            + " has SHA-256 " + sha + " here, but " + cfg.threeDmmDigest()
            + " when the stage started: it changed during the run");
      }
      THREE_DMM.put(cfg.threeDmm(), b);
      return b;
    } catch (java.io.IOException e) {
      throw new ProbeException(ErrorCodes.MODEL_MISMATCH, "cannot read 3DMM model "
          + cfg.threeDmm() + ": " + e, e);
    }
  }

  static FaceNets borrow(ParamsConfig cfg, HadoopConf conf) throws ProbeException {
    Placement where = Devices.placement(cfg.device(), TaskContext.get());
    String key = cfg.models() + "|" + where.device() + "|" + cfg.mesh() + "|" + cfg.expression()
        + "|"
        + cfg.threeDmm() + "|" + cfg.threeDmmSha256();
    FaceNets n = POOL.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).poll();
    if (n == null) {
      n = new FaceNets(cfg, where, conf);
    }
    n.key = key;
    return n;
  }

  /** Gives the set back to the pool. */
  @Override
  public void close() {
    POOL.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).add(this);
  }

  private void closeNow() {
    closeAll(landmarker, mesh, expressions, descriptors, threeDmm);
  }

  private static void closeAll(AutoCloseable... all) {
    for (AutoCloseable c : all) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception ignored) {
          // Closing at exit or after a failed load: nothing left to save.
        }
      }
    }
  }
}
