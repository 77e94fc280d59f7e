package io.talkset.core.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A static HTML page with PNG images beside it: {@code index.html} and one file per image, no
 * scripts and nothing loaded from elsewhere, so it opens from a file system, an object store or
 * an archive. Every text given is escaped; image names are checked to be plain file names.
 *
 * <pre>{@code
 * Report r = Report.page("Dataset report");
 * r.section("mead").paragraph("12 clips").table(List.of("status", "clips"), rows)
 *     .image("mead-faces.png", Chart.histogram(...).png(), "face sizes");
 * r.write(dir);  // or r.files() for another file system
 * }</pre>
 */
public final class Report {
  /** Name of the page among {@link #files()}. */
  public static final String INDEX = "index.html";
  private static final Pattern IMAGE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}"
      + "\\.png");
  /** Relative links only: to a file beside or above the page, never a scheme (javascript:). */
  private static final Pattern LINK = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
  private static final Pattern NUMBER = Pattern.compile("[-+]?[0-9][0-9,]*(\\.[0-9]+)?"
      + "( ?(%|s|h|px|°))?");

  private final String title;
  private final StringBuilder body = new StringBuilder();
  private final List<String[]> contents = new ArrayList<>();
  private final Map<String, byte[]> images = new LinkedHashMap<>();

  private Report(String title) {
    this.title = title;
  }

  public static Report page(String title) {
    return new Report(title);
  }

  /** A top-level section (listed in the page's contents). */
  public Report section(String heading) {
    String id = "s" + (contents.size() + 1);
    contents.add(new String[] {id, heading});
    body.append("<h2 id=\"").append(id).append("\">").append(Html.escape(heading))
        .append("</h2>\n");
    return this;
  }

  public Report subsection(String heading) {
    body.append("<h3>").append(Html.escape(heading)).append("</h3>\n");
    return this;
  }

  public Report paragraph(String text) {
    body.append("<p>").append(Html.escape(text)).append("</p>\n");
    return this;
  }

  /** A highlighted remark, e.g. that a table is missing. */
  public Report note(String text) {
    body.append("<p class=\"note\">").append(Html.escape(text)).append("</p>\n");
    return this;
  }

  /**
   * A paragraph holding one link to another static file (e.g. a second report).
   *
   * @param href a relative path of letters, digits, '.', '_', '-' and '/' (e.g.
   *     {@code ../evaluation/index.html})
   */
  public Report link(String href, String text) {
    if (!LINK.matcher(href).matches()) {
      throw new IllegalArgumentException("a link must be a relative path of letters, digits,"
          + " '.', '_', '-' and '/', got '" + href + "'");
    }
    body.append("<p><a href=\"").append(Html.escape(href)).append("\">")
        .append(Html.escape(text)).append("</a></p>\n");
    return this;
  }

  /**
   * A table; cells that read as numbers are right-aligned. A null cell shows as an empty one.
   *
   * @param caption shown above the table, or null
   */
  public Report table(String caption, List<String> header, List<List<String>> rows) {
    body.append("<table>");
    if (caption != null) {
      body.append("<caption>").append(Html.escape(caption)).append("</caption>");
    }
    body.append("\n<thead><tr>");
    for (String h : header) {
      body.append("<th>").append(Html.escape(h)).append("</th>");
    }
    body.append("</tr></thead>\n<tbody>\n");
    for (List<String> row : rows) {
      if (row.size() != header.size()) {
        throw new IllegalArgumentException("table row of " + row.size() + " cells under "
            + header.size() + " headings: " + row);
      }
      body.append("<tr>");
      for (String cell : row) {
        body.append(cell != null && NUMBER.matcher(cell).matches() ? "<td class=\"num\">"
            : "<td>").append(Html.escape(cell)).append("</td>");
      }
      body.append("</tr>\n");
    }
    body.append("</tbody></table>\n");
    return this;
  }

  /**
   * A PNG shown at its own size, stored as {@code name} beside the page.
   *
   * @param name a plain file name ending in .png (letters, digits, '.', '_', '-'), unique
   * @param alt what the picture shows, for readers that cannot see it
   */
  public Report image(String name, byte[] png, String alt) {
    if (!IMAGE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("image name must be a plain file name ending in .png"
          + " (letters, digits, '.', '_', '-'), got '" + name + "'");
    }
    if (images.containsKey(name)) {
      throw new IllegalArgumentException("image name '" + name + "' used twice");
    }
    int[] size = Png.size(png);
    images.put(name, png.clone());
    body.append("<figure><img src=\"").append(Html.escape(name)).append("\" width=\"")
        .append(size[0]).append("\" height=\"").append(size[1]).append("\" alt=\"")
        .append(Html.escape(alt)).append("\"></figure>\n");
    return this;
  }

  /** The page. */
  public String html() {
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>").append(Html.escape(title)).append("</title>\n<style>\n")
        .append("body{font-family:sans-serif;margin:24px;color:#222;background:#fff}\n")
        .append("table{border-collapse:collapse;margin:8px 0 16px}\n")
        .append("th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}\n")
        .append("th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:")
        .append("tabular-nums}\ncaption{text-align:left;font-weight:bold;padding:4px 0}\n")
        .append("figure{margin:8px 0;display:inline-block}\n")
        .append(".note{color:#8a4b00;background:#fff4e0;padding:4px 8px}\n")
        .append("</style>\n</head>\n<body>\n<h1>").append(Html.escape(title)).append("</h1>\n");
    if (!contents.isEmpty()) {
      sb.append("<nav><ul>\n");
      for (String[] c : contents) {
        sb.append("<li><a href=\"#").append(c[0]).append("\">").append(Html.escape(c[1]))
            .append("</a></li>\n");
      }
      sb.append("</ul></nav>\n");
    }
    sb.append(body).append("</body>\n</html>\n");
    return sb.toString();
  }

  /** The page ({@value #INDEX}) and its images, by file name, page first. */
  public Map<String, byte[]> files() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(INDEX, html().getBytes(StandardCharsets.UTF_8));
    images.forEach((n, b) -> files.put(n, b.clone()));
    return files;
  }

  /** Writes {@link #files()} into {@code dir} (created if needed). */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> f : files().entrySet()) {
      Files.write(dir.resolve(f.getKey()), f.getValue());
    }
  }
}
