package io.talkset.schemas;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createMapType;

import org.apache.spark.sql.types.StructType;

/**
 * The {@code clips} manifest written by the crawl: one row per distinct media content.
 *
 * <pre>
 * clip_id, id_method, content_digest, path, size, modification_time,
 * files: array&lt;struct&lt;path, size, modification_time&gt;&gt;,
 * status, error_code, error_message, probe_ms, probed_at,
 * media_kind, container, duration_s, bit_rate, video_streams, audio_streams,
 * video_codec, width, height, pixel_format, rotation_deg, fps, fps_rational,
 * variable_frame_rate, frame_count, frame_count_estimated, video_start_s, video_duration_s,
 * audio_codec, sample_rate, channels, sample_format, audio_start_s, audio_duration_s,
 * av_offset_s, dataset, speaker, gender, emotion, intensity, sentence_key, view, take,
 * layout_extra: map&lt;string,string&gt;, transcript
 * </pre>
 */
public final class ClipsSchema {
  /** 2: transcript added (last column). */
  public static final int VERSION = 2;

  /** One file holding a clip's content. */
  public static final StructType FILE = new StructType()
      .add("path", StringType, false)
      .add("size", LongType, false)
      .add("modification_time", TimestampType, true);

  public static final TableSchema SCHEMA = new TableSchema.Builder("clips", VERSION)
      .col("clip_id", StringType, false,
          "Stable id from the content (32 hex digits): equal content, equal id, whatever the name")
      .col("id_method", StringType, false,
          "How clip_id was computed: sha256 (whole file), sha256-sampled-3x1MiB (size + head,"
              + " middle, tail of files over 16 MiB) or path (content unreadable)")
      .col("content_digest", StringType, false, "Full hex digest clip_id was cut from")
      .col("path", StringType, false,
          "Canonical path: the first, in sort order, of the files holding this content")
      .col("size", LongType, false, "Size in bytes")
      .col("modification_time", TimestampType, true, "Modification time of path (UTC)")
      .col("files", createArrayType(FILE, false), false,
          "Every file with this content, sorted by path (more than one = duplicates)")
      .col("status", StringType, false, "ok, rejected (not usable media) or failed (an error)")
      .col("error_code", StringType, true, "Machine-readable reason when status is not ok")
      .col("error_message", StringType, true,
          "Human explanation of the status; for ok rows, a note (e.g. audio only)")
      .col("probe_ms", LongType, true, "Time spent identifying and probing, in milliseconds")
      .col("probed_at", TimestampType, false, "When the file was last probed (UTC)")
      .col("media_kind", StringType, true, "av, video, audio or none")
      .col("container", StringType, true, "FFmpeg demuxer name, as ffprobe's format_name")
      .col("duration_s", DoubleType, true, "Container duration in seconds")
      .col("bit_rate", LongType, true, "Container bit rate in bits per second")
      .col("video_streams", IntegerType, true, "Number of video streams")
      .col("audio_streams", IntegerType, true, "Number of audio streams")
      .col("video_codec", StringType, true, "Codec of the main video stream (ffprobe codec_name)")
      .col("width", IntegerType, true, "Coded width in pixels, before rotation")
      .col("height", IntegerType, true, "Coded height in pixels, before rotation")
      .col("pixel_format", StringType, true, "Pixel format, e.g. yuv420p")
      .col("rotation_deg", IntegerType, true,
          "Clockwise rotation (0, 90, 180, 270) that makes decoded frames upright")
      .col("fps", DoubleType, true, "Native average frame rate (ffprobe avg_frame_rate)")
      .col("fps_rational", StringType, true, "The native frame rate as a fraction, e.g. 30000/1001")
      .col("variable_frame_rate", BooleanType, true,
          "True when the nominal and average frame rates differ")
      .col("frame_count", LongType, true, "Number of video frames")
      .col("frame_count_estimated", BooleanType, true,
          "True when frame_count is duration x fps because the container has no count")
      .col("video_start_s", DoubleType, true, "Start time of the video stream in seconds")
      .col("video_duration_s", DoubleType, true, "Duration of the video stream in seconds")
      .col("audio_codec", StringType, true, "Codec of the main audio stream")
      .col("sample_rate", IntegerType, true, "Native audio sample rate in Hz")
      .col("channels", IntegerType, true, "Native audio channel count")
      .col("sample_format", StringType, true, "Native audio sample format, e.g. fltp, u8")
      .col("audio_start_s", DoubleType, true, "Start time of the audio stream in seconds")
      .col("audio_duration_s", DoubleType, true, "Duration of the audio stream in seconds")
      .col("av_offset_s", DoubleType, true,
          "audio_start_s - video_start_s: how much later the audio starts than the video")
      .col("dataset", StringType, true,
          "Layout the path matched: mead, ravdess, crema-d, hdtf, voxceleb2, lrs3 or generic")
      .col("speaker", StringType, true, "Speaker key from the layout (generic: parent folder)")
      .col("gender", StringType, true, "male or female when the layout encodes it")
      .col("emotion", StringType, true,
          "neutral, calm, happy, sad, angry, fearful, disgusted, surprised or contempt")
      .col("intensity", StringType, true, "Emotion intensity as the dataset grades it")
      .col("sentence_key", StringType, true, "Same key = same sentence by the same speaker")
      .col("view", StringType, true, "Camera view (MEAD)")
      .col("take", StringType, true, "Take, repetition or utterance number")
      .col("layout_extra", createMapType(StringType, StringType, false), true,
          "Dataset-specific fields from the layout (modality, youtube_id, sentence_text...)")
      .col("transcript", StringType, true,
          "The clip's transcript from a sidecar file with its base name (NAME.txt, else"
              + " NAME.lab; UTF-8, at most 64 KiB), stripped; null when there is none. Pairs"
              + " use it as the sentence key when neither a mapping nor the layout gives one")
      .build();

  private ClipsSchema() {}
}
