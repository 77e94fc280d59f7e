package io.talkset.core.metrics;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A no-reference sharpness score after CPBD, the cumulative probability of blur detection
 * (Narvekar and Karam, "A no-reference image blur metric based on the cumulative probability of
 * blur detection (CPBD)", IEEE TIP 20(9), 2011), following the steps of its authors' MATLAB
 * code. Higher is sharper, in [0, 1].
 *
 * <ol>
 *   <li>Gray: round(0.299 R + 0.587 G + 0.114 B) (OpenCV's and PIL's conversion).
 *   <li>Edge blocks: the picture is cut into whole 64×64 blocks (a remainder at the right and
 *       bottom is left out); a block is an edge block when more than 0.2% of its pixels are
 *       Canny edges. Canny as MATLAB's {@code edge(I, 'canny')} defaults: Gaussian σ = √2,
 *       Sobel gradient, non-maximum suppression, hysteresis with the high threshold at the
 *       70th percentile of the gradient magnitude (64-bin histogram up to the maximum) and the
 *       low one at 0.4 × high.
 *   <li>Edge pixels for widths: MATLAB's {@code edge(I, 'sobel', [], 'vertical')}: horizontal
 *       Sobel derivative (kernel / 8), kept where its square exceeds 4 × its mean and is a strict
 *       maximum against its left and right neighbours. Only these (mostly vertical) edges are
 *       measured, as in the original.
 *   <li>Width (Marziliano et al.): where the gradient direction (central differences, rounded
 *       to a multiple of 45°) is 0° or 180°, the distance between the intensity extrema on
 *       either side along the row, each side walked at most 101 pixels.
 *   <li>Per edge, with the block's contrast C = max − min of its gray values and the
 *       just-noticeable-blur width w_JNB = 5 for C ≤ 50 and 3 otherwise: P_blur = 1 −
 *       exp(−(w / w_JNB)^3.6). CPBD = the fraction of measured edges of all edge blocks with
 *       P_blur ≤ 63% (P_blur rounded to 0.01 first, as the reference code bins it), i.e. with
 *       w ≤ w_JNB.
 * </ol>
 *
 * On 512×512 face photos (SharpnessTest) it falls strictly with Gaussian blur: about 0.26–0.59
 * unblurred, 0.07–0.19 at σ 0.75, 0–0.007 at σ 1.5 and 0 from σ 2, where every measured edge is
 * wider than its JNB width: the score separates sharp from slightly soft, not soft from very
 * blurred (the edge count, in {@link Result}, keeps falling there).
 *
 * <p>Simplifications and choices: borders are reflected for the filters; Canny's suppression uses
 * the four quantised directions (MATLAB interpolates); a pixel with no gradient is not
 * measured. A picture without any measured edge (flat, or heavily blurred) scores 0, as the
 * Python {@code cpbd} package returns. That package differs from MATLAB in two thresholds
 * (Canny at absolute 0.1/0.2, which marks nearly every ridge; Sobel's square compared with 2 ×
 * RMS instead of 4 × mean square), so its values differ somewhat from these.
 */
public final class Sharpness {
  static final int BLOCK = 64;
  static final double EDGE_BLOCK_FRACTION = 0.002;
  static final double BETA = 3.6;
  static final double P_JNB = 0.63;
  private static final int MAX_WALK = 100;

  /**
   * @param cpbd the score in [0, 1]
   * @param edges edges measured in edge blocks (the score's denominator)
   * @param edgeBlocks blocks counted as edge blocks, of {@code blocks}
   */
  public record Result(double cpbd, int edges, int edgeBlocks, int blocks) {}

  private Sharpness() {}

  /** The CPBD score of a picture (8-bit gray, RGB or BGR). */
  public static double cpbd(Pixels p) {
    return compute(p).cpbd();
  }

  /** The CPBD score of an OpenCV picture (8-bit gray or BGR). */
  public static double cpbd(Mat m) {
    return cpbd(Pixels.of(m));
  }

  /** The score with the counts behind it. */
  public static Result compute(Pixels p) {
    int w = p.width();
    int h = p.height();
    int bw = w / BLOCK;
    int bh = h / BLOCK;
    if (bw == 0 || bh == 0) {
      return new Result(0, 0, 0, 0);
    }
    float[] gray = gray(p);
    boolean[] canny = canny(gray, w, h);
    boolean[] sobel = verticalSobelEdges(gray, w, h);
    long[] hist = new long[101];
    int total = 0;
    int edgeBlocks = 0;
    for (int by = 0; by < bh; by++) {
      for (int bx = 0; bx < bw; bx++) {
        int y0 = by * BLOCK;
        int x0 = bx * BLOCK;
        int cannyCount = 0;
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int y = y0; y < y0 + BLOCK; y++) {
          for (int x = x0; x < x0 + BLOCK; x++) {
            int i = y * w + x;
            if (canny[i]) {
              cannyCount++;
            }
            min = Math.min(min, gray[i]);
            max = Math.max(max, gray[i]);
          }
        }
        if (cannyCount <= EDGE_BLOCK_FRACTION * BLOCK * BLOCK) {
          continue;
        }
        edgeBlocks++;
        double jnb = (int) (max - min) <= 50 ? 5 : 3;
        for (int y = Math.max(y0, 1); y < Math.min(y0 + BLOCK, h - 1); y++) {
          for (int x = Math.max(x0, 1); x < Math.min(x0 + BLOCK, w - 1); x++) {
            if (!sobel[y * w + x]) {
              continue;
            }
            int width = edgeWidth(gray, w, h, x, y);
            if (width > 0) {
              double pBlur = 1 - Math.exp(-Math.pow(width / jnb, BETA));
              hist[(int) Math.round(pBlur * 100)]++;
              total++;
            }
          }
        }
      }
    }
    long sharp = 0;
    for (int b = 0; b <= Math.round(P_JNB * 100); b++) {
      sharp += hist[b];
    }
    return new Result(total == 0 ? 0 : (double) sharp / total, total, edgeBlocks, bw * bh);
  }

  static float[] gray(Pixels p) {
    int n = p.width() * p.height();
    float[] g = new float[n];
    byte[] d = p.data();
    if (p.order() == Pixels.Order.GRAY) {
      for (int i = 0; i < n; i++) {
        g[i] = d[i] & 0xff;
      }
      return g;
    }
    int ri = Pixels.redIndex(p.order());
    int bi = 2 - ri;
    for (int i = 0, j = 0; i < n; i++, j += 3) {
      g[i] = Math.round(0.299f * (d[j + ri] & 0xff) + 0.587f * (d[j + 1] & 0xff)
          + 0.114f * (d[j + bi] & 0xff));
    }
    return g;
  }

  /**
   * Marziliano width of the edge at (x, y), or 0 when its gradient is not horizontal (±22.5°)
   * or is zero.
   */
  static int edgeWidth(float[] g, int w, int h, int x, int y) {
    int row = y * w;
    double gx = (g[row + x + 1] - g[row + x - 1]) / 2.0;
    double gy = (g[row + w + x] - g[row - w + x]) / 2.0;
    if (gx == 0 && gy == 0) {
      return 0;
    }
    double q = 45 * Math.rint(Math.toDegrees(Math.atan2(gy, gx)) / 45);
    boolean rising;
    if (q == 0) {
      rising = true;
    } else if (q == 180 || q == -180) {
      rising = false;
    } else {
      return 0;
    }
    // Walk outwards while the intensity keeps falling (left of a rising edge) or rising.
    int left = 0;
    while (left <= MAX_WALK) {
      int inner = x - 1 - left;
      int outer = inner - 1;
      if (outer < 0 || (rising ? g[row + outer] >= g[row + inner]
          : g[row + outer] <= g[row + inner])) {
        break;
      }
      left++;
    }
    int right = 0;
    while (right <= MAX_WALK) {
      int inner = x + 1 + right;
      int outer = inner + 1;
      if (outer >= w || (rising ? g[row + outer] <= g[row + inner]
          : g[row + outer] >= g[row + inner])) {
        break;
      }
      right++;
    }
    return Math.min(left, MAX_WALK) + 1 + Math.min(right, MAX_WALK) + 1;
  }

  /** scipy/MATLAB-style 'reflect' index (a filter shorter than the picture). */
  private static int reflect(int i, int n) {
    return i < 0 ? -i - 1 : i >= n ? 2 * n - i - 1 : i;
  }

  /** MATLAB's {@code edge(g, 'sobel', [], 'vertical')}: thinned strong horizontal derivative. */
  static boolean[] verticalSobelEdges(float[] g, int w, int h) {
    float[] b = new float[w * h];
    double sum = 0;
    for (int y = 0; y < h; y++) {
      int up = reflect(y - 1, h) * w;
      int mid = y * w;
      int dn = reflect(y + 1, h) * w;
      for (int x = 0; x < w; x++) {
        int l = reflect(x - 1, w);
        int r = reflect(x + 1, w);
        float d = ((g[up + r] - g[up + l]) + 2 * (g[mid + r] - g[mid + l])
            + (g[dn + r] - g[dn + l])) / 8f;
        b[mid + x] = d * d;
        sum += d * d;
      }
    }
    double cutoff = 4 * sum / (w * h);
    boolean[] e = new boolean[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 1; x < w - 1; x++) {
        int i = y * w + x;
        e[i] = b[i] > cutoff && b[i] > b[i - 1] && b[i] > b[i + 1];
      }
    }
    return e;
  }

  /** Canny with MATLAB's default σ and automatic thresholds (see the class comment). */
  static boolean[] canny(float[] g, int w, int h) {
    float[] s = gaussian(g, w, h, Math.sqrt(2));
    float[] gx = new float[w * h];
    float[] gy = new float[w * h];
    float[] mag = new float[w * h];
    float maxMag = 0;
    for (int y = 0; y < h; y++) {
      int up = reflect(y - 1, h) * w;
      int mid = y * w;
      int dn = reflect(y + 1, h) * w;
      for (int x = 0; x < w; x++) {
        int l = reflect(x - 1, w);
        int r = reflect(x + 1, w);
        float dx = (s[up + r] - s[up + l]) + 2 * (s[mid + r] - s[mid + l]) + (s[dn + r] - s[dn + l]);
        float dy = (s[dn + l] - s[up + l]) + 2 * (s[dn + x] - s[up + x]) + (s[dn + r] - s[up + r]);
        gx[mid + x] = dx;
        gy[mid + x] = dy;
        mag[mid + x] = (float) Math.sqrt(dx * dx + dy * dy);
        maxMag = Math.max(maxMag, mag[mid + x]);
      }
    }
    boolean[] edges = new boolean[w * h];
    if (maxMag == 0) {
      return edges;
    }
    // High threshold where 70% of the pixels lie below, on a 64-bin histogram as MATLAB's.
    int[] counts = new int[64];
    for (float m : mag) {
      counts[Math.min(63, (int) (m / maxMag * 64))]++;
    }
    int bin = 0;
    for (long cum = counts[0]; cum <= 0.7 * w * h && bin < 63; cum += counts[++bin]) {
      // advance to the first bin whose cumulative count passes 70%
    }
    float high = (bin + 1) / 64f * maxMag;
    float low = 0.4f * high;
    // Non-maximum suppression across the gradient, four directions; 1-pixel border left out.
    float[] nms = new float[w * h];
    float tan22 = (float) Math.tan(Math.PI / 8);
    for (int y = 1; y < h - 1; y++) {
      for (int x = 1; x < w - 1; x++) {
        int i = y * w + x;
        float m = mag[i];
        if (m < low) {
          continue;
        }
        float ax = Math.abs(gx[i]);
        float ay = Math.abs(gy[i]);
        int step;
        if (ay <= tan22 * ax) {
          step = 1;
        } else if (ax <= tan22 * ay) {
          step = w;
        } else if ((gx[i] > 0) == (gy[i] > 0)) {
          step = w + 1;
        } else {
          step = w - 1;
        }
        if (m > mag[i - step] && m >= mag[i + step]) {
          nms[i] = m;
        }
      }
    }
    // Hysteresis: weak pixels joined (8-connected) to a strong one are kept.
    int[] stack = new int[w * h];
    int top = 0;
    for (int i = 0; i < w * h; i++) {
      if (nms[i] >= high && !edges[i]) {
        edges[i] = true;
        stack[top++] = i;
        while (top > 0) {
          int j = stack[--top];
          int jy = j / w;
          int jx = j % w;
          for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
              int ny = jy + dy;
              int nx = jx + dx;
              if (ny < 0 || ny >= h || nx < 0 || nx >= w) {
                continue;
              }
              int k = ny * w + nx;
              if (!edges[k] && nms[k] >= low) {
                edges[k] = true;
                stack[top++] = k;
              }
            }
          }
        }
      }
    }
    return edges;
  }

  /** Separable Gaussian of standard deviation {@code sigma}, radius ⌈4σ⌉, reflected borders. */
  static float[] gaussian(float[] g, int w, int h, double sigma) {
    int r = (int) Math.ceil(4 * sigma);
    float[] k = new float[2 * r + 1];
    double sum = 0;
    for (int i = -r; i <= r; i++) {
      sum += Math.exp(-0.5 * i * i / (sigma * sigma));
    }
    for (int i = -r; i <= r; i++) {
      k[i + r] = (float) (Math.exp(-0.5 * i * i / (sigma * sigma)) / sum);
    }
    float[] t = new float[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float acc = 0;
        for (int i = -r; i <= r; i++) {
          acc += k[i + r] * g[y * w + reflect(x + i, w)];
        }
        t[y * w + x] = acc;
      }
    }
    float[] out = new float[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float acc = 0;
        for (int i = -r; i <= r; i++) {
          acc += k[i + r] * t[reflect(y + i, h) * w + x];
        }
        out[y * w + x] = acc;
      }
    }
    return out;
  }
}
