package io.talkset.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Crops scaled into tiles with their landmarks drawn where the crop coordinates say. */
class ContactSheetTest {
  /** A 512×512 JPEG: left half black, right half white. */
  static byte[] halfAndHalf() throws Exception {
    BufferedImage im = new BufferedImage(512, 512, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = im.createGraphics();
    g.setColor(Color.BLACK);
    g.fillRect(0, 0, 256, 512);
    g.setColor(Color.WHITE);
    g.fillRect(256, 0, 256, 512);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(im, "jpg", out);
    return out.toByteArray();
  }

  static int luma(int rgb) {
    return ((rgb >> 16 & 0xff) * 299 + (rgb >> 8 & 0xff) * 587 + (rgb & 0xff) * 114) / 1000;
  }

  @Test
  void landmarksLandOnTheScaledCropAndThePictureIsScaledWhole() throws Exception {
    byte[] jpeg = halfAndHalf();
    float[] points = {100, 100, 400, 300, 256, 500, 600, 10};
    List<ContactSheet.Tile> tiles = List.of(new ContactSheet.Tile(jpeg, points, "a"),
        new ContactSheet.Tile(jpeg, null, "b"), new ContactSheet.Tile(jpeg, points, "c"));
    int tile = 128;
    BufferedImage sheet = ContactSheet.render(tiles, 2, tile);
    BufferedImage back = ImageIO.read(new java.io.ByteArrayInputStream(Png.encode(sheet)));
    assertEquals(4 + 2 * (tile + 4), back.getWidth());
    assertEquals(4 + 2 * (tile + 16 + 4), back.getHeight());
    int green = ContactSheet.LANDMARK.getRGB();
    for (int i : new int[] {0, 2}) {
      int x0 = ContactSheet.left(i, 2, tile);
      int y0 = ContactSheet.top(i, 2, tile);
      // 512 px crop in a 128 px tile: a quarter, so (100, 100) lands on (25, 25).
      assertEquals(green, back.getRGB(x0 + 25, y0 + 25), "tile " + i);
      assertEquals(green, back.getRGB(x0 + 100, y0 + 75), "tile " + i);
      assertEquals(green, back.getRGB(x0 + 64, y0 + 125), "tile " + i);
      // The crop shows through away from the dots: black left, white right.
      assertTrue(luma(back.getRGB(x0 + 20, y0 + 60)) < 40);
      assertTrue(luma(back.getRGB(x0 + 110, y0 + 20)) > 215);
    }
    // The tile without landmarks has no green, nor has any caption strip; the point off the
    // crop (600, 10) is not drawn on the neighbouring tile.
    int x1 = ContactSheet.left(1, 2, tile);
    int y1 = ContactSheet.top(1, 2, tile);
    int greens = 0;
    for (int y = y1; y < y1 + tile + 16; y++) {
      for (int x = x1 - 4; x < x1 + tile; x++) {
        greens += back.getRGB(x, y) == green ? 1 : 0;
      }
    }
    assertEquals(0, greens);
    // Three dots of 3×3 per tile with landmarks, nothing else green on the sheet.
    int all = 0;
    for (int y = 0; y < back.getHeight(); y++) {
      for (int x = 0; x < back.getWidth(); x++) {
        all += back.getRGB(x, y) == green ? 1 : 0;
      }
    }
    assertEquals(2 * 3 * ContactSheet.DOT * ContactSheet.DOT, all);
  }

  @Test
  void aTileThatIsNoPictureIsRefusedWithItsSize() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ContactSheet.render(List.of(new ContactSheet.Tile(new byte[] {1, 2, 3}, null, "x")),
            4, 64));
    assertTrue(e.getMessage().contains("3 bytes"), e.getMessage());
  }
}
