package io.talkset.core.face;

/** TEMPORARY stand-in until the Deep3DFaceRecon alignment lands. */
public final class Align5 {
  private Align5() {}

  public static float[] fromLandmarks68(float[] xy) {
    float[] o = new float[10];
    for (int k = 36; k < 42; k++) {
      o[0] += xy[2 * k] / 6f;
      o[1] += xy[2 * k + 1] / 6f;
      o[2] += xy[2 * k + 12] / 6f;
      o[3] += xy[2 * k + 13] / 6f;
    }
    o[4] = xy[60];
    o[5] = xy[61];
    o[6] = xy[96];
    o[7] = xy[97];
    o[8] = xy[108];
    o[9] = xy[109];
    return o;
  }

  public static double[] affine(float[] lm5, int w, int h) {
    double cx = (lm5[0] + lm5[2] + lm5[4] + lm5[6] + lm5[8]) / 5;
    double cy = (lm5[1] + lm5[3] + lm5[5] + lm5[7] + lm5[9]) / 5;
    double eye = Math.hypot(lm5[2] - lm5[0], lm5[3] - lm5[1]);
    double s = 60 / eye;
    return new double[] {s, 0, 112 - s * cx, 0, s, 112 - s * cy};
  }
}
