package io.talkset.core.faceparams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Coeffs257Test {
  @Test
  void partsCoverEveryIndexOnceInDeep3dOrder() {
    int[] hits = new int[Coeffs257.LENGTH];
    for (Coeffs257.Part p : Coeffs257.Part.values()) {
      for (int i = p.offset(); i < p.end(); i++) {
        hits[i]++;
      }
    }
    int[] ones = new int[Coeffs257.LENGTH];
    Arrays.fill(ones, 1);
    assertArrayEquals(ones, hits);
    // split_coeff's slices and keys.
    String[] keys = {"id", "exp", "tex", "angle", "gamma", "trans"};
    int[][] ranges = {{0, 80}, {80, 144}, {144, 224}, {224, 227}, {227, 254}, {254, 257}};
    Coeffs257.Part[] parts = Coeffs257.Part.values();
    assertEquals(keys.length, parts.length);
    for (int i = 0; i < parts.length; i++) {
      assertEquals(keys[i], parts[i].key());
      assertEquals(ranges[i][0], parts[i].offset());
      assertEquals(ranges[i][1], parts[i].end());
    }
  }

  @Test
  void splitTakesTheRightValuesAndJoinRestoresThem() {
    float[] c = new float[257];
    for (int i = 0; i < c.length; i++) {
      c[i] = i;
    }
    Coeffs257.Split s = Coeffs257.split(c);
    assertEquals(80, s.id().length);
    assertEquals(79f, s.id()[79]);
    assertEquals(80f, s.exp()[0]);
    assertEquals(143f, s.exp()[63]);
    assertEquals(144f, s.tex()[0]);
    assertArrayEquals(new float[] {224, 225, 226}, s.angle());
    assertEquals(227f, s.gamma()[0]);
    assertEquals(253f, s.gamma()[26]);
    assertArrayEquals(new float[] {254, 255, 256}, s.trans());
    assertArrayEquals(c, Coeffs257.join(s));
    assertThrows(IllegalArgumentException.class, () -> Coeffs257.split(new float[256]));
  }

  /** Pinhole projection with focal 1015 at distance 10, principal point 112 (y up, then down). */
  @Test
  void originProjectsThroughDeep3dCamera() {
    float[] c = new float[257];
    assertArrayEquals(new double[] {112, 111}, Coeffs257.originInCrop(c), 1e-12);
    c[254] = 1f;
    c[255] = 0.5f;
    c[256] = 0f;
    // x: 112 + 1015·1/10 = 213.5; y up: 112 + 1015·0.5/10 = 162.75, row 223 − 162.75.
    assertArrayEquals(new double[] {213.5, 60.25}, Coeffs257.originInCrop(c), 1e-9);
    c[256] = 5f;
    // Twice as near: twice the offset.
    assertArrayEquals(new double[] {315, 223 - 213.5}, Coeffs257.originInCrop(c), 1e-9);
  }
}
