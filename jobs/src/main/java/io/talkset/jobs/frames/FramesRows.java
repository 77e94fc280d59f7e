package io.talkset.jobs.frames;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.faces.FacePipeline.CropFrame;
import io.talkset.core.faces.FacePipeline;
import io.talkset.core.media.SeekableSource;
import io.talkset.core.video.GridReader;
import io.talkset.jobs.io.ClipAttempts;
import io.talkset.jobs.io.HadoopConf;
import io.talkset.jobs.io.Json;
import io.talkset.jobs.io.Sources;
import io.talkset.jobs.runtime.Tasks;
import io.talkset.schemas.FramesSchemas;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;

/**
 * The executor side of the frames stage: clips in, frame rows out, lazily, so a task holds one
 * crop at a time whatever the length of its videos; each clip's status row goes to an
 * accumulator the driver commits after the frames.
 */
final class FramesRows implements Iterator<Row>, AutoCloseable {
  private static final StructType CLIPS = FramesSchemas.CLIPS.struct();

  /** What the driver hands out per clip. */
  record Todo(String clipId, String path, long size, Integer gridFrames, int rotation,
      String mediaKind) implements Serializable {}

  private final Iterator<Todo> todo;
  private final FramesConfig cfg;
  private final FacePipeline.Params params;
  private final HadoopConf conf;
  private final CollectionAccumulator<Row> statuses;
  private final ClipAttempts attempts;
  private final String settings;
  private Detectors.Lease lease;
  private ProbeException leaseFailure;
  // The clip being written.
  private Object[] status;
  private SeekableSource source;
  private FacePipeline.CloseableIterator<CropFrame> crops;
  private Todo clip;
  private long clipStart;
  private int written;
  private boolean closed;

  FramesRows(Iterator<Todo> todo, FramesConfig cfg, HadoopConf conf,
      CollectionAccumulator<Row> statuses, ClipAttempts attempts) {
    this.todo = todo;
    this.attempts = attempts;
    this.cfg = cfg;
    this.params = cfg.pipeline();
    this.conf = conf;
    this.statuses = statuses;
    this.settings = Json.write(cfg.describe());
    Tasks.closeAtTaskEnd(this::close);
  }

  @Override
  public boolean hasNext() {
    while (true) {
      if (crops != null) {
        try {
          if (crops.hasNext()) {
            return true;
          }
          finish("ok", null, null);
        } catch (FacePipeline.FrameException e) {
          finish(failedOrRejected(e.probe()), e.probe().code(), e.probe().getMessage());
        } catch (RuntimeException | OutOfMemoryError e) {
          finish("failed", ErrorCodes.INTERNAL, String.valueOf(e));
        }
      }
      if (closed || !todo.hasNext()) {
        close();
        return false;
      }
      start(todo.next());
    }
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    CropFrame c = crops.next();
    written++;
    return RowFactory.create(clip.clipId(), c.segment(), c.frameIndex(),
        c.frameIndex() / (double) GridReader.FPS, c.sourceTimeS(), c.jpeg(), params.size(),
        c.window().x0(), c.window().y0(), c.window().side(), (float) c.outside(),
        (float) c.upscale(), c.detected(), c.face().score(),
        new float[] {c.face().x0(), c.face().y0(), c.face().x1(), c.face().y1()},
        c.face().keypoints(), Math.max(c.face().width(), c.face().height()),
        Double.isNaN(c.yawDeg()) ? null : (float) c.yawDeg(),
        Double.isNaN(c.sharpness()) ? null : (float) c.sharpness(), c.facesInPicture());
  }

