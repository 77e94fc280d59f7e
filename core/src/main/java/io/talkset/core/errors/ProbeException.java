package io.talkset.core.errors;

import io.talkset.core.media.MediaInfo;

/** A probe that could not produce {@link MediaInfo}, with a machine-readable code. */
public final class ProbeException extends Exception {
  private final String code;

  public ProbeException(String code, String message) {
    super(message);
    this.code = code;
  }

  public ProbeException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** One of the {@code ErrorCodes} constants. */
  public String code() {
    return code;
  }
}
