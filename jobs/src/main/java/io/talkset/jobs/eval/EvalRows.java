package io.talkset.jobs.eval;

import ai.djl.Device;
import io.talkset.core.audio.AudioDecoder;
import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.eval.ClipEvaluator;
import io.talkset.core.faceparams.FaceDescriptors;
import io.talkset.core.faceparams.FaceLandmarker;
import io.talkset.core.media.SeekableSource;
import io.talkset.core.metrics.Frechet;
import io.talkset.core.sync.SegmentSync;
import io.talkset.core.video.GridReader;
import io.talkset.jobs.io.HadoopConf;
import io.talkset.jobs.io.Sources;
import io.talkset.schemas.EvalSchemas;
import java.io.Serializable;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * The executor side of the evaluation: the real frames of matched clips in (sorted by generated
 * video and frame), per generated video its status row, frame rows and descriptor statistics
 * out. The networks are made once per task and closed when it ends.
 */
final class EvalRows {
  private static final StructType CLIPS = EvalSchemas.CLIPS.struct();

  /** One generated video's output. */
  record Out(Row status, List<Row> frames, Frechet.Accumulator generated,
      Frechet.Accumulator real) implements Serializable {}

  /** Input columns, in order. */
  static final String[] COLUMNS = {"generated", "generated_size", "name", "clip_id",
      "matched_by", "clip_path", "clip_size", "segment", "frame_index", "jpeg", "size",
      "window_x", "window_y", "window_side", "face_box"};

  private EvalRows() {}

  static Iterator<Out> process(Iterator<Row> in, EvalConfig cfg, HadoopConf conf)
      throws Exception {
    List<Out> out = new ArrayList<>();
    if (!in.hasNext()) {
      return out.iterator();
    }
    Path models = Path.of(cfg.models());
    try (FaceLandmarker lm = new FaceLandmarker(models, Device.cpu(),
        FaceLandmarker.Params.defaults());
        FaceDescriptors fd = new FaceDescriptors(models, Device.cpu())) {
      Row[] next = {in.next()};
      while (next[0] != null) {
        out.add(one(next, in, lm, fd, cfg, conf));
        TaskContext t = TaskContext.get();
        if (t != null && t.isInterrupted()) {
          break;
        }
      }
    }
    return out.iterator();
  }

