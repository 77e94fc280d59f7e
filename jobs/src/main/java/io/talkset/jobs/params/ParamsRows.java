package io.talkset.jobs.params;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.faceparams.Coeffs257;
import io.talkset.core.faceparams.HeadPose;
import io.talkset.core.faceparams.SegmentParams;
import io.talkset.jobs.io.ClipAttempts;
import io.talkset.jobs.io.HadoopConf;
import io.talkset.jobs.io.Json;
import io.talkset.jobs.runtime.Tasks;
import io.talkset.schemas.ParamsSchemas;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;

/**
 * The executor side of the face-parameters stage: frame rows in (sorted by clip, segment and
 * frame), parameter rows out as soon as each frame's smoothing is final, so a task holds a
 * smoothing window and a batch of frames whatever the length of its clips; each clip's status
 * row goes to an accumulator the driver commits after the rows. A clip that fails stops
 * producing rows and gets a failed status; rows it wrote before count only when its status is
 * ok (readers join on it).
 */
final class ParamsRows implements Iterator<Row>, AutoCloseable {
  private static final StructType CLIPS = ParamsSchemas.CLIPS.struct();

  /** What the driver knows of a clip. */
  record ClipInfo(int width, int height, String emotion) implements Serializable {}

  private final Iterator<Row> in;
  private final ParamsConfig cfg;
  private final HadoopConf conf;
  private final Map<String, ClipInfo> clips;
  private final CollectionAccumulator<Row> statuses;
  private final ClipAttempts attempts;
  private final String settings;
  private final ArrayDeque<Row> out = new ArrayDeque<>();
  private FaceNets nets;
  private ProbeException netsFailure;
  private Row lookahead;
  private boolean closed;
  // The clip being read.
  private String clipId;
  private long clipStart;
  private Object[] clipStatus;
  private ClipInfo info;
  private SegmentParams.Models models;
  private List<Row> segments;
  private SegmentParams segment;
  private int segmentIndex;
  private int written;
  private String failure;
  private String failureMessage;

  ParamsRows(Iterator<Row> in, ParamsConfig cfg, HadoopConf conf, Map<String, ClipInfo> clips,
      CollectionAccumulator<Row> statuses, ClipAttempts attempts) {
    this.in = in;
    this.attempts = attempts;
    this.cfg = cfg;
    this.conf = conf;
    this.clips = clips;
    this.statuses = statuses;
    this.settings = Json.write(cfg.describe());
    Tasks.closeAtTaskEnd(this::close);
  }

  @Override
  public boolean hasNext() {
    while (out.isEmpty()) {
      if (closed) {
        return false;
      }
      Row row = lookahead != null ? lookahead : in.hasNext() ? in.next() : null;
      lookahead = null;
      if (row == null) {
        if (clipId != null) {
          endClip();
          continue;
        }
        close();
        return false;
      }
      if (clipId != null && !clipId.equals(row.getString(0))) {
        lookahead = row;
        endClip();
        continue;
      }
      if (clipId == null) {
        startClip(row.getString(0));
      }
      if (failure == null) {
        try {
          frame(row);
        } catch (ProbeException e) {
          fail(e.code(), e.getMessage());
        } catch (Exception | OutOfMemoryError e) {
          fail(ErrorCodes.INTERNAL, String.valueOf(e));
        }
      }
      // A failed clip's remaining rows are read and skipped.
    }
    return true;
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return out.poll();
  }

  private void startClip(String id) {
    clipId = id;
    clipStart = System.nanoTime();
    clipStatus = new Object[CLIPS.size()];
    set(clipStatus, "clip_id", id);
    set(clipStatus, "settings", settings);
    segments = new ArrayList<>();
    segment = null;
    segmentIndex = -1;
    written = 0;
    failure = null;
    failureMessage = null;
    String poison = attempts.begin(id);
    if (poison != null) {
      // Its frame rows are read and skipped, as a failed clip's are.
      fail(ErrorCodes.POISON_CLIP, poison);
      return;
    }
    try {
      if (nets == null && netsFailure == null) {
        try {
          nets = FaceNets.borrow(cfg, conf);
        } catch (ProbeException e) {
          netsFailure = e;
        }
      }
      if (netsFailure != null) {
        throw netsFailure;
      }
      set(clipStatus, "device", nets.placement.description());
      set(clipStatus, "models", Json.write(ParamsJob.modelPins(cfg)));
      set(clipStatus, "threedmm", FaceNets.describe3dmm(cfg));
      info = clips.get(id);
      models = new SegmentParams.Models(nets.landmarker, nets.mesh, nets.expressions,
          nets.descriptors,
          nets.threeDmm, cfg.smoother(), cfg.identityEvery(), cfg.batch());
    } catch (ProbeException e) {
      fail(e.code(), e.getMessage());
    } catch (Exception | OutOfMemoryError e) {
      fail(ErrorCodes.INTERNAL, String.valueOf(e));
    }
  }

