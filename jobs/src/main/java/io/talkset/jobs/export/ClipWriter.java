package io.talkset.jobs.export;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import io.talkset.core.export.FaceViews;
import io.talkset.core.export.Npz;
import io.talkset.core.export.TarWriter;
import io.talkset.core.export.Wav;
import io.talkset.core.media.CropVideoWriter;
import io.talkset.jobs.io.HadoopConf;
import io.talkset.jobs.io.Json;
import io.talkset.jobs.io.Sources;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * Writes the samples of one task, each from its frame rows in frame order, into the staging
 * folder: the picture streamed (JPEG bytes copied, or crops encoded one at a time), the
 * per-frame arrays gathered, the clip's audio decoded whole and cut to the sample's frames.
 * A sample is a clip, or a training window: then the rows also carry
 * {@link #WINDOW_COLUMNS}, a frame of overlapping windows comes once per window, and a
 * clip's windows follow one another so its audio is decoded once for all of them.
 * A sample that fails leaves no file behind and is reported, the others go on.
 */
final class ClipWriter {
  /** The frame columns read, in this order. */
  static final List<String> COLUMNS = List.of("clip_id", "frame_index", "jpeg", "size",
      "landmarks_crop", "yaw_deg", "pitch_deg", "roll_deg", "tx_mm", "ty_mm", "tz_mm",
      "expression", "mm_id", "mm_exp", "mm_tex", "mm_angles", "mm_gamma", "mm_trans", "hdtf",
      "evp", "wav2lip", "samples", "window_x", "window_y", "window_side", "mesh",
      "mesh_confidence", "morph_id_coeffs", "morph_exp_coeffs", "morph_yaw_deg",
      "morph_pitch_deg", "morph_roll_deg", "morph_scale", "morph_translation",
      "morph_fit_rms_px");
  /** Per window, after {@link #COLUMNS}: the window's id, segment and frame range. */
  static final List<String> WINDOW_COLUMNS = List.of("window_id", "segment", "window_first",
      "window_last");
  private static final int CLIP = 0;
  private static final int FRAME = 1;
  private static final int JPEG = 2;
  private static final int SIZE = 3;
  private static final int LANDMARKS = 4;
  private static final int WINDOW_X = 22;
  private static final int MESH = 25;
  private static final int MORPH = 27;
  private static final int WINDOW_ID = COLUMNS.size();

  /** A sample's span: the clip's face frames, or a window (with its id and segment). */
  private record Span(String window, int segment, int first, int last) {
    int frames() {
      return last - first + 1;
    }
  }

  private final ExportConfig cfg;
  private final Map<String, ExportJob.ClipInfo> info;
  private final String staging;
  private final HadoopConf conf;
  /** The warp of a view other than the stored crop, or null. */
  private final FaceViews.View view;
  /** The last clip whose audio was decoded, and that audio (null: none): its windows share it. */
  private String audioClip;
  private float[] audioDecoded;

  private ClipWriter(ExportConfig cfg, Map<String, ExportJob.ClipInfo> info, String staging,
      HadoopConf conf) {
    this.cfg = cfg;
    this.info = info;
    this.staging = staging;
    this.conf = conf;
    this.view = cfg.view().warp();
  }

  /** Every clip of a partition sorted by clip and frame, one clip at a time. */
  static Iterator<ExportJob.Exported> all(Iterator<Row> in, ExportConfig cfg,
      Map<String, ExportJob.ClipInfo> info, String staging, HadoopConf conf) throws IOException {
    ClipWriter w = new ClipWriter(cfg, info, staging, conf);
    List<ExportJob.Exported> out = new ArrayList<>();
    Row[] next = {in.hasNext() ? in.next() : null};
    while (next[0] != null) {
      out.add(w.one(next, in));
    }
    return out.iterator();
  }

  /** The id of the sample a row belongs to: its window's, or its clip's. */
  private String sampleId(Row r) {
    return cfg.perWindow() ? r.getString(WINDOW_ID) : r.getString(CLIP);
  }

  /** One sample from its first row in {@code next[0]}; leaves the next one's first row there. */
  private ExportJob.Exported one(Row[] next, Iterator<Row> in) throws IOException {
    String clipId = next[0].getString(CLIP);
    String id = sampleId(next[0]);
    ExportJob.ClipInfo c = info.get(clipId);
    Span span = cfg.perWindow() ? new Span(id, next[0].getInt(WINDOW_ID + 1),
        next[0].getInt(WINDOW_ID + 2), next[0].getInt(WINDOW_ID + 3))
        : new Span(null, -1, c.first(), c.last());
    int first = span.first();
    int frames = span.frames();
    String key = SampleNames.key(c.split(), id);
    FileSystem fs = ExportJob.files(new Path(staging), conf.get());
    // Where the sample's files go: removed whole if it fails. A window's MP4 or folder sits in
    // its clip's folder (Wav2Lip's SPEAKER/VIDEO layout, one level per clip).
    Path split = new Path(staging, c.split());
    Path folder = cfg.perWindow() ? new Path(split, clipId) : split;
    Path own = switch (cfg.format()) {
      case WEBDATASET -> new Path(new Path(new Path(staging, ExportJob.SAMPLES), c.split()),
          id + ".tar");
      case CLIPS -> new Path(folder, id + ".mp4");
      case FRAMES -> new Path(folder, id);
    };
    boolean video = cfg.format() == ExportConfig.Format.CLIPS
        || (cfg.format() == ExportConfig.Format.WEBDATASET
        && cfg.media() == ExportConfig.Media.MP4);
    java.nio.file.Path local = video ? Files.createTempFile("talkset-export-", ".mp4") : null;
    FrameArrays arrays = new FrameArrays(first, frames);
    int faces = 0;
    try {
      float[] decoded = decoded(c);
      float[] audio = decoded == null ? null : SampleNames.audio(decoded, first, frames,
          c.audioShift());
      long bytes;
      if (video) {
        int side = cfg.side(next[0].getInt(SIZE));
        try (CropVideoWriter w = new CropVideoWriter(local.toString(), side, audio)) {
          for (Row r = next[0]; r != null && sampleId(r).equals(id);
              r = advance(next, in)) {
            int j = r.getInt(FRAME) - first;
            // A frame without a crop (between face segments) repeats the previous crop, so
            // video frame j stays grid frame first + j and the audio stays in step.
            while (w.frames() < j) {
              w.repeat();
            }
            double[] a = affine(r, side);
            if (view == null) {
              w.add((byte[]) r.get(JPEG));
            } else if (a != null) {
              try (Mat v = FaceViews.warp((byte[]) r.get(JPEG), a, side)) {
                w.add(v);
              }
            } else if (w.frames() > 0) {
              w.repeat(); // No landmarks to align by: as a frame without a crop.
            } else {
              try (Mat black = new Mat(side, side, CV_8UC3, Scalar.all(0))) {
                w.add(black);
              }
            }
            boolean pictured = view == null || a != null;
            gather(arrays, r, a, pictured);
            faces += pictured ? 1 : 0;
          }
          while (w.frames() < frames) {
            w.repeat();
          }
        }
        if (cfg.format() == ExportConfig.Format.CLIPS) {
          fs.copyFromLocalFile(false, true, new Path(local.toUri()), own);
          bytes = Files.size(local);
        } else {
          try (OutputStream o = fs.create(own, true); InputStream v = Files.newInputStream(local)) {
            TarWriter tar = new TarWriter(o);
            tar.add(key + ".mp4", Files.size(local), v);
            bytes = rest(tar, key, c, span, faces, audio, arrays);
          }
        }
      } else if (cfg.format() == ExportConfig.Format.WEBDATASET) {
        try (OutputStream o = fs.create(own, true)) {
          TarWriter tar = new TarWriter(o);
          int side = cfg.side(next[0].getInt(SIZE));
          for (Row r = next[0]; r != null && sampleId(r).equals(id);
              r = advance(next, in)) {
            double[] a = affine(r, side);
            byte[] jpeg = picture(r, a, side);
            if (jpeg != null) {
              tar.add(key + "." + SampleNames.frame(r.getInt(FRAME) - first), jpeg);
              faces++;
            }
            gather(arrays, r, a, jpeg != null);
          }
          bytes = rest(tar, key, c, span, faces, audio, arrays);
        }
      } else {
        bytes = 0;
        int side = cfg.side(next[0].getInt(SIZE));
        for (Row r = next[0]; r != null && sampleId(r).equals(id);
            r = advance(next, in)) {
          double[] a = affine(r, side);
          byte[] jpeg = picture(r, a, side);
          if (jpeg != null) {
            write(fs, new Path(own, SampleNames.frame(r.getInt(FRAME) - first)), jpeg);
            bytes += jpeg.length;
            faces++;
          }
          gather(arrays, r, a, jpeg != null);
        }
        if (audio != null) {
          bytes += write(fs, new Path(own, "audio.wav"), Wav.pcm16(audio, CropVideoWriter.RATE));
        }
        bytes += write(fs, new Path(own, "params.npz"), Npz.stored(arrays.npy()));
        bytes += write(fs, new Path(own, cfg.perWindow() ? "window.json" : "clip.json"),
            Json.write(meta(key, c, span, faces, audio)).getBytes(StandardCharsets.UTF_8));
      }
      return new ExportJob.Exported(c.split(), clipId, "ok", null, frames, faces, audio != null,
          bytes, own.toString(), span.window());
    } catch (Exception e) {
      while (next[0] != null && sampleId(next[0]).equals(id)) {
        advance(next, in);
      }
      fs.delete(own, true);
      return new ExportJob.Exported(c.split(), clipId, "failed",
          e.getClass().getSimpleName() + ": " + e.getMessage(), frames, faces, false, 0, null,
          span.window());
    } finally {
      if (local != null) {
        Files.deleteIfExists(local);
      }
    }
  }

  /**
   * The clip's audio decoded whole (null: no audio), kept for the clip's next windows: they
   * come one after another in the task.
   */
  private float[] decoded(ExportJob.ClipInfo c) throws IOException {
    if (!c.clipId().equals(audioClip)) {
      audioClip = null; // Not cached if the decode throws: each window then reports it.
      audioDecoded = c.size() < 0 ? null : Sources.audioOrNull(c.path(), c.size(), conf,
          CropVideoWriter.RATE, cfg.timeoutMillis());
      audioClip = c.clipId();
    }
    return audioDecoded;
  }

  /** A sample's members after its picture: KEY.json, KEY.wav, then KEY.FIELD.npy. */
  private long rest(TarWriter tar, String key, ExportJob.ClipInfo c, Span span, int faces,
      float[] audio, FrameArrays arrays) throws IOException {
    tar.add(key + ".json", Json.write(meta(key, c, span, faces, audio))
        .getBytes(StandardCharsets.UTF_8));
    if (audio != null) {
      tar.add(key + ".wav", Wav.pcm16(audio, CropVideoWriter.RATE));
    }
    for (Map.Entry<String, byte[]> a : arrays.npy().entrySet()) {
      tar.add(key + "." + a.getKey() + ".npy", a.getValue());
    }
    return tar.written();
  }

  /** The sample's description: ids, metadata, its span on the grid and its media. */
  private Map<String, Object> meta(String key, ExportJob.ClipInfo c, Span span, int faces,
      float[] audio) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key", key);
    m.put("clip_id", c.clipId());
    if (span.window() != null) {
      m.put("window_id", span.window());
      m.put("segment", span.segment());
    }
    m.put("split", c.split());
    m.putAll(c.meta());
    m.put("picture", cfg.view().name().toLowerCase(java.util.Locale.ROOT));
    m.put("fps", CropVideoWriter.FPS);
    m.put("sample_rate", CropVideoWriter.RATE);
    m.put("first_frame", span.first());
    m.put("last_frame", span.last());
    m.put("frames", span.frames());
    m.put("face_frames", faces);
    if (span.window() != null) {
      // The window's audio range on the clip's 16 kHz audio, as the windows table gives it.
      m.put("first_sample", (long) span.first() * SampleNames.SAMPLES_PER_FRAME);
      m.put("end_sample", (long) (span.last() + 1) * SampleNames.SAMPLES_PER_FRAME);
    }
    m.put("audio_samples", audio == null ? null : audio.length);
    m.put("audio_shift_frames", c.audioShift());
    return m;
  }

  /**
   * For a warped view, the row's map from crop to view pixels ({@link FaceViews#affine} on its
   * smoothed landmarks); null for the stored crop or a row without landmarks.
   */
  private double[] affine(Row r, int side) {
    if (view == null || r.isNullAt(LANDMARKS)) {
      return null;
    }
    return FaceViews.affine(view, floats(r, LANDMARKS), side);
  }

  /** The row's JPEG: the stored bytes, or its view re-encoded; null when it has no view. */
  private byte[] picture(Row r, double[] affine, int side) {
    if (view == null) {
      return (byte[]) r.get(JPEG);
    }
    if (affine == null) {
      return null;
    }
    try (Mat v = FaceViews.warp((byte[]) r.get(JPEG), affine, side)) {
      return FaceViews.jpeg(v, ExportConfig.VIEW_JPEG_QUALITY);
    }
  }

  /**
   * The row's arrays: landmarks and mesh in the picture's pixels (the crop's, or the view's
   * through {@code affine}, which is kept too), head pose, expression, 3DMM, audio features.
   */
  private void gather(FrameArrays a, Row r, double[] affine, boolean pictured) {
    int f = r.getInt(FRAME);
    if (pictured) {
      a.face(f);
    }
    float[] lm = floats(r, LANDMARKS);
    if (view != null) {
      lm = affine == null ? null : FaceViews.apply(affine, lm);
      a.set(f, "affine", affine == null ? null : FrameArrays.floats(affine));
    }
    a.set(f, "landmarks", lm);
    float[] mesh = floats(r, MESH);
    if (mesh != null) {
      // Source pixels to crop pixels as the params stage maps its landmarks; z by the scale.
      double s = r.getInt(SIZE) / r.getDouble(WINDOW_X + 2);
      double wx = r.getDouble(WINDOW_X);
      double wy = r.getDouble(WINDOW_X + 1);
      double k = affine == null ? 1 : Math.hypot(affine[0], affine[3]);
      for (int i = 0; i < mesh.length; i += 3) {
        double x = (mesh[i] - wx) * s;
        double y = (mesh[i + 1] - wy) * s;
        mesh[i] = (float) (affine == null ? x : affine[0] * x + affine[1] * y + affine[2]);
        mesh[i + 1] = (float) (affine == null ? y : affine[3] * x + affine[4] * y + affine[5]);
        mesh[i + 2] = (float) (mesh[i + 2] * s * k);
      }
      if (view != null && affine == null) {
        mesh = null;
      }
    }
    a.set(f, "mesh", mesh);
    a.set(f, "mesh_confidence", FrameArrays.scalars(scalar(r, MESH + 1)));
    a.set(f, "pose", FrameArrays.scalars(scalar(r, 5), scalar(r, 6), scalar(r, 7),
        scalar(r, 8), scalar(r, 9), scalar(r, 10)));
    a.set(f, "expression", floats(r, 11));
    List<float[]> mm = new ArrayList<>();
    for (int i = 12; i <= 17; i++) {
      mm.add(floats(r, i));
    }
    a.set(f, "params", FrameArrays.concat(mm));
    a.set(f, "hdtf", floats(r, 18));
    a.set(f, "evp", floats(r, 19));
    a.set(f, "wav2lip", floats(r, 20));
    a.set(f, "samples", floats(r, 21));
    // The learned morphable model, as the dataset stores it (not mapped into the picture: its
    // translation and scale are in source pixels, like face_morphable's).
    a.set(f, "morph_id", floats(r, MORPH));
    a.set(f, "morph_exp", floats(r, MORPH + 1));
    float[] t = floats(r, MORPH + 6);
    a.set(f, "morph_pose", t == null ? null : FrameArrays.scalars(scalar(r, MORPH + 2),
        scalar(r, MORPH + 3), scalar(r, MORPH + 4), scalar(r, MORPH + 5), t[0], t[1], t[2]));
    a.set(f, "morph_fit", FrameArrays.scalars(scalar(r, MORPH + 7)));
  }

  private static float[] floats(Row r, int i) {
    if (r.isNullAt(i)) {
      return null;
    }
    List<Float> l = r.getList(i);
    float[] out = new float[l.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = l.get(k);
    }
    return out;
  }

  private static Float scalar(Row r, int i) {
    return r.isNullAt(i) ? null : r.getFloat(i);
  }

  private static long write(FileSystem fs, Path p, byte[] data) throws IOException {
    try (OutputStream o = fs.create(p, true)) {
      o.write(data);
    }
    return data.length;
  }

  private static Row advance(Row[] next, Iterator<Row> in) {
    next[0] = in.hasNext() ? in.next() : null;
    return next[0];
  }
}
