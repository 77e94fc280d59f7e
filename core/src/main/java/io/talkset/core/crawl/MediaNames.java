package io.talkset.core.crawl;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** Which file names count as media: by extension, case-insensitive, configurable. */
public final class MediaNames implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Video and audio containers found in talking-head collections. */
  public static final String DEFAULT_EXTENSIONS =
      "mp4,m4v,mov,avi,mkv,webm,mpg,mpeg,mpe,ts,mts,m2ts,ogv,ogg,flv,wmv,3gp,3g2,mxf,vob,"
          + "wav,m4a,mp3,aac,flac,opus,oga,wma,aif,aiff,au,amr,ac3,mp2";

  private final Set<String> extensions;

  public MediaNames(String commaSeparated) {
    this.extensions = Arrays.stream(commaSeparated.split(","))
        .map(s -> s.trim().toLowerCase(Locale.ROOT).replaceFirst("^\\.", ""))
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
    if (extensions.isEmpty()) {
      throw new IllegalArgumentException("no extensions given");
    }
  }

  public static MediaNames defaults() {
    return new MediaNames(DEFAULT_EXTENSIONS);
  }

  /** True when the last path segment has one of the media extensions. */
  public boolean matches(String pathOrName) {
    String name = pathOrName.substring(pathOrName.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    return dot > 0 && extensions.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  public Set<String> extensions() {
    return extensions;
  }
}
