package io.talkset.core.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * A chart drawn with Java2D into a {@value #WIDTH}×{@value #HEIGHT} RGB picture: bar chart,
 * histogram and line plot (DTW warping paths). Shapes are drawn without anti-aliasing, so bars,
 * dots and lines keep their exact colours ({@link #BAR}, {@link #PALETTE}) and tests can find
 * them; text is anti-aliased. The data-to-pixel mapping of the plot area is public
 * ({@link #xPixel}, {@link #yPixel}) for the same reason.
 */
public final class Chart {
  static {
    // First, before the colour and font constants: headless mode is chosen when AWT starts.
    Png.init();
  }

  public static final int WIDTH = 640;
  public static final int HEIGHT = 360;
  /** Fill of histogram and bar-chart bars. */
  public static final Color BAR = new Color(0x4C, 0x78, 0xA8);
  /** Line colours of plotted series, in order (Tableau 10). */
  public static final List<Color> PALETTE = List.of(new Color(0xE1, 0x57, 0x59),
      new Color(0x59, 0xA1, 0x4F), new Color(0xF2, 0x8E, 0x2B), new Color(0xB0, 0x7A, 0xA1),
      new Color(0x76, 0xB7, 0xB2), new Color(0xED, 0xC9, 0x48), new Color(0x9C, 0x75, 0x5F),
      new Color(0xFF, 0x9D, 0xA7));
  static final Color BACKGROUND = Color.WHITE;
  static final Color INK = new Color(0x22, 0x22, 0x22);
  static final Color GRID = new Color(0xE4, 0xE4, 0xE4);
  static final Color DIAGONAL = new Color(0x99, 0x99, 0x99);
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);
  private static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

  private final BufferedImage image;
  private final Rectangle plot = new Rectangle(70, 40, WIDTH - 70 - 20, HEIGHT - 40 - 52);
  private final double x0;
  private final double x1;
  private final double y0;
  private final double y1;

  private Chart(double x0, double x1, double y0, double y1) {
    this.image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    this.x0 = x0;
    this.x1 = x1 > x0 ? x1 : x0 + 1;
    this.y0 = y0;
    this.y1 = y1 > y0 ? y1 : y0 + 1;
  }

  public BufferedImage image() {
    return image;
  }

  public byte[] png() {
    return Png.encode(image);
  }

  /** The plot area in pixels: the data range maps onto it. */
  public Rectangle plot() {
    return new Rectangle(plot);
  }

  /** Pixel column of data value {@code x}. */
  public int xPixel(double x) {
    return plot.x + (int) Math.round((x - x0) / (x1 - x0) * plot.width);
  }

  /** Pixel row of data value {@code y} (rows grow downwards). */
  public int yPixel(double y) {
    return plot.y + plot.height - (int) Math.round((y - y0) / (y1 - y0) * plot.height);
  }

  /**
   * A histogram: one bar per bin, height count / (top of the count axis) of the plot height;
   * the x axis ticks at nice values over the bins' range; counts written over the bars when
   * they fit.
   */
  public static Chart histogram(String title, String xLabel, Histogram h) {
    double top = countTop(h.max());
    Chart c = new Chart(h.lo(), h.edge(h.bins()), 0, top);
    Graphics2D g = c.begin(title + "  (n = " + h.total() + ")");
    double[] xt = Ticks.ticks(h.lo(), h.edge(h.bins()), 6);
    double xs = xt.length > 1 ? xt[1] - xt[0] : 1;
    c.countAxis(g, top);
    g.setColor(BAR);
    for (int i = 0; i < h.bins(); i++) {
      if (h.count(i) == 0) {
        continue;
      }
      int a = c.xPixel(h.edge(i));
      int b = c.xPixel(h.edge(i + 1));
      int y = c.yPixel(h.count(i));
      g.fillRect(a + 1, y, Math.max(1, b - a - 1), c.yPixel(0) - y);
    }
    g.setFont(TEXT);
    FontMetrics fm = g.getFontMetrics();
    int binPx = c.xPixel(h.edge(1)) - c.xPixel(h.edge(0));
    for (int i = 0; i < h.bins(); i++) {
      String n = Long.toString(h.count(i));
      if (h.count(i) > 0 && fm.stringWidth(n) + 2 <= binPx) {
        int mid = (c.xPixel(h.edge(i)) + c.xPixel(h.edge(i + 1))) / 2;
        g.setColor(INK);
        g.drawString(n, mid - fm.stringWidth(n) / 2, c.yPixel(h.count(i)) - 3);
      }
    }
    for (double t : xt) {
      if (t >= h.lo() - 1e-9 && t <= h.edge(h.bins()) + 1e-9) {
        c.xTick(g, c.xPixel(t), Ticks.label(t, xs));
      }
    }
    c.axes(g, xLabel, "count");
    g.dispose();
    return c;
  }

  /** A bar chart of named counts, one bar per label in the given order. */
  public static Chart bars(String title, String yLabel, List<String> labels, long[] values) {
    if (labels.size() != values.length) {
      throw new IllegalArgumentException(labels.size() + " labels for " + values.length
          + " values");
    }
    long max = 0;
    for (long v : values) {
      max = Math.max(max, v);
    }
    double top = countTop(max);
    int n = Math.max(1, values.length);
    Chart c = new Chart(0, n, 0, top);
    Graphics2D g = c.begin(title);
    c.countAxis(g, top);
    g.setFont(TEXT);
    FontMetrics fm = g.getFontMetrics();
    for (int i = 0; i < values.length; i++) {
      int a = c.xPixel(i + 0.15);
      int b = c.xPixel(i + 0.85);
      int y = c.yPixel(values[i]);
      g.setColor(BAR);
      g.fillRect(a, y, Math.max(1, b - a), c.yPixel(0) - y);
      g.setColor(INK);
      String v = Long.toString(values[i]);
      int mid = (a + b) / 2;
      g.drawString(v, mid - fm.stringWidth(v) / 2, y - 3);
      c.xTick(g, mid, fit(fm, labels.get(i), c.xPixel(i + 1) - c.xPixel(i) - 4));
    }
    c.axes(g, null, yLabel);
    g.dispose();
    return c;
  }

  /** One line of a line plot: points (x[k], y[k]) joined in order. */
  public record Series(String name, int[] x, int[] y) {
    public Series {
      if (x.length != y.length) {
        throw new IllegalArgumentException("series " + name + ": " + x.length + " x values, "
            + y.length + " y values");
      }
    }
  }

  /**
   * Lines through each series' points, in {@link #PALETTE} order, with a legend. For DTW
   * warping paths (reference frame on x, other frame on y) {@code diagonals} adds each
   * series' straight corner-to-corner line, dashed: a path far from it is a strong warp.
   */
  public static Chart lines(String title, String xLabel, String yLabel, List<Series> series,
      boolean diagonals) {
    int maxX = 1;
    int maxY = 1;
    for (Series s : series) {
      for (int k = 0; k < s.x().length; k++) {
        maxX = Math.max(maxX, s.x()[k]);
        maxY = Math.max(maxY, s.y()[k]);
      }
    }
    double[] xt = Ticks.ticks(0, maxX, 6);
    double[] yt = Ticks.ticks(0, maxY, 5);
    Chart c = new Chart(0, xt[xt.length - 1], 0, yt[yt.length - 1]);
    Graphics2D g = c.begin(title);
    double ys = yt.length > 1 ? yt[1] - yt[0] : 1;
    for (double t : yt) {
      c.yTick(g, c.yPixel(t), Ticks.label(t, ys));
    }
    double xs = xt.length > 1 ? xt[1] - xt[0] : 1;
    for (double t : xt) {
      c.xTick(g, c.xPixel(t), Ticks.label(t, xs));
    }
    g.setClip(c.plot.x, c.plot.y, c.plot.width + 1, c.plot.height + 1);
    if (diagonals) {
      g.setColor(DIAGONAL);
      g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
          new float[] {4, 4}, 0));
      for (Series s : series) {
        if (s.x().length > 0) {
          int last = s.x().length - 1;
          g.drawLine(c.xPixel(s.x()[0]), c.yPixel(s.y()[0]), c.xPixel(s.x()[last]),
              c.yPixel(s.y()[last]));
        }
      }
    }
    g.setStroke(new BasicStroke(2));
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      g.setColor(PALETTE.get(i % PALETTE.size()));
      int[] px = new int[s.x().length];
      int[] py = new int[s.y().length];
      for (int k = 0; k < px.length; k++) {
        px[k] = c.xPixel(s.x()[k]);
        py[k] = c.yPixel(s.y()[k]);
      }
      g.drawPolyline(px, py, px.length);
    }
    g.setClip(null);
    g.setStroke(new BasicStroke(1));
    g.setFont(TEXT);
    FontMetrics fm = g.getFontMetrics();
    for (int i = 0; i < series.size(); i++) {
      int y = c.plot.y + 8 + i * (fm.getHeight() + 2);
      g.setColor(PALETTE.get(i % PALETTE.size()));
      g.fillRect(c.plot.x + 8, y, 10, 10);
      g.setColor(INK);
      g.drawString(fit(fm, series.get(i).name(), c.plot.width / 2), c.plot.x + 22,
          y + fm.getAscent() - 1);
    }
    c.axes(g, xLabel, yLabel);
    g.dispose();
    return c;
  }

  /** The top of a count axis: a nice multiple of a whole step at or above {@code max}. */
  static double countTop(long max) {
    double step = Math.max(1, Ticks.step(Math.max(1, max), 5));
    return Math.max(1, Math.ceil(max / step) * step);
  }

  private Graphics2D begin(String title) {
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
        RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(BACKGROUND);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    g.setColor(INK);
    g.setFont(TITLE);
    g.drawString(fit(g.getFontMetrics(), title, WIDTH - 20), 10, 22);
    return g;
  }

  /** Horizontal grid lines and labels of a count axis from 0 to {@code top}. */
  private void countAxis(Graphics2D g, double top) {
    double step = Math.max(1, Ticks.step(top, 5));
    for (int k = 0; k * step <= top + 1e-9; k++) {
      yTick(g, yPixel(k * step), Ticks.label(k * step, step));
    }
  }

  private void yTick(Graphics2D g, int y, String label) {
    g.setColor(GRID);
    g.drawLine(plot.x + 1, y, plot.x + plot.width, y);
    g.setColor(INK);
    g.drawLine(plot.x - 4, y, plot.x, y);
    g.setFont(TEXT);
    FontMetrics fm = g.getFontMetrics();
    g.drawString(label, plot.x - 7 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
  }

  private void xTick(Graphics2D g, int x, String label) {
    g.setColor(INK);
    int base = plot.y + plot.height;
    g.drawLine(x, base, x, base + 4);
    g.setFont(TEXT);
    FontMetrics fm = g.getFontMetrics();
    g.drawString(label, x - fm.stringWidth(label) / 2, base + 6 + fm.getAscent());
  }

  private void axes(Graphics2D g, String xLabel, String yLabel) {
    g.setColor(INK);
    int base = plot.y + plot.height;
    g.drawLine(plot.x, base, plot.x + plot.width, base);
    g.drawLine(plot.x, plot.y, plot.x, base);
    g.setFont(TEXT);
    FontMetrics fm = g.getFontMetrics();
    if (xLabel != null) {
      g.drawString(xLabel, plot.x + (plot.width - fm.stringWidth(xLabel)) / 2, HEIGHT - 10);
    }
    if (yLabel != null) {
      AffineTransform saved = g.getTransform();
      g.rotate(-Math.PI / 2);
      g.drawString(yLabel, -(plot.y + (plot.height + fm.stringWidth(yLabel)) / 2),
          fm.getAscent() + 6);
      g.setTransform(saved);
    }
  }

  /** {@code s} cut with an ellipsis to fit {@code px} pixels. */
  static String fit(FontMetrics fm, String s, int px) {
    if (s == null) {
      return "";
    }
    if (fm.stringWidth(s) <= px) {
      return s;
    }
    for (int n = s.length() - 1; n > 0; n--) {
      String t = s.substring(0, n) + "…";
      if (fm.stringWidth(t) <= px) {
        return t;
      }
    }
    return "";
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "Chart[x %s..%s, y %s..%s]", x0, x1, y0, y1);
  }
}
