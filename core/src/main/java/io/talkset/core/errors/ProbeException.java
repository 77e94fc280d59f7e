package io.talkset.core.errors;

/**
 * Why a clip could not be probed, decoded or given a model, with a machine-readable code from
 * {@link ErrorCodes}: every stage turns it into a status row instead of failing the job.
 */
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
