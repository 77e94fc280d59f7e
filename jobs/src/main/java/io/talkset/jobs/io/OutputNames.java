package io.talkset.jobs.io;

import java.util.regex.Pattern;

/**
 * Names that become folders under the dataset root (table names, batch ids) must each be one
 * plain path segment, so whatever produced them nothing is written outside {@code --output}:
 * no separator, no {@code .} or {@code ..}, no leading dot (hidden names are the committers'
 * staging folders), only letters, digits, {@code . _ = -}, at most 128 characters.
 */
public final class OutputNames {
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_=-][A-Za-z0-9._=-]{0,127}");

  private OutputNames() {}

  /**
   * Returns {@code value} when it is a safe segment.
   *
   * @param what what the name is, for the error ("table name", "batch id")
   * @throws IllegalArgumentException naming {@code what} and the value otherwise
   */
  public static String segment(String what, String value) {
    if (value == null || !SEGMENT.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " must be one path segment under the output root"
          + " (letters, digits, '.', '_', '=', '-'; not starting with '.'; at most 128),"
          + " got " + (value == null ? "null" : "'" + value + "'"));
    }
    return value;
  }
}
