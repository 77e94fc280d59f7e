package io.talkset.core.datasets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads dataset metadata from the path of a media file, for the layouts the talking-head
 * datasets are distributed in: MEAD, RAVDESS, CREMA-D, HDTF clip names, VoxCeleb2 and LRS3.
 * Anything else falls back to {@code generic}: speaker = parent folder, take = file stem.
 *
 * <p>Only the path is read, never the content, so this is cheap and safe on any file.
 */
public final class DatasetLayouts {

  private static final Pattern MEAD_VIDEO = Pattern.compile(
      "(?:^|/)([MW]\\d{3})/video/(?:\\d+/)?(front|down|top|left_30|left_60|right_30|right_60)/"
          + "([a-z]+)/level_(\\d)/(\\d{3})\\.[A-Za-z0-9]+$");
  private static final Pattern MEAD_AUDIO = Pattern.compile(
      "(?:^|/)([MW]\\d{3})/audio/([a-z]+)/level_(\\d)/(\\d{3})\\.[A-Za-z0-9]+$");
  private static final Pattern RAVDESS = Pattern.compile(
      "^(0[1-3])-(0[12])-(0[1-8])-(0[12])-(0[12])-(0[12])-(\\d{2})\\.[A-Za-z0-9]+$");
  private static final Pattern CREMA_D = Pattern.compile(
      "^(1\\d{3})_([A-Z]{3})_(ANG|DIS|FEA|HAP|NEU|SAD)_(LO|MD|HI|XX|X)\\.[A-Za-z0-9]+$");
  private static final Pattern HDTF = Pattern.compile(
      "^(WRA|WDA|RD)_([A-Za-z][A-Za-z0-9-]*?)_(\\d{3})(?:_(\\d+))?\\.[A-Za-z0-9]+$");
  private static final Pattern VOXCELEB2 = Pattern.compile(
      "(?:^|/)(id\\d{5})/([A-Za-z0-9_-]{11})/(\\d{5})\\.[A-Za-z0-9]+$");
  private static final Pattern LRS3 = Pattern.compile(
      "(?:^|/)(pretrain|trainval|test)/([A-Za-z0-9_-]{11})/(\\d{5})\\.[A-Za-z0-9]+$");

  private static final Map<String, String> MEAD_EMOTIONS = Map.of(
      "angry", "angry", "contempt", "contempt", "disgusted", "disgusted", "fear", "fearful",
      "happy", "happy", "neutral", "neutral", "sad", "sad", "surprised", "surprised");
  private static final String[] RAVDESS_EMOTIONS = {
    null, "neutral", "calm", "happy", "sad", "angry", "fearful", "disgusted", "surprised"};
  private static final String[] RAVDESS_STATEMENTS = {
    null, "Kids are talking by the door", "Dogs are sitting by the door"};
  private static final Map<String, String> CREMA_EMOTIONS = Map.of(
      "ANG", "angry", "DIS", "disgusted", "FEA", "fearful", "HAP", "happy", "NEU", "neutral",
      "SAD", "sad");
  private static final Map<String, String> CREMA_LEVELS = Map.of(
      "LO", "low", "MD", "medium", "HI", "high", "XX", "unspecified", "X", "unspecified");
  private static final Map<String, String> CREMA_SENTENCES = Map.ofEntries(
      Map.entry("IEO", "It's eleven o'clock"),
      Map.entry("TIE", "That is exactly what happened"),
      Map.entry("IOM", "I'm on my way to the meeting"),
      Map.entry("IWW", "I wonder what this is about"),
      Map.entry("TAI", "The airplane is almost full"),
      Map.entry("MTI", "Maybe tomorrow it will be cold"),
      Map.entry("IWL", "I would like a new alarm clock"),
      Map.entry("ITH", "I think I have a doctor's appointment"),
      Map.entry("DFA", "Don't forget a jacket"),
      Map.entry("ITS", "I think I've seen this before"),
      Map.entry("TSI", "The surface is slick"),
      Map.entry("WSI", "We'll stop in a couple of minutes"));
  private static final Map<String, String> HDTF_SOURCES = Map.of(
      "WRA", "weekly republican address", "WDA", "weekly democratic address", "RD", "radio");

  private DatasetLayouts() {}

