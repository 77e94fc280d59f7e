package io.talkset.core.report;

/** HTML text and attribute escaping: names in a report come from datasets and file paths. */
public final class Html {
  private Html() {}

  /**
   * {@code s} as HTML text or a double- or single-quoted attribute value; null gives "". Control
   * characters other than tab and newline become U+FFFD, which HTML does not allow raw.
   */
  public static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c < 0x20 && c != '\t' && c != '\n' || c == 0x7f ? '\uFFFD' : c);
      }
    }
    return sb.toString();
  }
}
