package io.talkset.core.errors;

/**
 * Machine-readable error codes of the {@code clips} manifest. Stable strings: users filter on
 * them, so a code is never renamed, only added.
 */
public final class ErrorCodes {
  /** Rejected: the file has no bytes. */
  public static final String EMPTY_FILE = "empty_file";
  /** Rejected: a directory, FIFO, socket or device carries a media file name. */
  public static final String NOT_A_FILE = "not_a_regular_file";
  /** Failed: FFmpeg recognises no media format in the data. */
  public static final String UNRECOGNIZED_FORMAT = "unrecognized_format";
  /** Failed: the file ends before its container says it should (e.g. an mp4 without index). */
  public static final String TRUNCATED = "truncated";
  /** Failed: the container opens but its streams cannot be read. */
  public static final String CORRUPT = "corrupt";
  /** Rejected: the container holds neither a video nor an audio stream. */
  public static final String NO_MEDIA_STREAMS = "no_media_streams";
  /** Rejected under {@code --require video} or {@code av}: no video stream. */
  public static final String NO_VIDEO = "no_video";
  /** Rejected under {@code --require audio} or {@code av}: no audio stream. */
  public static final String NO_AUDIO = "no_audio";
  /** Rejected by the frames stage: no face segment long enough was found. */
  public static final String NO_FACE = "no_face";
  /** Failed: the model file is missing or is not the pinned one. */
  public static final String MODEL_MISMATCH = "model_mismatch";
  /**
   * Rejected: over an input limit (picture size, duration or file size; {@code InputLimits}),
   * as declared by the container at crawl time or as found while decoding.
   */
  public static final String OVER_LIMIT = "over_limit";
  /** Failed: the probe exceeded the per-file time limit. */
  public static final String PROBE_TIMEOUT = "probe_timeout";
  /** Failed: the file system refused to open or read the file. */
  public static final String PERMISSION_DENIED = "permission_denied";
  /** Failed: a read error from the file system. */
  public static final String IO_ERROR = "io_error";
  /** Failed: a symbolic link that resolves to itself (directly or through other links). */
  public static final String SYMLINK_LOOP = "symlink_loop";
  /** Failed: a symbolic link whose target does not exist. */
  public static final String BROKEN_SYMLINK = "broken_symlink";
  /** Failed: the file name is not valid UTF-8, so the JVM cannot name it to open it. */
  public static final String INVALID_NAME_ENCODING = "invalid_name_encoding";
  /** Failed: a directory under the input could not be listed; its files are not in the manifest. */
  public static final String UNREADABLE_DIRECTORY = "unreadable_directory";
  /**
   * Failed: the clip was started {@code --max-attempts} times by a per-clip stage and never
   * finished: each time the JVM processing it died (a native crash, an out-of-memory kill),
   * so it is not started again. A property of the bytes as far as the pipeline can tell.
   */
  public static final String POISON_CLIP = "poison_clip";
  /** Failed: anything else (the message carries the exception). */
  public static final String INTERNAL = "internal_error";

  private ErrorCodes() {}
}
