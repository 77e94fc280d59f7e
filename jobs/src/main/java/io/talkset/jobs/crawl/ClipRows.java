package io.talkset.jobs.crawl;

import io.talkset.core.crawl.ContentId;
import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.ListedEntry;
import io.talkset.core.datasets.ClipMapping;
import io.talkset.core.datasets.ClipMetadata;
import io.talkset.core.datasets.DatasetLayouts;
import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.media.FfmpegProber;
import io.talkset.core.media.MediaInfo;
import io.talkset.jobs.io.HadoopConf;
import io.talkset.jobs.io.Sources;
import io.talkset.schemas.ClipsSchema;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/** Turns listed files into {@code clips} rows: the executor side of the crawl. */
final class ClipRows {
  private static final StructType SCHEMA = ClipsSchema.SCHEMA.struct();

  private ClipRows() {}

  /** Examines one partition of entries with one examiner (one FFmpeg setup per task). */
  static Iterator<Row> examine(Iterator<ListedEntry> entries, CrawlConfig cfg, HadoopConf conf) {
    List<Row> rows = new ArrayList<>();
    Sidecars sidecars = Sidecars.under(cfg.inputs());
    try (FileExaminer examiner = new FileExaminer(
        new FfmpegProber(cfg.frameCount()), cfg.timeoutMillis(), cfg.require(), cfg.limits())) {
      while (entries.hasNext()) {
        ListedEntry e = entries.next();
        FileExaminer.Result r = examine(examiner, e, conf);
        Sidecars.Transcript t = FileExaminer.OK.equals(r.status())
            ? transcript(examiner, sidecars, e, r, cfg, conf) : new Sidecars.Transcript(null, null);
        // Why a sidecar was not read goes into the ok clip's note (clips.error_message).
        rows.add(toRow(e, noted(r, t.skipped()), new Timestamp(System.currentTimeMillis()),
            t.text()));
      }
    }
    return rows.iterator();
  }

  private static FileExaminer.Result examine(FileExaminer ex, ListedEntry e, HadoopConf conf) {
    if (!e.examinable()) {
      String status = e.problemCode().equals(ErrorCodes.NOT_A_FILE)
          ? FileExaminer.REJECTED : FileExaminer.FAILED;
      return new FileExaminer.Result(ContentId.ofPath(e.path()), status, e.problemCode(),
          e.problemMessage(), null, 0);
    }
    return ex.examine(e.path(), e.size(), () -> Sources.open(e.path(), e.size(), conf));
  }

  /**
   * The clip's transcript ({@link Sidecars}), read under the per-file watchdog with the time the
   * probe left: a sidecar read that stalls costs the clip its transcript, never the crawl.
   */
  static Sidecars.Transcript transcript(FileExaminer examiner, Sidecars sidecars,
      ListedEntry e, FileExaminer.Result r, CrawlConfig cfg, HadoopConf conf) {
    long left = cfg.timeoutMillis() - r.elapsedMillis();
    try {
      return examiner.withinLimit(() -> sidecars.transcript(e.path(), conf), left);
    } catch (TimeoutException ex) {
      return new Sidecars.Transcript(null, "sidecar not read: gave up at the per-file limit of "
          + cfg.timeoutMillis() + " ms");
    } catch (ExecutionException ex) {
      return new Sidecars.Transcript(null, null);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      return new Sidecars.Transcript(null, null);
    }
  }

  /** {@code r} with {@code extra} added to its message (an ok clip's note). */
  private static FileExaminer.Result noted(FileExaminer.Result r, String extra) {
    if (extra == null) {
      return r;
    }
    String note = r.errorMessage() == null ? extra : r.errorMessage() + "; " + extra;
    return new FileExaminer.Result(r.id(), r.status(), r.errorCode(), note, r.info(),
        r.elapsedMillis());
  }

  static Row toRow(ListedEntry e, FileExaminer.Result r, Timestamp probedAt) {
    return toRow(e, r, probedAt, null);
  }

