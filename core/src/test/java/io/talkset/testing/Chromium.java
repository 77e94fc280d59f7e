package io.talkset.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * Debian's headless Chromium (package {@code chromium}, installed by bin/test) rendering a
 * static report: a screenshot of the page, and which of its {@code <img>} elements loaded,
 * read from a test-only copy of the page that lists them into the DOM after the load event.
 */
public final class Chromium {
  private static final long TIMEOUT_S = 90;
  /** Appended to the test copy only: the product page carries no script. */
  private static final String PROBE = "<script>addEventListener('load',()=>{const p="
      + "document.createElement('pre');p.id='talkset-imgcheck';p.textContent=[...document.images]"
      + ".map(i=>(i.complete&&i.naturalWidth>0?'ok ':'broken ')+i.naturalWidth+'x'"
      + "+i.naturalHeight+' '+i.getAttribute('src')).join('\\n');document.body.appendChild(p);"
      + "});</script>";
  private static final Pattern RESULT = Pattern.compile(
      "<pre id=\"talkset-imgcheck\">(.*?)</pre>", Pattern.DOTALL);

  /** What the browser saw. */
  public record Rendered(BufferedImage screenshot, List<String> loaded, List<String> broken) {}

  private Chromium() {}

  /**
   * The browser on PATH. Without one the test is skipped (with the reason) on a developer's
   * machine, but fails under CI ({@code CI=true}, set by .ci/run and by CI services): bin/test
   * installs chromium, so a CI run without it has lost the browser checks, not chosen to skip.
   */
  public static String require() {
    for (String name : List.of("chromium", "chromium-browser")) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        Path p = Path.of(dir.isEmpty() ? "." : dir, name);
        if (Files.isExecutable(p)) {
          return p.toString();
        }
      }
    }
    String why = "chromium is not installed (bin/test installs Debian's chromium package)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      org.junit.jupiter.api.Assertions.fail(why + ", and CI=true: the browser checks must run");
    }
    assumeTrue(false, why + ": the headless browser check of the report is skipped");
    return null;
  }

  /**
   * Renders {@code dir/index.html} at {@code width}×{@code height} and checks its images.
   * {@code work} receives the browser profile, the test copy and the screenshot.
   */
  public static Rendered render(Path dir, Path work, int width, int height) throws Exception {
    String chromium = require();
    Path page = dir.resolve("index.html");
    String html = Files.readString(page, StandardCharsets.UTF_8);
    int end = html.lastIndexOf("</body>");
    if (end < 0) {
      throw new AssertionError("no </body> in " + page);
    }
    // A copy of the folder, so relative image names resolve as on the page and the report
    // itself is left as written.
    Path copy = Files.createDirectories(work.resolve("page"));
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f)) {
          Files.copy(f, copy.resolve(f.getFileName().toString()));
        }
      }
    }
    Path probe = copy.resolve("talkset-test-imgcheck.html");
    Files.writeString(probe, html.substring(0, end) + PROBE + html.substring(end),
        StandardCharsets.UTF_8);
    String dom = run(work, "dom", chromium, "--virtual-time-budget=10000", "--dump-dom",
        probe.toUri().toString());
    Matcher m = RESULT.matcher(dom);
    if (!m.find()) {
      throw new AssertionError("the image probe did not run; chromium's DOM: "
          + dom.substring(0, Math.min(dom.length(), 2000)));
    }
    List<String> loaded = new ArrayList<>();
    List<String> broken = new ArrayList<>();
    for (String line : m.group(1).split("\n")) {
      if (line.startsWith("ok ")) {
        loaded.add(line.substring(3));
      } else if (!line.isBlank()) {
        broken.add(line);
      }
    }
    Path shot = work.resolve("screenshot.png");
    run(work, "shot", chromium, "--hide-scrollbars", "--window-size=" + width + "," + height,
        "--screenshot=" + shot, page.toUri().toString());
    BufferedImage image = ImageIO.read(shot.toFile());
    if (image == null) {
      throw new AssertionError("chromium wrote no readable screenshot at " + shot);
    }
    return new Rendered(image, loaded, broken);
  }

  /** Share of pixels that are not near-white, and the luma standard deviation. */
  public static double[] inkAndSpread(BufferedImage im) {
    long ink = 0;
    double sum = 0;
    double sq = 0;
    int n = im.getWidth() * im.getHeight();
    for (int y = 0; y < im.getHeight(); y++) {
      for (int x = 0; x < im.getWidth(); x++) {
        int rgb = im.getRGB(x, y);
        double l = 0.299 * (rgb >> 16 & 0xff) + 0.587 * (rgb >> 8 & 0xff) + 0.114 * (rgb & 0xff);
        sum += l;
        sq += l * l;
        if (l < 240) {
          ink++;
        }
      }
    }
    double mean = sum / n;
    return new double[] {(double) ink / n, Math.sqrt(Math.max(0, sq / n - mean * mean))};
  }

  /** Pixels within {@code tolerance} (sum of channel differences) of {@code colour}. */
  public static long pixelsNear(BufferedImage im, java.awt.Color colour, int tolerance) {
    long n = 0;
    for (int y = 0; y < im.getHeight(); y++) {
      for (int x = 0; x < im.getWidth(); x++) {
        int rgb = im.getRGB(x, y);
        int d = Math.abs((rgb >> 16 & 0xff) - colour.getRed())
            + Math.abs((rgb >> 8 & 0xff) - colour.getGreen())
            + Math.abs((rgb & 0xff) - colour.getBlue());
        n += d <= tolerance ? 1 : 0;
      }
    }
    return n;
  }

  private static String run(Path work, String tag, String chromium, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox",
        "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--no-default-browser-check", "--disable-extensions", "--mute-audio",
        "--user-data-dir=" + work.resolve("profile-" + tag)));
    cmd.addAll(List.of(args));
    Path out = work.resolve(tag + ".out");
    Path err = work.resolve(tag + ".err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
        .start();
    if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("chromium took over " + TIMEOUT_S + " s: " + cmd);
    }
    if (p.exitValue() != 0) {
      throw new AssertionError("chromium exited " + p.exitValue() + ": " + cmd + "\n"
          + tail(err));
    }
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  private static String tail(Path f) throws IOException {
    String s = Files.readString(f, StandardCharsets.UTF_8);
    return s.substring(Math.max(0, s.length() - 3000));
  }
}
