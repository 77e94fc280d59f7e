package io.talkset.core.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A grid of face crops scaled down to {@code tile}×{@code tile} pixels, each with its landmarks
 * drawn as {@value #DOT}×{@value #DOT} dots of {@link #LANDMARK} and a caption under it. Landmark
 * coordinates are in the crop's own pixels (face_params.landmarks_crop) and are scaled with it.
 */
public final class ContactSheet {
  static {
    // First, before the colour and font constants: headless mode is chosen when AWT starts.
    Png.init();
  }

  /** Colour of the landmark dots (pure green: absent from skin, easy to find in tests). */
  public static final Color LANDMARK = new Color(0, 255, 0);
  public static final int DOT = 3;
  static final int CAPTION = 16;
  static final int GAP = 4;

  /**
   * One crop.
   *
   * @param jpeg the crop as JPEG (or PNG) bytes
   * @param landmarks x, y pairs in crop pixels, or null for none
   * @param caption text under the tile
   */
  public record Tile(byte[] jpeg, float[] landmarks, String caption) {}

  private ContactSheet() {}

  /** The sheet: tiles left to right, top to bottom, {@code columns} a row. */
  public static BufferedImage render(List<Tile> tiles, int columns, int tile) {
    if (columns < 1 || tile < 8 || tiles.isEmpty()) {
      throw new IllegalArgumentException("a contact sheet needs tiles, columns >= 1 and tiles"
          + " of at least 8 px, got " + tiles.size() + " tiles, " + columns + " columns, "
          + tile + " px");
    }
    int cols = Math.min(columns, tiles.size());
    int rows = (tiles.size() + cols - 1) / cols;
    BufferedImage sheet = new BufferedImage(GAP + cols * (tile + GAP),
        GAP + rows * (tile + CAPTION + GAP), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
          RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
          RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
      FontMetrics fm = g.getFontMetrics();
      for (int i = 0; i < tiles.size(); i++) {
        Tile t = tiles.get(i);
        int x = left(i, cols, tile);
        int y = top(i, cols, tile);
        BufferedImage crop = decode(t.jpeg());
        g.drawImage(crop, x, y, tile, tile, null);
        float[] lm = t.landmarks();
        if (lm != null) {
          g.setColor(LANDMARK);
          for (int k = 0; k + 1 < lm.length; k += 2) {
            if (Float.isFinite(lm[k]) && Float.isFinite(lm[k + 1])) {
              int px = x + (int) Math.floor(lm[k] * tile / crop.getWidth());
              int py = y + (int) Math.floor(lm[k + 1] * tile / crop.getHeight());
              // Points off the crop are left out, not drawn over the neighbour.
              if (px >= x && px < x + tile && py >= y && py < y + tile) {
                g.fillRect(px - DOT / 2, py - DOT / 2, DOT, DOT);
              }
            }
          }
        }
        g.setColor(Chart.INK);
        g.drawString(Chart.fit(fm, t.caption(), tile), x, y + tile + fm.getAscent() + 2);
      }
    } finally {
      g.dispose();
    }
    return sheet;
  }

  /** Left edge of tile {@code i}'s picture on the sheet. */
  public static int left(int i, int columns, int tile) {
    return GAP + (i % columns) * (tile + GAP);
  }

  /** Top edge of tile {@code i}'s picture on the sheet. */
  public static int top(int i, int columns, int tile) {
    return GAP + (i / columns) * (tile + CAPTION + GAP);
  }

  private static BufferedImage decode(byte[] bytes) {
    try {
      BufferedImage im = ImageIO.read(new ByteArrayInputStream(bytes));
      if (im == null) {
        throw new IllegalArgumentException("a contact-sheet tile is not a readable picture ("
            + bytes.length + " bytes)");
      }
      return im;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
