package io.talkset.core.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Charts read back from their PNG bytes: bars, bins, ticks and lines where the data puts them. */
class ChartTest {
  static BufferedImage decode(byte[] png) throws Exception {
    BufferedImage im = ImageIO.read(new ByteArrayInputStream(png));
    assertTrue(im != null, "the PNG decodes");
    return im;
  }

  /** Height in pixels of the run of {@code colour} pixels that ends on the axis in column x. */
  static int barHeight(BufferedImage im, Chart c, int x, Color colour) {
    int y = c.yPixel(0) - 1;
    int h = 0;
    while (y - h >= 0 && im.getRGB(x, y - h) == colour.getRGB()) {
      h++;
    }
    return h;
  }

  @Test
  void niceTicksAreRoundNumbersCoveringTheRange() {
    assertArrayEquals(new double[] {0, 20, 40, 60, 80, 100}, Ticks.ticks(0, 87, 5));
    assertArrayEquals(new double[] {-0.5, -0.25, 0, 0.25, 0.5, 0.75}, Ticks.ticks(-0.3, 0.72, 5));
    assertArrayEquals(new double[] {0.1, 0.2, 0.3, 0.4}, Ticks.ticks(0.1, 0.4, 3));
    assertEquals("0.25", Ticks.label(0.25, 0.25));
    assertEquals("0.3", Ticks.label(0.1 * 3, 0.1));
    assertEquals("2.5", Ticks.label(2.5, 2.5));
    assertEquals("1500", Ticks.label(1500, 500));
  }

  @Test
  void histogramBinsHaveNiceEdgesAndTheLastBinIsClosed() {
    // 0.5 .. 4.5 in about 5 bins: width 1 from 0, so 5 bins; 4.5 falls in the last.
    Histogram h = Histogram.of(new double[] {0.5, 1.2, 1.9, 2.0, 2.1, 2.5, 2.99, 4.0, 4.2, 4.5,
        Double.NaN}, 5);
    assertEquals(0, h.lo());
    assertEquals(1, h.width());
    assertArrayEquals(new long[] {1, 2, 4, 0, 3}, h.counts());
    // A maximum on an edge does not open a bin of its own (numpy's closed last bin).
    Histogram closed = Histogram.of(new double[] {0, 1, 2, 3}, 3);
    assertArrayEquals(new long[] {1, 1, 2}, closed.counts());
    // Pose angles: 5-degree bins from -45.
    Histogram yaw = Histogram.covering(-43.2, 38.7, 20);
    assertEquals(-45, yaw.lo());
    assertEquals(5, yaw.width());
    assertEquals(17, yaw.bins());
    assertEquals(40, yaw.edge(17));
    // One value: one bin around it.
    Histogram one = Histogram.covering(37, 37, 10);
    assertEquals(1, one.bins());
    assertTrue(one.lo() <= 37 && one.edge(1) > 37, one.lo() + " .. " + one.edge(1));
  }

  @Test
  void histogramBarsAreAsTallAsTheirCountsOnTheCountAxis() throws Exception {
    Histogram h = Histogram.of(new double[] {0.5, 1.2, 1.9, 2.0, 2.1, 2.5, 2.99, 4.0, 4.2, 4.5},
        5);
    Chart c = Chart.histogram("face size", "px", h);
    BufferedImage im = decode(c.png());
    assertEquals(Chart.WIDTH, im.getWidth());
    assertEquals(Chart.HEIGHT, im.getHeight());
    Rectangle plot = c.plot();
    // Counts 1 2 4 0 3 on an axis topped at 4: bars of 1/4, 2/4, 4/4, 0, 3/4 of the plot.
    long[] counts = {1, 2, 4, 0, 3};
    for (int i = 0; i < counts.length; i++) {
      int mid = (c.xPixel(i) + c.xPixel(i + 1)) / 2;
      int expected = (int) Math.round(plot.height * counts[i] / 4.0);
      assertEquals(expected, barHeight(im, c, mid, Chart.BAR), "bin " + i);
    }
    // Each bar spans its bin: BAR pixels in the row just above the axis, bins 0-2 and 4.
    int row = c.yPixel(0) - 1;
    int barPixels = 0;
    for (int x = plot.x; x <= plot.x + plot.width; x++) {
      if (im.getRGB(x, row) == Chart.BAR.getRGB()) {
        barPixels++;
      }
    }
    int binPx = plot.width / 5;
    assertTrue(Math.abs(barPixels - 4 * (binPx - 1)) <= 4, barPixels + " bar pixels in the row");
  }

  @Test
  void barChartBarsScaleToTheLargestValue() throws Exception {
    Chart c = Chart.bars("status", "clips", List.of("ok", "rejected", "failed"),
        new long[] {5, 0, 10});
    BufferedImage im = decode(c.png());
    int h = c.plot().height;
    assertEquals(h / 2, barHeight(im, c, c.xPixel(0.5), Chart.BAR), 1);
    assertEquals(0, barHeight(im, c, c.xPixel(1.5), Chart.BAR));
    assertEquals(h, barHeight(im, c, c.xPixel(2.5), Chart.BAR));
  }

  @Test
  void warpingPathsAreDrawnThroughTheirPointsBesideTheDiagonal() throws Exception {
    // A path that waits on reference frame 0 for 10 frames, then runs one to one.
    int n = 60;
    int[] ref = new int[n + 10];
    int[] other = new int[n + 10];
    for (int k = 0; k < ref.length; k++) {
      ref[k] = Math.max(0, k - 10);
      other[k] = k;
    }
    Chart c = Chart.lines("paths", "reference frame", "other frame",
        List.of(new Chart.Series("angry", ref, other)), true);
    BufferedImage im = decode(c.png());
    int colour = Chart.PALETTE.get(0).getRGB();
    // (Points on x = 0 lie under the axis line.)
    for (int k : new int[] {12, 20, 40, 65}) {
      assertEquals(colour, im.getRGB(c.xPixel(ref[k]), c.yPixel(other[k])), "path point " + k);
    }
    // The dashed corner-to-corner line shows between the path's points.
    int dashes = 0;
    for (int x = 0; x < n; x++) {
      double y = x * (double) other[other.length - 1] / ref[ref.length - 1];
      if (im.getRGB(c.xPixel(x), c.yPixel(y)) == Chart.DIAGONAL.getRGB()) {
        dashes++;
      }
    }
    assertTrue(dashes > 5, dashes + " diagonal pixels");
    // Nothing of the path's colour far from it: the top-right corner of the plot is empty.
    assertTrue(im.getRGB(c.xPixel(55), c.yPixel(10)) != colour);
  }
}
