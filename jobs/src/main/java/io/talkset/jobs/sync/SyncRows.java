package io.talkset.jobs.sync;

import io.talkset.core.audio.AudioDecoder;
import io.talkset.core.audio.FrameAlignment;
import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.media.SeekableSource;
import io.talkset.core.sync.FrameLoudness;
import io.talkset.core.sync.SegmentSync;
import io.talkset.jobs.io.ClipAttempts;
import io.talkset.jobs.io.HadoopConf;
import io.talkset.jobs.io.Json;
import io.talkset.jobs.io.Sources;
import io.talkset.schemas.SyncSchemas;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * The executor side of the sync stage: a clip's mouth series in (sorted by segment and frame),
 * its status row and one row per segment out.
 */
final class SyncRows {
  private static final StructType SEG = SyncSchemas.SEGMENTS.struct();
  private static final StructType CLIPS = SyncSchemas.CLIPS.struct();

  private SyncRows() {}

  static Iterator<Tuple2<Row, List<Row>>> process(Iterator<Row> clips, SyncConfig cfg,
      HadoopConf conf, ClipAttempts attempts) {
    String settings = Json.write(cfg.describe());
    List<Tuple2<Row, List<Row>>> out = new ArrayList<>();
    while (clips.hasNext()) {
      Row clip = clips.next();
      String poison = attempts.begin(clip.getString(0));
      Tuple2<Row, List<Row>> r = poison == null ? one(clip, cfg, conf, settings)
          : poisoned(clip.getString(0), settings, poison);
      attempts.end(clip.getString(0), poison == null ? null : ErrorCodes.POISON_CLIP);
      out.add(r);
    }
    return out.iterator();
  }

  /** One clip: columns clip_id, path, size, frames (sorted structs segment, frame, mouth). */
  static Tuple2<Row, List<Row>> one(Row clip, SyncConfig cfg, HadoopConf conf,
      String settings) {
    long start = System.nanoTime();
    String clipId = clip.getString(0);
    String path = clip.getString(1);
    Object[] status = new Object[CLIPS.size()];
    status[CLIPS.fieldIndex("clip_id")] = clipId;
    status[CLIPS.fieldIndex("settings")] = settings;
    List<Row> segments = new ArrayList<>();
    List<Row> frames = clip.isNullAt(3) ? List.of() : rows(clip.get(3));
    String state = "ok";
    String code = null;
    String message = null;
    // Loudness per frame as the audio streams past: the clip's samples are never held.
    FrameLoudness loudness = new FrameLoudness(FrameAlignment.SAMPLE_RATE);
    boolean decoded = false;
    try (SeekableSource src = Sources.open(path, clip.getLong(2), conf)) {
      new AudioDecoder(FrameAlignment.SAMPLE_RATE).decode(src,
          path.substring(path.lastIndexOf('/') + 1),
          start + TimeUnit.MILLISECONDS.toNanos(cfg.timeoutMillis()), loudness::accept);
      decoded = true;
    } catch (ProbeException e) {
      state = ErrorCodes.NO_AUDIO.equals(e.code()) ? "rejected" : "failed";
      code = e.code();
      message = e.getMessage();
    } catch (Exception | OutOfMemoryError e) {
      state = "failed";
      code = e instanceof java.io.IOException ? ErrorCodes.IO_ERROR : ErrorCodes.INTERNAL;
      message = String.valueOf(e);
    }
    int ok = 0;
    int i = 0;
    while (i < frames.size()) {
      int segment = frames.get(i).getInt(0);
      int j = i;
      while (j < frames.size() && frames.get(j).getInt(0) == segment) {
        j++;
      }
      int[] index = new int[j - i];
      double[] mouth = new double[j - i];
      for (int k = i; k < j; k++) {
        index[k - i] = frames.get(k).getInt(1);
        mouth[k - i] = frames.get(k).getDouble(2);
      }
      i = j;
      Object[] v = new Object[SEG.size()];
      v[SEG.fieldIndex("clip_id")] = clipId;
      v[SEG.fieldIndex("segment")] = segment;
      v[SEG.fieldIndex("max_lag")] = cfg.maxLag();
      v[SEG.fieldIndex("first_frame")] = index[0];
      v[SEG.fieldIndex("last_frame")] = index[index.length - 1];
      v[SEG.fieldIndex("frames")] = index[index.length - 1] - index[0] + 1;
      v[SEG.fieldIndex("frames_used")] = index.length;
      if (!decoded) {
        v[SEG.fieldIndex("status")] = state;
        v[SEG.fieldIndex("error_code")] = code;
        v[SEG.fieldIndex("error_message")] = message;
      } else {
        SegmentSync.Result r = SegmentSync.estimate(index, mouth, loudness, cfg.maxLag(),
            cfg.minFrames(), cfg.silenceRms());
        v[SEG.fieldIndex("status")] = r.ok() ? "ok" : "rejected";
        v[SEG.fieldIndex("error_code")] = r.errorCode();
        v[SEG.fieldIndex("error_message")] = r.message();
        if (r.ok()) {
          ok++;
          v[SEG.fieldIndex("offset_frames")] = r.estimate().offsetFrames();
          v[SEG.fieldIndex("offset_s")] = r.estimate().offsetFrames() / 25.0;
          v[SEG.fieldIndex("correlation")] = r.estimate().correlation();
          v[SEG.fieldIndex("confidence")] = r.estimate().confidence();
          v[SEG.fieldIndex("correlations")] = r.estimate().correlations();
        }
      }
      segments.add(RowFactory.create(v));
    }
    status[CLIPS.fieldIndex("status")] = state;
    status[CLIPS.fieldIndex("error_code")] = code;
    status[CLIPS.fieldIndex("error_message")] = message;
    status[CLIPS.fieldIndex("segments")] = segments.size();
    status[CLIPS.fieldIndex("segments_ok")] = ok;
    status[CLIPS.fieldIndex("elapsed_ms")] = (System.nanoTime() - start) / 1_000_000;
    status[CLIPS.fieldIndex("processed_at")] = new Timestamp(System.currentTimeMillis());
    return new Tuple2<>(RowFactory.create(status), segments);
  }

  /** The status of a clip not started again ({@link ClipAttempts}), and no segment rows. */
  static Tuple2<Row, List<Row>> poisoned(String clipId, String settings, String message) {
    Object[] status = new Object[CLIPS.size()];
    status[CLIPS.fieldIndex("clip_id")] = clipId;
    status[CLIPS.fieldIndex("settings")] = settings;
    status[CLIPS.fieldIndex("status")] = "failed";
    status[CLIPS.fieldIndex("error_code")] = ErrorCodes.POISON_CLIP;
    status[CLIPS.fieldIndex("error_message")] = message;
    status[CLIPS.fieldIndex("segments")] = 0;
    status[CLIPS.fieldIndex("segments_ok")] = 0;
    status[CLIPS.fieldIndex("elapsed_ms")] = 0L;
    status[CLIPS.fieldIndex("processed_at")] = new Timestamp(System.currentTimeMillis());
    return new Tuple2<>(RowFactory.create(status), List.of());
  }

  /** Collected structs arrive as a Java list or a Scala sequence depending on the path. */
  @SuppressWarnings("unchecked")
  private static List<Row> rows(Object v) {
    return v instanceof List<?> l ? (List<Row>) l
        : scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<Row>) v);
  }
}
