package io.talkset.jobs.params;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.faceparams.Coeffs257;
import io.talkset.core.faceparams.HeadPose;
import io.talkset.core.faceparams.SegmentParams;
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
 * frame), parameter rows out, one segment at a time; each clip's status row goes to an
 * accumulator the driver commits after the rows. A clip that fails stops producing rows and gets
 * a failed status; the rows of a clip count only when its status is ok.
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
  private final String settings;
  private final ArrayDeque<Row> out = new ArrayDeque<>();
  private FaceNets nets;
  private ProbeException netsFailure;
  private Row lookahead;
  private boolean closed;

  ParamsRows(Iterator<Row> in, ParamsConfig cfg, HadoopConf conf, Map<String, ClipInfo> clips,
      CollectionAccumulator<Row> statuses) {
    this.in = in;
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
      Row first = lookahead != null ? lookahead : in.hasNext() ? in.next() : null;
      lookahead = null;
      if (first == null) {
        close();
        return false;
      }
      clip(first);
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

  /**
   * One clip, from its first row: all its segments. Rows of a clip are bounded by its length
   * (no pictures: about 2 KB a frame), so a clip's output is queued and released at its end,
   * which also keeps a failed clip's partial rows out of the table.
   */
  private void clip(Row first) {
    String clipId = first.getString(0);
    long start = System.nanoTime();
    Object[] status = new Object[CLIPS.size()];
    set(status, "clip_id", clipId);
    set(status, "settings", settings);
    List<Row> rows = new ArrayList<>();
    List<Row> segments = new ArrayList<>();
    Row row = first;
    String state = "ok";
    String code = null;
    String message = null;
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
      set(status, "device", nets.placement.description());
      set(status, "models", Json.write(ParamsJob.modelPins()));
      set(status, "threedmm", FaceNets.describe3dmm(cfg));
      ClipInfo info = clips.get(clipId);
      SegmentParams.Models models = new SegmentParams.Models(nets.landmarker, nets.expressions,
          nets.descriptors, nets.threeDmm, cfg.smoother(), cfg.identityEvery(), cfg.batch());
      while (row != null && row.getString(0).equals(clipId)) {
        int segment = row.getInt(1);
        SegmentParams seg = new SegmentParams(models, info.width(), info.height());
        while (row != null && row.getString(0).equals(clipId) && row.getInt(1) == segment) {
          seg.add(new SegmentParams.FrameIn(row.getInt(2), (byte[]) row.get(3), row.getDouble(5),
              row.getDouble(6), row.getDouble(7), row.getInt(4), floats(row.getList(8))));
          row = in.hasNext() ? in.next() : null;
        }
        SegmentParams.Result r = seg.finish();
        for (SegmentParams.FrameOut f : r.frames()) {
          rows.add(toRow(clipId, segment, f));
        }
        segments.add(summary(segment, r.summary(), info.emotion(), cfg.identityThreshold()));
      }
    } catch (ProbeException e) {
      state = "failed";
      code = e.code();
      message = e.getMessage();
    } catch (Exception | OutOfMemoryError e) {
      state = "failed";
      code = ErrorCodes.INTERNAL;
      message = String.valueOf(e);
    }
    // Skip what is left of a failed clip.
    while (row != null && row.getString(0).equals(clipId)) {
      row = in.hasNext() ? in.next() : null;
    }
    lookahead = row;
    if ("ok".equals(state)) {
      out.addAll(rows);
    }
    set(status, "status", state);
    set(status, "error_code", code);
    set(status, "error_message", message);
    set(status, "frames", "ok".equals(state) ? rows.size() : 0);
    set(status, "segments", "ok".equals(state) ? segments : null);
    set(status, "elapsed_ms", (System.nanoTime() - start) / 1_000_000);
    set(status, "processed_at", new Timestamp(System.currentTimeMillis()));
    statuses.add(RowFactory.create(status));
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
        part(c, Coeffs257.Part.TRANS));
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