  /** Parses {@code path} (a URI or a plain path; only '/'-separated segments are read). */
  public static ClipMetadata parse(String path) {
    String p = stripScheme(path);
    String name = p.substring(p.lastIndexOf('/') + 1);
    Matcher m;
    if ((m = MEAD_VIDEO.matcher(p)).find() && MEAD_EMOTIONS.containsKey(m.group(3))) {
      return new ClipMetadata("mead", m.group(1), gender(m.group(1).charAt(0) == 'M'),
          MEAD_EMOTIONS.get(m.group(3)), m.group(4), null, m.group(2), m.group(5),
          extra("mead_kind", "video", "mead_number", m.group(5)));
    }
    if ((m = MEAD_AUDIO.matcher(p)).find() && MEAD_EMOTIONS.containsKey(m.group(2))) {
      return new ClipMetadata("mead", m.group(1), gender(m.group(1).charAt(0) == 'M'),
          MEAD_EMOTIONS.get(m.group(2)), m.group(3), null, null, m.group(4),
          extra("mead_kind", "audio", "mead_number", m.group(4)));
    }
    if ((m = RAVDESS.matcher(name)).matches()) {
      int actor = Integer.parseInt(m.group(7));
      if (actor >= 1 && actor <= 24) {
        String channel = m.group(2).equals("01") ? "speech" : "song";
        int statement = Integer.parseInt(m.group(5));
        return new ClipMetadata("ravdess", String.format(Locale.ROOT, "Actor_%02d", actor),
            gender(actor % 2 == 1), RAVDESS_EMOTIONS[Integer.parseInt(m.group(3))],
            m.group(4).equals("01") ? "normal" : "strong",
            channel + "-" + m.group(5), null, m.group(6),
            extra("modality", switch (m.group(1)) {
                  case "01" -> "audio-video";
                  case "02" -> "video-only";
                  default -> "audio-only";
                },
                "vocal_channel", channel, "sentence_text", RAVDESS_STATEMENTS[statement]));
      }
    }
    if ((m = CREMA_D.matcher(name)).matches() && CREMA_SENTENCES.containsKey(m.group(2))) {
      return new ClipMetadata("crema-d", m.group(1), null, CREMA_EMOTIONS.get(m.group(3)),
          CREMA_LEVELS.get(m.group(4)), m.group(2), null, null,
          extra("sentence_text", CREMA_SENTENCES.get(m.group(2))));
    }
    if ((m = HDTF.matcher(name)).matches()) {
      String take = m.group(4) == null ? m.group(3) : m.group(3) + "_" + m.group(4);
      return new ClipMetadata("hdtf", m.group(2), null, null, null, null, null, take,
          extra("hdtf_source", HDTF_SOURCES.get(m.group(1)), "hdtf_prefix", m.group(1)));
    }
    if ((m = VOXCELEB2.matcher(p)).find()) {
      return new ClipMetadata("voxceleb2", m.group(1), null, null, null, null, null, m.group(3),
          extra("youtube_id", m.group(2)));
    }
    if ((m = LRS3.matcher(p)).find()) {
      // LRS3 has no speaker labels; a TED talk (its YouTube id) is the closest stand-in.
      return new ClipMetadata("lrs3", m.group(2), null, null, null, null, null, m.group(3),
          extra("youtube_id", m.group(2), "lrs3_split", m.group(1),
              "speaker_source", "youtube_id"));
    }
    List<String> segments = new ArrayList<>(Arrays.asList(p.split("/")));
    segments.removeIf(String::isEmpty);
    String parent = segments.size() >= 2 ? segments.get(segments.size() - 2) : null;
    int dot = name.lastIndexOf('.');
    return new ClipMetadata("generic", parent, null, null, null, null, null,
        dot > 0 ? name.substring(0, dot) : name, Map.of());
  }

  private static String stripScheme(String path) {
    String p = path.replace('\\', '/');
    int colon = p.indexOf(':');
    int slash = p.indexOf('/');
    if (colon > 0 && (slash < 0 || colon < slash)) {
      p = p.substring(colon + 1);
      if (p.startsWith("//")) {
        int next = p.indexOf('/', 2);
        p = next < 0 ? "/" : p.substring(next);
      }
    }
    return p;
  }

  private static String gender(boolean male) {
    return male ? "male" : "female";
  }

  private static Map<String, String> extra(String... kv) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      if (kv[i + 1] != null) {
        map.put(kv[i], kv[i + 1]);
      }
    }
    return map;
  }
}
