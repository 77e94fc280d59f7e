package io.talkset.core.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Matches generated videos to dataset clips by name: a file name that contains a clip's 32-hex
 * id (any case, e.g. {@code 3f2a…_model-x.mp4}) is that clip; otherwise a file whose base name
 * (without extension) equals the base name of exactly one clip's path is that clip. Several
 * clips with the base name (MEAD's {@code 001.mp4} in every emotion folder) is ambiguous: name
 * the files by clip id instead.
 */
public final class GeneratedMatch implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Pattern HEX32 = Pattern.compile("(?i)(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])");

  public static final String UNMATCHED = "unmatched";
  public static final String AMBIGUOUS = "ambiguous";

  /**
   * One file's match; {@code clipId} is null unless matched.
   *
   * @param matchedBy clip_id or file_name
   * @param status null when matched, else {@link #UNMATCHED} or {@link #AMBIGUOUS}
   */
  public record Match(String clipId, String matchedBy, String status, String message) {}

  private final Set<String> ids = new TreeSet<>();
  private final Map<String, List<String>> byBase = new HashMap<>();

  /** @param clips clip id to the clip's path */
  public GeneratedMatch(Map<String, String> clips) {
    for (Map.Entry<String, String> e : clips.entrySet()) {
      ids.add(e.getKey().toLowerCase(Locale.ROOT));
      byBase.computeIfAbsent(base(e.getValue()), k -> new ArrayList<>()).add(e.getKey());
    }
  }

  /** The file name without folders and without its last extension. */
  public static String base(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  public Match match(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    Matcher m = HEX32.matcher(name);
    List<String> unknown = new ArrayList<>();
    while (m.find()) {
      String id = m.group().toLowerCase(Locale.ROOT);
      if (ids.contains(id)) {
        return new Match(id, "clip_id", null, null);
      }
      unknown.add(id);
    }
    List<String> same = byBase.getOrDefault(base(path), List.of());
    if (same.size() == 1) {
      return new Match(same.get(0), "file_name", null, null);
    }
    if (same.size() > 1) {
      return new Match(null, null, AMBIGUOUS, same.size() + " dataset clips are named '"
          + base(path) + "': put the clip id in the generated file's name");
    }
    return new Match(null, null, UNMATCHED, unknown.isEmpty()
        ? "no dataset clip has the id or base name of '" + name + "'"
        : "the id " + unknown.get(0) + " in the name is no ok clip of the dataset, and no clip"
            + " has the base name '" + base(path) + "'");
  }
}
