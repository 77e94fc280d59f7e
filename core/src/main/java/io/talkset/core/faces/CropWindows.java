package io.talkset.core.faces;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Square crop windows for a segment's faces, in upright source pixels.
 *
 * <ul>
 *   <li>{@code clip} (HDTF): one window for the whole segment, centred on the union of its face
 *       boxes, side = the union's longer side × zoom. The face moves inside a still frame.
 *   <li>{@code smooth} (lip-sync data): one window per frame, side = face box's longer side ×
 *       zoom, centred on the box; centre and side are averaged over a centred moving window of
 *       {@code smoothFrames} frames (zero phase: the crop neither lags nor leads the face).
 * </ul>
 *
 * <p>Windows may reach outside the picture. {@code pad} keeps them (the outside is black and its
 * share is recorded), {@code shift} moves them inside (shrinking to the picture's shorter side if
 * they are bigger), {@code reject} drops the frames whose outside share exceeds
 * {@code maxOutside} and splits the segment there, so a segment never has holes.
 */
public final class CropWindows {

  public enum Policy { CLIP, SMOOTH }

  public enum Outside { PAD, SHIFT, REJECT }

  public record Params(Policy policy, double zoom, int smoothFrames, Outside outside,
      double maxOutside) {
    public static Params defaults(Policy p) {
      return new Params(p, p == Policy.CLIP ? 1.2 : 1.5, 9, Outside.PAD, 0.0);
    }

    public static Policy policy(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "clip" -> Policy.CLIP;
        case "smooth" -> Policy.SMOOTH;
        default -> throw new IllegalArgumentException("crop policy must be clip or smooth, not "
            + s);
      };
    }

    public static Outside outside(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "pad" -> Outside.PAD;
        case "shift" -> Outside.SHIFT;
        case "reject" -> Outside.REJECT;
        default -> throw new IllegalArgumentException(
            "outside policy must be pad, shift or reject, not " + s);
      };
    }
  }

  /** A square window: top-left corner and side, upright source pixels. */
  public record Window(double x0, double y0, double side) {
    public double cx() {
      return x0 + side / 2;
    }

    public double cy() {
      return y0 + side / 2;
    }

    /** Share of the window's area outside a {@code w × h} picture. */
    public double outside(int w, int h) {
      double iw = Math.max(0, Math.min(x0 + side, w) - Math.max(x0, 0));
      double ih = Math.max(0, Math.min(y0 + side, h) - Math.max(y0, 0));
      return 1 - iw * ih / (side * side);
    }
  }

  /** A run of frames with their windows; {@code offset} is its first frame in the segment. */
  public record Run(int offset, Window[] windows) {}

  private CropWindows() {}

  /**
   * Windows for one segment's faces in a {@code w × h} picture, as runs without holes (one run
   * unless frames were rejected).
   */
  public static List<Run> windows(Detection[] faces, int w, int h, Params p) {
    int n = faces.length;
    Window[] win = new Window[n];
    if (p.policy() == Policy.CLIP) {
      double x0 = Double.MAX_VALUE;
      double y0 = Double.MAX_VALUE;
      double x1 = -Double.MAX_VALUE;
      double y1 = -Double.MAX_VALUE;
      for (Detection d : faces) {
        x0 = Math.min(x0, d.x0());
        y0 = Math.min(y0, d.y0());
        x1 = Math.max(x1, d.x1());
        y1 = Math.max(y1, d.y1());
      }
      double side = Math.max(x1 - x0, y1 - y0) * p.zoom();
      Window one = new Window((x0 + x1 - side) / 2, (y0 + y1 - side) / 2, side);
      java.util.Arrays.fill(win, one);
    } else {
      double[] cx = new double[n];
      double[] cy = new double[n];
      double[] side = new double[n];
      for (int i = 0; i < n; i++) {
        cx[i] = faces[i].centerX();
        cy[i] = faces[i].centerY();
        side[i] = Math.max(faces[i].width(), faces[i].height()) * p.zoom();
      }
      cx = movingAverage(cx, p.smoothFrames());
      cy = movingAverage(cy, p.smoothFrames());
      side = movingAverage(side, p.smoothFrames());
      for (int i = 0; i < n; i++) {
        win[i] = new Window(cx[i] - side[i] / 2, cy[i] - side[i] / 2, side[i]);
      }
    }
    List<Run> runs = new ArrayList<>();
    if (p.outside() == Outside.SHIFT) {
      for (int i = 0; i < n; i++) {
        win[i] = shiftInside(win[i], w, h);
      }
    }
    if (p.outside() != Outside.REJECT) {
      runs.add(new Run(0, win));
      return runs;
    }
    int start = -1;
    for (int i = 0; i <= n; i++) {
      boolean ok = i < n && win[i].outside(w, h) <= p.maxOutside() + 1e-9;
      if (ok && start < 0) {
        start = i;
      } else if (!ok && start >= 0) {
        runs.add(new Run(start, java.util.Arrays.copyOfRange(win, start, i)));
        start = -1;
      }
    }
    return runs;
  }

  static Window shiftInside(Window win, int w, int h) {
    double side = Math.min(win.side(), Math.min(w, h));
    double cx = win.cx();
    double cy = win.cy();
    double x0 = Math.max(0, Math.min(w - side, cx - side / 2));
    double y0 = Math.max(0, Math.min(h - side, cy - side / 2));
    return new Window(x0, y0, side);
  }

  /** Centred moving average; the window shrinks symmetrically at the ends (no lag). */
  static double[] movingAverage(double[] v, int width) {
    int half = Math.max(0, width / 2);
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      int r = Math.min(half, Math.min(i, v.length - 1 - i));
      double s = 0;
      for (int j = i - r; j <= i + r; j++) {
        s += v[j];
      }
      out[i] = s / (2 * r + 1);
    }
    return out;
  }

  /**
   * Frame-to-frame jitter of a run of windows: mean absolute change of the centre and of the
   * side, each divided by the mean side (so 0.01 = one percent of the crop per frame).
   */
  public static double[] jitter(Window[] win) {
    if (win.length < 2) {
      return new double[] {0, 0};
    }
    double meanSide = 0;
    for (Window x : win) {
      meanSide += x.side();
    }
    meanSide /= win.length;
    double dc = 0;
    double ds = 0;
    for (int i = 1; i < win.length; i++) {
      dc += Math.hypot(win[i].cx() - win[i - 1].cx(), win[i].cy() - win[i - 1].cy());
      ds += Math.abs(win[i].side() - win[i - 1].side());
    }
    return new double[] {dc / (win.length - 1) / meanSide, ds / (win.length - 1) / meanSide};
  }
}
