package io.talkset.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.testing.Chromium;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTML page: escaping, image names, files written, and how a real browser shows it. */
class ReportTest {
  static final String EVIL = "<script>alert(\"x\")</script> & 'co'";

  @Test
  void escapesEveryTextItIsGiven() {
    assertEquals("a&lt;b&gt;&amp;&quot;&#39;\uFFFD", Html.escape("a<b>&\"'\u0001"));
    Report r = Report.page(EVIL).section(EVIL).paragraph(EVIL).note(EVIL)
        .table(EVIL, List.of(EVIL, "n"), List.of(List.of(EVIL, "12"), List.of("ok", "0.125 h")));
    String html = r.html();
    assertFalse(html.contains("<script"), html);
    assertFalse(html.contains("'co'"), html);
    assertTrue(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;"));
    // Numbers are right-aligned, text is not.
    assertTrue(html.contains("<td class=\"num\">12</td>"), html);
    assertTrue(html.contains("<td class=\"num\">0.125 h</td>"), html);
    assertTrue(html.contains("<td>ok</td>"), html);
  }

  @Test
  void imageNamesArePlainUniqueFileNames() {
    byte[] png = Chart.bars("t", "n", List.of("a"), new long[] {1}).png();
    for (String bad : List.of("../x.png", "a/b.png", "a b.png", "x.svg", ".hidden.png",
        "x.png\"onerror=\"y")) {
      assertThrows(IllegalArgumentException.class, () -> Report.page("t").image(bad, png, "a"),
          bad);
    }
    Report r = Report.page("t").image("d1-faces.png", png, "faces");
    assertThrows(IllegalArgumentException.class, () -> r.image("d1-faces.png", png, "again"));
    assertThrows(IllegalArgumentException.class, () -> r.image("x.png", new byte[30], "no png"));
    assertTrue(r.html().contains("<img src=\"d1-faces.png\" width=\"640\" height=\"360\""
        + " alt=\"faces\">"), r.html());
  }

  @Test
  void linksAreRelativePathsOnly() {
    for (String bad : List.of("javascript:alert(1)", "http://x/y.html", "/etc/passwd",
        "a b.html", "x.html\"onclick=\"y", "", "a//b.html")) {
      assertThrows(IllegalArgumentException.class, () -> Report.page("t").link(bad, "x"), bad);
    }
    assertTrue(Report.page("t").link("../evaluation/index.html", "<eval>").html().contains(
        "<p><a href=\"../evaluation/index.html\">&lt;eval&gt;</a></p>"));
  }

  @Test
  void aBrowserShowsThePageWithEveryImageLoaded(@TempDir Path dir, @TempDir Path work)
      throws Exception {
    Chromium.require();
    double[] sizes = new double[500];
    java.util.Random rnd = new java.util.Random(7);
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = 180 + 40 * rnd.nextGaussian();
    }
    byte[] jpeg = ContactSheetTest.halfAndHalf();
    Report r = Report.page("Dataset report: " + EVIL)
        .section("ravdess & <friends>")
        .table("Clips", List.of("status", "clips"), List.of(List.of("ok", "3")))
        .image("d1-face-px.png", Chart.histogram("face size", "px", Histogram.of(sizes, 20))
            .png(), "face sizes")
        .image("d1-sheet.png", Png.encode(ContactSheet.render(List.of(
            new ContactSheet.Tile(jpeg, new float[] {100, 100}, "one")), 4, 128)), "crops");
    r.write(dir);
    Map<String, byte[]> files = r.files();
    assertEquals(List.of("index.html", "d1-face-px.png", "d1-sheet.png"),
        List.copyOf(files.keySet()));
    for (String f : files.keySet()) {
      assertTrue(Files.size(dir.resolve(f)) > 100, f);
    }

    Chromium.Rendered shown = Chromium.render(dir, work, 1000, 1100);
    assertEquals(List.of(), shown.broken(), "images that did not load");
    assertEquals(List.of("640x360 d1-face-px.png", "136x152 d1-sheet.png"), shown.loaded());
    BufferedImage shot = shown.screenshot();
    double[] inkSpread = Chromium.inkAndSpread(shot);
    // Bars of the histogram, in their colour within rounding, made it to the screen.
    long bar = Chromium.pixelsNear(shot, Chart.BAR, 6);
    System.out.printf(Locale.ROOT, "report in chromium: %d images loaded, %.1f%% ink, luma"
        + " spread %.1f, %d bar pixels%n", shown.loaded().size(), 100 * inkSpread[0],
        inkSpread[1], bar);
    assertTrue(inkSpread[0] > 0.03, "screenshot nearly blank: " + inkSpread[0]);
    assertTrue(inkSpread[1] > 20, "screenshot nearly uniform: " + inkSpread[1]);
    assertTrue(bar > 2000, bar + " bar-coloured pixels on screen");
  }
}
