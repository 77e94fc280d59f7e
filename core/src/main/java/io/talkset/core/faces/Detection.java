package io.talkset.core.faces;

/**
 * A face found by the detector, in source-image pixels.
 *
 * @param score detection confidence in [0, 1]
 * @param keypoints six (x, y) pairs: right eye, left eye, nose tip, mouth centre, right ear
 *     tragion, left ear tragion (the subject's right and left, as BlazeFace orders them)
 */
public record Detection(float score, float x0, float y0, float x1, float y1, float[] keypoints) {

  public float width() {
    return x1 - x0;
  }

  public float height() {
    return y1 - y0;
  }

  public float centerX() {
    return (x0 + x1) / 2;
  }

  public float centerY() {
    return (y0 + y1) / 2;
  }

  /** Intersection over union of two boxes. */
  public static float iou(float ax0, float ay0, float ax1, float ay1, float bx0, float by0,
      float bx1, float by1) {
    float iw = Math.max(0, Math.min(ax1, bx1) - Math.max(ax0, bx0));
    float ih = Math.max(0, Math.min(ay1, by1) - Math.max(ay0, by0));
    float inter = iw * ih;
    float union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter;
    return union <= 0 ? 0 : inter / union;
  }

  public float iou(Detection o) {
    return iou(x0, y0, x1, y1, o.x0, o.y0, o.x1, o.y1);
  }
}
