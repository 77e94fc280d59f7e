package io.talkset.jobs.audio;

import io.talkset.core.audio.AudioDecoder;
import io.talkset.core.audio.AudioFeatures;
import io.talkset.core.audio.FrameAlignment;
import io.talkset.core.audio.Pyin;
import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.media.SeekableSource;
import io.talkset.jobs.io.HadoopConf;
import io.talkset.jobs.io.Sources;
import io.talkset.schemas.AudioSchemas;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/** The executor side of the audio stage: one clip in, its status row and frame rows out. */
final class AudioRows {
  private static final StructType CLIPS = AudioSchemas.CLIPS.struct();

  /** What the driver hands out per clip. */
  record Todo(String clipId, String path, long size, Integer videoFrames, String mediaKind)
      implements Serializable {}

  private AudioRows() {}

  static Iterator<Tuple2<Row, List<Row>>> process(Iterator<Todo> todo, AudioConfig cfg,
      HadoopConf conf) {
    AudioDecoder decoder = new AudioDecoder(FrameAlignment.SAMPLE_RATE).limits(cfg.limits());
    AudioFeatures features = new AudioFeatures(Pyin.Params.speech16k());
    // One clip at a time, as Spark asks: a partition's clips are never all held at once (the
    // persisted results spill to disk when they do not fit).
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return todo.hasNext();
      }

      @Override
      public Tuple2<Row, List<Row>> next() {
        return one(todo.next(), decoder, features, cfg, conf);
      }
    };
  }

  private static Tuple2<Row, List<Row>> one(Todo t, AudioDecoder decoder, AudioFeatures features,
      AudioConfig cfg, HadoopConf conf) {
    long start = System.nanoTime();
    Object[] v = new Object[CLIPS.size()];
    set(v, "clip_id", t.clipId());
    set(v, "path", t.path());
    set(v, "video_frames", t.videoFrames());
    set(v, "processed_at", new Timestamp(System.currentTimeMillis()));
    List<Row> frames = new ArrayList<>();
    if ("video".equals(t.mediaKind())) {
      set(v, "status", "rejected");
      set(v, "error_code", ErrorCodes.NO_AUDIO);
      set(v, "error_message", "the clip has no audio stream");
      return new Tuple2<>(RowFactory.create(v), frames);
    }
    try (SeekableSource src = Sources.open(t.path(), t.size(), conf)) {
      AudioDecoder.Result[] r = new AudioDecoder.Result[1];
      String name = t.path().substring(t.path().lastIndexOf('/') + 1);
      float[] y = decoder.decodeAll(src, name,
          start + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(cfg.timeoutMillis()), r);
      AudioFeatures.Frames f = features.compute(y,
          t.videoFrames() == null ? -1 : t.videoFrames(), cfg.keepSamples());
      for (int i = 0; i < f.frames(); i++) {
        frames.add(RowFactory.create(t.clipId(), i, i / (double) FrameAlignment.FPS,
            f.evp()[i], f.wav2lip()[i], f.hdtf()[i],
            f.samples() == null ? null : f.samples()[i]));
      }
      set(v, "status", "ok");
      set(v, "frames", f.frames());
      set(v, "audio_samples", (long) y.length);
      set(v, "padded_end_samples", f.paddedSamples());
      set(v, "trimmed_end_samples", f.trimmedSamples());
      set(v, "start_offset_s", r[0].offsetS());
      set(v, "padded_start_samples", r[0].paddedSamples());
      set(v, "dropped_start_samples", r[0].droppedSamples());
      set(v, "source_codec", r[0].codec());
      set(v, "source_rate", r[0].sourceRate());
      set(v, "source_channels", r[0].sourceChannels());
    } catch (ProbeException e) {
      set(v, "status", ErrorCodes.NO_AUDIO.equals(e.code())
          || ErrorCodes.OVER_LIMIT.equals(e.code()) ? "rejected" : "failed");
      set(v, "error_code", e.code());
      set(v, "error_message", e.getMessage());
      frames.clear();
    } catch (Exception | OutOfMemoryError e) {
      set(v, "status", "failed");
      set(v, "error_code", e instanceof java.io.IOException ? ErrorCodes.IO_ERROR
          : ErrorCodes.INTERNAL);
      set(v, "error_message", String.valueOf(e));
      frames.clear();
    }
    set(v, "elapsed_ms", (System.nanoTime() - start) / 1_000_000);
    return new Tuple2<>(RowFactory.create(v), frames);
  }

  private static void set(Object[] v, String column, Object value) {
    v[CLIPS.fieldIndex(column)] = value;
  }
}