  static Row toRow(ListedEntry e, FileExaminer.Result r, Timestamp probedAt, String transcript) {
    Object[] v = new Object[SCHEMA.size()];
    Timestamp mtime = e.modificationTimeMillis() > 0
        ? new Timestamp(e.modificationTimeMillis()) : null;
    set(v, "clip_id", r.id().clipId());
    set(v, "id_method", r.id().method());
    set(v, "content_digest", r.id().digest());
    set(v, "path", e.path());
    set(v, "size", e.size());
    set(v, "modification_time", mtime);
    set(v, "files", new Row[] {RowFactory.create(e.path(), e.size(), mtime)});
    set(v, "status", r.status());
    set(v, "error_code", r.errorCode());
    set(v, "error_message", r.errorMessage());
    set(v, "probe_ms", r.elapsedMillis());
    set(v, "probed_at", probedAt);
    MediaInfo i = r.info();
    if (i != null) {
      set(v, "media_kind", i.mediaKind());
      set(v, "container", i.container);
      set(v, "duration_s", i.durationS);
      set(v, "bit_rate", i.bitRate);
      set(v, "video_streams", i.videoStreams);
      set(v, "audio_streams", i.audioStreams);
      set(v, "video_codec", i.videoCodec);
      set(v, "width", i.width);
      set(v, "height", i.height);
      set(v, "pixel_format", i.pixelFormat);
      set(v, "rotation_deg", i.hasVideo() ? i.rotationDeg : null);
      set(v, "fps", i.fps);
      set(v, "fps_rational", i.fpsRational);
      set(v, "variable_frame_rate", i.variableFrameRate);
      set(v, "frame_count", i.frameCount);
      set(v, "frame_count_estimated", i.frameCountEstimated);
      set(v, "video_start_s", i.videoStartS);
      set(v, "video_duration_s", i.videoDurationS);
      set(v, "audio_codec", i.audioCodec);
      set(v, "sample_rate", i.sampleRate);
      set(v, "channels", i.channels);
      set(v, "sample_format", i.sampleFormat);
      set(v, "audio_start_s", i.audioStartS);
      set(v, "audio_duration_s", i.audioDurationS);
      if (i.hasAudio() && i.hasVideo()) {
        double a = i.audioStartS == null ? 0 : i.audioStartS;
        double vs = i.videoStartS == null ? 0 : i.videoStartS;
        set(v, "av_offset_s", a - vs);
      }
    }
    ClipMetadata m = DatasetLayouts.parse(e.path());
    set(v, "dataset", m.dataset());
    set(v, "speaker", m.speaker());
    set(v, "gender", m.gender());
    set(v, "emotion", m.emotion());
    set(v, "intensity", m.intensity());
    set(v, "sentence_key", m.sentenceKey());
    set(v, "view", m.view());
    set(v, "take", m.take());
    set(v, "layout_extra", scala.jdk.javaapi.CollectionConverters.asScala(m.extra()));
    set(v, "transcript", transcript);
    return RowFactory.create(v);
  }

  /**
   * {@code row} with its speaker from the user's mapping when it names the clip (by id or path),
   * else from the layout. Applied to every row of a crawl, reused ones too, so a mapping that
   * changes or goes away takes effect without probing anything again.
   */
  static Row withSpeaker(Row row, ClipMapping speakers) {
    String id = row.getString(SCHEMA.fieldIndex("clip_id"));
    String path = row.getString(SCHEMA.fieldIndex("path"));
    String mapped = speakers.lookup(id, path);
    String speaker = mapped != null ? mapped : DatasetLayouts.parse(path).speaker();
    int i = SCHEMA.fieldIndex("speaker");
    if (java.util.Objects.equals(speaker, row.isNullAt(i) ? null : row.getString(i))) {
      return row;
    }
    Object[] v = new Object[row.size()];
    for (int k = 0; k < v.length; k++) {
      v[k] = row.get(k);
    }
    v[i] = speaker;
    return RowFactory.create(v);
  }

  private static void set(Object[] v, String column, Object value) {
    v[SCHEMA.fieldIndex(column)] = value;
  }
}
