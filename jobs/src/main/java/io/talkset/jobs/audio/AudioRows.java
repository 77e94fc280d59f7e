package io.talkset.jobs.audio;

import io.talkset.core.audio.AudioDecoder;
import io.talkset.core.audio.AudioFeatures;
import io.talkset.core.audio.AudioSpool;
import io.talkset.core.audio.FrameAlignment;
import io.talkset.core.audio.Pyin;
import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.media.SeekableSource;
import io.talkset.jobs.io.ClipAttempts;
import io.talkset.jobs.io.HadoopConf;
import io.talkset.jobs.io.Sources;
import io.talkset.jobs.runtime.Tasks;
import io.talkset.schemas.AudioSchemas;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;

/**
 * The executor side of the audio stage: clips in, frame rows out, lazily. A clip's audio is
 * decoded to a local spool file, not the heap, and its features are computed a minute at a time
 * ({@link AudioFeatures#stream}), so a task holds about one minute of features whatever the
 * length of its clips. Each clip's status row goes to an accumulator the driver commits after the
 * rows. Everything that can reject a clip (decoding, the time limit, the pitch pass) happens
 * before its first row; a failure after that (an internal error) leaves rows that readers skip,
 * since the clip's status is not ok.
 */
final class AudioRows implements Iterator<Row>, AutoCloseable {
  private static final StructType CLIPS = AudioSchemas.CLIPS.struct();
  /**
   * Frames per chunk of features: one minute, about 8 MB of Wav2Lip windows. The property
   * exists for tests, which put chunk boundaries inside short clips.
   */
  static final String CHUNK_PROPERTY = "talkset.audio.chunkFrames";

  /** What the driver hands out per clip. */
  record Todo(String clipId, String path, long size, Integer videoFrames, String mediaKind)
      implements Serializable {}

  private final Iterator<Todo> todo;
  private final AudioConfig cfg;
  private final HadoopConf conf;
  private final CollectionAccumulator<Row> statuses;
  private final ClipAttempts attempts;
  private final AudioDecoder decoder;
  private final AudioFeatures features = new AudioFeatures(Pyin.Params.speech16k());
  private final Path scratch;
  // The clip being written.
  private Todo clip;
  private Object[] status;
  private long clipStart;
  private AudioSpool spool;
  private AudioFeatures.Stream stream;
  private AudioFeatures.Chunk chunk;
  private int inChunk;
  private int written;
  private boolean closed;

  AudioRows(Iterator<Todo> todo, AudioConfig cfg, HadoopConf conf,
      CollectionAccumulator<Row> statuses, Path scratch, ClipAttempts attempts) {
    this.todo = todo;
    this.attempts = attempts;
    this.cfg = cfg;
    this.conf = conf;
    this.statuses = statuses;
    this.scratch = scratch;
    this.decoder = new AudioDecoder(FrameAlignment.SAMPLE_RATE).limits(cfg.limits());
    Tasks.closeAtTaskEnd(this::close);
  }

  @Override
  public boolean hasNext() {
    while (true) {
      if (stream != null) {
        if (chunk != null && inChunk < chunk.frames()) {
          return true;
        }
        try {
          if (stream.hasNext()) {
            chunk = stream.next();
            inChunk = 0;
            continue;
          }
          finish("ok", null, null);
        } catch (RuntimeException | OutOfMemoryError e) {
          finish("failed", ErrorCodes.INTERNAL, e + " (after " + written + " frame rows)");
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
    int i = chunk.firstFrame() + inChunk;
    int k = inChunk++;
    written++;
    return RowFactory.create(clip.clipId(), i, i / (double) FrameAlignment.FPS,
        chunk.evp()[k], chunk.wav2lip()[k], chunk.hdtf()[k],
        chunk.samples() == null ? null : chunk.samples()[k]);
  }

  /** Decodes the next clip to its spool and runs the first pass; on success rows can follow. */
  private void start(Todo t) {
    clip = t;
    clipStart = System.nanoTime();
    written = 0;
    status = new Object[CLIPS.size()];
    set("clip_id", t.clipId());
    set("path", t.path());
    set("video_frames", t.videoFrames());
    if ("video".equals(t.mediaKind())) {
      finish("rejected", ErrorCodes.NO_AUDIO, "the clip has no audio stream");
      return;
    }
    String poison = attempts.begin(t.clipId());
    if (poison != null) {
      finish("failed", ErrorCodes.POISON_CLIP, poison);
      return;
    }
    long deadline = clipStart + TimeUnit.MILLISECONDS.toNanos(cfg.timeoutMillis());
    try {
      spool = new AudioSpool(scratch);
      AudioDecoder.Result r;
      try (SeekableSource src = Sources.open(t.path(), t.size(), conf, deadline)) {
        String name = t.path().substring(t.path().lastIndexOf('/') + 1);
        r = decoder.decode(src, name, deadline, spool);
      }
      AudioFeatures.Stream s = features.stream(spool, spool.samples(),
          t.videoFrames() == null ? -1 : t.videoFrames(), cfg.keepSamples(), Integer.getInteger(CHUNK_PROPERTY, 1500));
      s.prepare(deadline);
      set("frames", s.frames());
      set("audio_samples", spool.samples());
      set("padded_end_samples", s.paddedSamples());
      set("trimmed_end_samples", s.trimmedSamples());
      set("start_offset_s", r.offsetS());
      set("padded_start_samples", r.paddedSamples());
      set("dropped_start_samples", r.droppedSamples());
      set("source_codec", r.codec());
      set("source_rate", r.sourceRate());
      set("source_channels", r.sourceChannels());
      stream = s;
      chunk = null;
    } catch (ProbeException e) {
      finish(ErrorCodes.NO_AUDIO.equals(e.code()) || ErrorCodes.OVER_LIMIT.equals(e.code())
          ? "rejected" : "failed", e.code(), e.getMessage());
    } catch (IOException | java.io.UncheckedIOException e) {
      finish("failed", ErrorCodes.IO_ERROR, String.valueOf(e));
    } catch (Exception | OutOfMemoryError e) {
      finish("failed", ErrorCodes.INTERNAL, String.valueOf(e));
    }
  }

  private void finish(String state, String code, String message) {
    set("status", state);
    set("error_code", code);
    set("error_message", message);
    if (!"ok".equals(state)) {
      // The status row's numbers describe rows that are all there, or none.
      for (String c : new String[] {"frames", "audio_samples", "padded_end_samples",
          "trimmed_end_samples"}) {
        set(c, null);
      }
    }
    set("elapsed_ms", (System.nanoTime() - clipStart) / 1_000_000);
    set("processed_at", new Timestamp(System.currentTimeMillis()));
    statuses.add(RowFactory.create(status));
    attempts.end(clip.clipId(), code);
    closeClip();
  }

  private void closeClip() {
    stream = null;
    chunk = null;
    if (spool != null) {
      try {
        spool.close();
      } catch (IOException ignored) {
        // The spool is scratch; a failed delete leaves a file in the task's local folder.
      }
      spool = null;
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
  }
}
