package io.talkset.jobs.cli;

/** A wrong or missing argument; its message is the one line the user sees. */
public final class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message);
  }
}
