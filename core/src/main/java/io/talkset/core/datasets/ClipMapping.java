package io.talkset.core.datasets;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A user's per-clip values from a CSV file: lines {@code clip,VALUE}, where {@code clip} is a
 * clip id or a path. A path matches a clip whose canonical path equals it or ends with it after
 * a {@code /} (so {@code M003/audio/angry/level_1/001.m4a} matches wherever the dataset sits);
 * the longest match wins. Blank lines and lines starting with {@code #} are skipped; a first
 * line {@code clip,COLUMN} (any case) is a header; fields may be double-quoted. Sentence keys
 * ({@code --sentence-keys}) and speakers ({@code --speakers}) are given this way.
 */
public final class ClipMapping implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private final Map<String, String> byKey;

  private ClipMapping(Map<String, String> byKey) {
    this.byKey = byKey;
  }

  public static ClipMapping empty() {
    return new ClipMapping(Map.of());
  }

  public int size() {
    return byKey.size();
  }

  /**
   * Parses the mapping; errors name the source, the line and what was expected.
   *
   * @param source the file name, for messages
   * @param column the value's name, as the header line and messages spell it
   */
  public static ClipMapping parse(String source, String column, List<String> lines) {
    Map<String, String> m = new HashMap<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (n == 0 && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      List<String> f = fields(line);
      if (f.size() != 2 || f.get(0).isEmpty() || f.get(1).isEmpty()) {
        throw new IllegalArgumentException(source + " line " + (n + 1)
            + ": expected 'clip," + column + "' (a clip id or path, then its " + column
            + "), got '" + line + "'");
      }
      if (m.isEmpty() && f.get(0).equalsIgnoreCase("clip")
          && f.get(1).equalsIgnoreCase(column)) {
        continue;
      }
      String clip = f.get(0).replace('\\', '/');
      while (clip.startsWith("./")) {
        clip = clip.substring(2);
      }
      String before = m.put(clip, f.get(1));
      if (before != null && !before.equals(f.get(1))) {
        throw new IllegalArgumentException(source + " line " + (n + 1) + ": '" + clip
            + "' is mapped to both '" + before + "' and '" + f.get(1) + "'");
      }
    }
    return new ClipMapping(m);
  }

  /** The value for a clip, by id, then by its path's longest matching suffix; else null. */
  public String lookup(String clipId, String path) {
    String k = byKey.get(clipId);
    if (k != null || path == null) {
      return k;
    }
    String p = path.replace('\\', '/');
    k = byKey.get(p);
    int from = 0;
    while (k == null) {
      int slash = p.indexOf('/', from);
      if (slash < 0) {
        return null;
      }
      k = byKey.get(p.substring(slash + 1));
      from = slash + 1;
    }
    return k;
  }

  private static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (quoted) {
        if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cur.append(ch);
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        out.add(cur.toString().strip());
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    out.add(cur.toString().strip());
    return out;
  }
}