  /** Pass one for the next clip; on success the crops iterator is open. */
  private void start(Todo t) {
    clip = t;
    clipStart = System.nanoTime();
    written = 0;
    status = new Object[CLIPS.size()];
    set("clip_id", t.clipId());
    set("path", t.path());
    set("settings", settings);
    if ("audio".equals(t.mediaKind()) || "none".equals(t.mediaKind())) {
      finish("rejected", ErrorCodes.NO_VIDEO, "the clip has no video stream");
      return;
    }
    String poison = attempts.begin(t.clipId());
    if (poison != null) {
      finish("failed", ErrorCodes.POISON_CLIP, poison);
      return;
    }
    try {
      if (lease == null && leaseFailure == null) {
        try {
          lease = Detectors.borrow(cfg);
        } catch (ProbeException e) {
          leaseFailure = e;
        }
      }
      if (leaseFailure != null) {
        throw leaseFailure;
      }
      set("device", lease.placement.description());
      long deadline = clipStart + TimeUnit.MILLISECONDS.toNanos(cfg.timeoutMillis());
      source = Sources.open(t.path(), t.size(), conf, deadline);
      String name = t.path().substring(t.path().lastIndexOf('/') + 1);
      int grid = t.gridFrames() == null ? -1 : t.gridFrames();
      SeekableSource s = source;
      FacePipeline.ReaderFactory videos = () -> GridReader.open(s, name, deadline, grid,
          t.rotation(), cfg.limits());
      FacePipeline.Analysis a = FacePipeline.analyze(videos, lease.detector, lease.near,
          params);
      set("grid_frames", a.frames());
      set("width", a.width());
      set("height", a.height());
      set("shots", a.shots());
      set("detector_runs", a.detectorRuns());
      set("decoded_frames", a.decoded());
      set("repeated_frames", a.repeatedAtEnd());
      set("decoded_duration_s", a.decodedDurationS());
      String truncated = cfg.truncation(a.repeatedAtEnd(), a.frames(), a.decodedDurationS());
      if (truncated != null) {
        // Checked before any crop: a file cut short would otherwise give thousands of
        // identical frames of its last picture, all looking like a steady talking head.
        a.release();
        finish("rejected", ErrorCodes.TRUNCATED, truncated);
        return;
      }
      List<Row> segments = new ArrayList<>();
      for (FacePipeline.Planned p : a.planned()) {
        FacePipeline.SegmentInfo i = p.info();
        segments.add(RowFactory.create(i.segment(), i.track(), i.startFrame(), i.frames(),
            i.detectedFraction(), i.meanFaceSize(), i.centreJitter(), i.sizeJitter(),
            i.maxOutside(), i.minUpscale(), i.maxUpscale()));
      }
      set("segments", segments);
      if (a.planned().isEmpty()) {
        a.release();
        finish("rejected", ErrorCodes.NO_FACE, "no face segment of at least "
            + cfg.minSegmentFrames() + " frames with a mean detection score of at least "
            + cfg.minSegmentScore() + " in " + a.frames() + " frames (" + a.shots()
            + " shots, detector run on " + a.detectorRuns() + " frames)");
        return;
      }
      crops = FacePipeline.crops(videos, a, params);
    } catch (ProbeException e) {
      finish(failedOrRejected(e), e.code(), e.getMessage());
    } catch (java.io.IOException e) {
      finish("failed", ErrorCodes.IO_ERROR, String.valueOf(e));
    } catch (Exception | OutOfMemoryError e) {
      finish("failed", ErrorCodes.INTERNAL, String.valueOf(e));
    }
  }

  private static String failedOrRejected(ProbeException e) {
    return ErrorCodes.NO_VIDEO.equals(e.code()) || ErrorCodes.OVER_LIMIT.equals(e.code())
        ? "rejected" : "failed";
  }

  private void finish(String state, String code, String message) {
    set("status", state);
    set("error_code", code);
    set("error_message", message);
    set("frames_written", written);
    set("elapsed_ms", (System.nanoTime() - clipStart) / 1_000_000);
    set("processed_at", new Timestamp(System.currentTimeMillis()));
    statuses.add(RowFactory.create(status));
    attempts.end(clip.clipId(), code);
    closeClip();
  }

  private void closeClip() {
    if (crops != null) {
      crops.close();
      crops = null;
    }
    if (source != null) {
      try {
        source.close();
      } catch (Exception ignored) {
        // Reading is over; a close error cannot change the rows.
      }
      source = null;
    }
  }

  private void set(String column, Object value) {
    status[CLIPS.fieldIndex(column)] = value;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeClip();
    if (lease != null) {
      lease.close();
      lease = null;
    }
  }
}