  /**
   * One frame row of the clip: into its segment, and out come the rows whose parameters are
   * final (a frame's row leaves half a smoothing window and at most a batch after it came in,
   * so a clip's rows are never all held).
   */
  private void frame(Row row) throws Exception {
    int seg = row.getInt(1);
    if (segment != null && seg != segmentIndex) {
      endSegment();
    }
    if (segment == null) {
      segment = new SegmentParams(models, info.width(), info.height());
      segmentIndex = seg;
    }
    segment.add(new SegmentParams.FrameIn(row.getInt(2), (byte[]) row.get(3), row.getDouble(5),
        row.getDouble(6), row.getDouble(7), row.getInt(4), floats(row.getList(8))));
    emit(segment.drain());
  }

  private void endSegment() throws Exception {
    SegmentParams.Result r = segment.finish();
    emit(r.frames());
    segments.add(summary(segmentIndex, r.summary(), info.emotion(), cfg.identityThreshold()));
    segment = null;
  }

  private void emit(List<SegmentParams.FrameOut> frames) {
    for (SegmentParams.FrameOut f : frames) {
      out.add(toRow(clipId, segmentIndex, f));
      written++;
    }
  }

  private void fail(String code, String message) {
    failure = code;
    failureMessage = written == 0 ? message
        : message + " (after " + written + " rows, which readers skip: the clip is not ok)";
    segment = null;
  }

  /** The clip's last row is in: its last segment ends and its status row goes out. */
  private void endClip() {
    if (failure == null && segment != null) {
      try {
        endSegment();
      } catch (ProbeException e) {
        fail(e.code(), e.getMessage());
      } catch (Exception | OutOfMemoryError e) {
        fail(ErrorCodes.INTERNAL, String.valueOf(e));
      }
    }
    boolean ok = failure == null;
    set(clipStatus, "status", ok ? "ok" : "failed");
    set(clipStatus, "error_code", failure);
    set(clipStatus, "error_message", failureMessage);
    set(clipStatus, "frames", ok ? written : 0);
    set(clipStatus, "segments", ok ? segments : null);
    set(clipStatus, "elapsed_ms", (System.nanoTime() - clipStart) / 1_000_000);
    set(clipStatus, "processed_at", new Timestamp(System.currentTimeMillis()));
    statuses.add(RowFactory.create(clipStatus));
    attempts.end(clipId, failure);
    clipId = null;
    segment = null;
  }

  private static float[] floats(List<Object> l) {
    float[] f = new float[l.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = ((Number) l.get(i)).floatValue();
    }
    return f;
  }

  private static Row toRow(String clipId, int segment, SegmentParams.FrameOut f) {
    HeadPose.Pose p = f.pose();
    float[] c = f.coefficients();
    return RowFactory.create(clipId, segment, f.frameIndex(), f.landmarks(), f.landmarksRaw(),
        f.landmarksCrop(), p == null ? null : (float) p.yawDeg(),
        p == null ? null : (float) p.pitchDeg(), p == null ? null : (float) p.rollDeg(),
        p == null ? null : (float) p.tx(), p == null ? null : (float) p.ty(),
        p == null ? null : (float) p.tz(), p == null ? null : (float) p.reprojectionErrorPx(),
        f.expression(), part(c, Coeffs257.Part.ID), part(c, Coeffs257.Part.EXP),
        part(c, Coeffs257.Part.TEX), part(c, Coeffs257.Part.ANGLE), part(c, Coeffs257.Part.GAMMA),
        part(c, Coeffs257.Part.TRANS), f.mesh(),
        f.mesh() == null ? null : f.meshConfidence());
  }

  private static float[] part(float[] c, Coeffs257.Part p) {
    return c == null ? null : Arrays.copyOfRange(c, p.offset(), p.end());
  }

  private static Row summary(int segment, SegmentParams.Summary s, String datasetEmotion,
      double threshold) {
    String pseudo = s.pseudoEmotion() < 0 ? null
        : io.talkset.core.models.FaceApiModels.EXPRESSIONS[s.pseudoEmotion()];
    Boolean agrees = pseudo == null || datasetEmotion == null ? null
        : ParamsJob.sameEmotion(pseudo, datasetEmotion);
    return RowFactory.create(segment, s.frames(), s.descriptor(), s.descriptorSamples(),
        s.identitySpread(), s.identitySpread() == null ? null
            : s.identitySpread() < threshold,
        null, s.expressionMean(), pseudo,
        Double.isNaN(s.pseudoConfidence()) ? null : s.pseudoConfidence(), datasetEmotion,
        agrees, s.jitterRaw(), s.jitterSmoothed(),
        Double.isNaN(s.meanAbsYawDeg()) ? null : s.meanAbsYawDeg());
  }

  private static void set(Object[] status, String column, Object value) {
    status[CLIPS.fieldIndex(column)] = value;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (nets != null) {
      nets.close();
      nets = null;
    }
  }
}
