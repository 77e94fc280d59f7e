package io.talkset.core.crawl;

/**
 * One candidate media file found by a listing. A non-null {@code problemCode} means the entry
 * cannot be examined (a directory named like a video, a symlink loop, an unreadable folder...)
 * and goes straight into the manifest as a row with that code.
 *
 * @param path the full path as a URI string ({@code file:/data/a.mp4}, {@code hdfs://nn/x.mp4})
 * @param size size in bytes as listed (0 for problem entries)
 * @param modificationTimeMillis modification time in epoch milliseconds (0 when unknown)
 */
public record ListedEntry(
    String path, long size, long modificationTimeMillis, String problemCode,
    String problemMessage) implements java.io.Serializable {

  public static ListedEntry file(String path, long size, long mtime) {
    return new ListedEntry(path, size, mtime, null, null);
  }

  public static ListedEntry problem(String path, long mtime, String code, String message) {
    return new ListedEntry(path, 0, mtime, code, message);
  }

  public boolean examinable() {
    return problemCode == null;
  }
}