  /**
   * One generated video, from its first row in {@code next[0]}; its rows are read from
   * {@code in} one at a time (a crop is released once compared) and {@code next[0]} is left on
   * the next video's first row, or null.
   */
  static Out one(Row[] next, Iterator<Row> in, FaceLandmarker lm, FaceDescriptors fd,
      EvalConfig cfg, HadoopConf conf) {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(cfg.timeoutMillis());
    Row first = next[0];
    String generated = first.getString(0);
    Object[] s = head(generated, first.getString(2), first.getString(3), first.getString(4));
    List<Row> frames = new ArrayList<>();
    Frechet.Accumulator genSet = new Frechet.Accumulator();
    Frechet.Accumulator realSet = new Frechet.Accumulator();
    try (SeekableSource src = Sources.open(generated, first.getLong(1), conf);
        GridReader reader = GridReader.open(src, first.getString(2), deadline, -1, 0)) {
      ClipEvaluator ev = new ClipEvaluator(lm, fd, cfg.identityEvery(), reader);
      for (Row r = first; r != null && r.getString(0).equals(generated);
          r = advance(next, in)) {
        double scale = r.getInt(10) / r.getDouble(13);
        List<Float> b = r.getList(14);
        float[] box = new float[4];
        for (int k = 0; k < 4; k++) {
          double origin = k % 2 == 0 ? r.getDouble(11) : r.getDouble(12);
          box[k] = (float) ((b.get(k) - origin) * scale);
        }
        ClipEvaluator.FrameResult f = ev.add(new ClipEvaluator.RealFrame(r.getInt(8),
            r.getInt(7), (byte[]) r.get(9), r.getInt(10), box));
        if (f == null) {
          continue;
        }
        frames.add(RowFactory.create(generated, first.getString(3), f.frameIndex(),
            f.segment(), f.ssim(), f.psnr(), f.cpbd(), f.cpbdReal(), f.lmdMouth(), f.lmdFace(),
            f.lvdMouth(), f.lvdFace(), f.identityCosine(), f.identityDistance()));
      }
      float[] real = audio(first.getString(5), first.getLong(6), conf, deadline);
      float[] own = audio(generated, first.getLong(1), conf, deadline);
      ClipEvaluator.ClipResult c = ev.finish(own != null ? own : real, real, cfg.maxLag(),
          cfg.minFrames(), cfg.silenceRms());
      set(s, "status", c.compared() > 0 ? "ok" : "no_overlap");
      if (c.compared() == 0) {
        set(s, "error_message", "the generated video has no frame whose index has a real crop"
            + " (first real frame " + first.getInt(8) + ", generated frames "
            + c.generatedFrames() + ")");
      }
      set(s, "generated_frames", c.generatedFrames());
      set(s, "frames_compared", c.compared());
      set(s, "width", c.width());
      set(s, "height", c.height());
      set(s, "compared_size", c.size() == 0 ? null : c.size());
      set(s, "resized", c.resized());
      set(s, "ssim", mean(frames, 4));
      set(s, "psnr", mean(frames, 5));
      set(s, "cpbd", mean(frames, 6));
      set(s, "cpbd_real", mean(frames, 7));
      set(s, "lmd_mouth", mean(frames, 8));
      set(s, "lmd_face", mean(frames, 9));
      set(s, "lvd_mouth", mean(frames, 10));
      set(s, "lvd_face", mean(frames, 11));
      if (c.generatedDescriptor() != null) {
        set(s, "identity_cosine", FaceDescriptors.cosine(c.generatedDescriptor(),
            c.realDescriptor()));
        set(s, "identity_distance", FaceDescriptors.distance(c.generatedDescriptor(),
            c.realDescriptor()));
      }
      set(s, "identity_samples", c.identitySamples());
      set(s, "sync_audio", own != null ? "generated" : real != null ? "dataset" : null);
      SegmentSync.Result sync = c.sync();
      if (sync != null && sync.ok()) {
        set(s, "sync_offset_frames", sync.estimate().offsetFrames());
        set(s, "sync_correlation", sync.estimate().correlation());
        set(s, "sync_confidence", sync.estimate().confidence());
      }
      SegmentSync.Result realSync = c.realSync();
      if (realSync != null && realSync.ok()) {
        set(s, "sync_real_offset_frames", realSync.estimate().offsetFrames());
        set(s, "sync_real_confidence", realSync.estimate().confidence());
      }
      genSet = c.generatedSet();
      realSet = c.realSet();
    } catch (ProbeException e) {
      failed(s, e.code(), e.getMessage(), frames);
    } catch (Exception | OutOfMemoryError e) {
      failed(s, e instanceof java.io.IOException ? ErrorCodes.IO_ERROR : ErrorCodes.INTERNAL,
          String.valueOf(e), frames);
    }
    // What a failure left unread of this video.
    while (next[0] != null && next[0].getString(0).equals(generated)) {
      advance(next, in);
    }
    set(s, "elapsed_ms", (System.nanoTime() - start) / 1_000_000);
    return new Out(RowFactory.create(s), frames, genSet, realSet);
  }

  private static Row advance(Row[] next, Iterator<Row> in) {
    next[0] = in.hasNext() ? in.next() : null;
    return next[0];
  }

  /** A file's main audio track at 16 kHz, sample 0 at its video's t = 0; null when none. */
  private static float[] audio(String path, long size, HadoopConf conf, long deadline) {
    try (SeekableSource src = Sources.open(path, size, conf)) {
      return new AudioDecoder(16000).decodeAll(src, path.substring(path.lastIndexOf('/') + 1),
          deadline, null);
    } catch (Exception e) {
      // No track (or an unreadable one): no estimate from this source.
      return null;
    }
  }

  private static void failed(Object[] s, String code, String message, List<Row> frames) {
    set(s, "status", "failed");
    set(s, "error_code", code);
    set(s, "error_message", message);
    frames.clear();
  }

  private static Double mean(List<Row> frames, int column) {
    double sum = 0;
    int n = 0;
    for (Row r : frames) {
      if (!r.isNullAt(column)) {
        double v = r.getDouble(column);
        if (Double.isFinite(v)) {
          sum += v;
          n++;
        }
      }
    }
    return n == 0 ? null : sum / n;
  }

  /** A status row's identity columns, the rest null. */
  static Object[] head(String generated, String name, String clipId, String matchedBy) {
    Object[] s = new Object[CLIPS.size()];
    set(s, "generated", generated);
    set(s, "name", name);
    set(s, "clip_id", clipId);
    set(s, "matched_by", matchedBy);
    set(s, "evaluated_at", new Timestamp(System.currentTimeMillis()));
    return s;
  }

  static void set(Object[] s, String column, Object value) {
    s[CLIPS.fieldIndex(column)] = value;
  }
}
