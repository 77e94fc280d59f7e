package io.talkset.core.metrics;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Structural similarity (Wang, Bovik, Sheikh and Simoncelli, "Image quality assessment: from
 * error visibility to structural similarity", IEEE TIP 13(4), 2004) with a Gaussian window, in
 * two conventions:
 *
 * <ul>
 *   <li>{@link #SKIMAGE}: what talking-head papers run, {@code
 *       skimage.metrics.structural_similarity(a, b, channel_axis=-1, data_range=255,
 *       gaussian_weights=True, sigma=1.5, use_sample_covariance=False)} (scikit-image 0.26). Each
 *       channel on its own; the window is scipy's {@code gaussian_filter} with σ = 1.5 and
 *       truncate 3.5, so radius {@code int(3.5·1.5 + 0.5)} = 5 (11 taps, weights
 *       exp(−x²/2σ²) normalised to sum 1); population (co)variances; C1 = (0.01·255)², C2 =
 *       (0.03·255)²; the map is as large as the picture with scipy's {@code 'reflect'} border
 *       (d c b a | a b c d | d c b a), but the mean leaves out a border of (11 − 1)/2 = 5 pixels,
 *       so the mean never sees the border mode; the result is the mean over channels of each
 *       channel's mean.
 *   <li>{@link #WANG_2004}: the paper's constants as its authors' {@code ssim_index.m} applies
 *       them: an 11×11 Gaussian σ = 1.5 (MATLAB's {@code fspecial}, the same weights), K1 = 0.01,
 *       K2 = 0.03, L = 255, the mean over the 'valid' region (the same 5-pixel border left
 *       out), on one channel: BT.601 luma Y = 16 + (65.481 R + 128.553 G + 24.966 B)/255,
 *       unrounded, as BasicSR's {@code calculate_ssim(test_y_channel=True)} feeds it. So it
 *       differs from SKIMAGE only in colour: one luma channel instead of the mean of R, G, B
 *       (with the paper's window on R, G, B separately the two conventions give the same
 *       mean). BasicSR computes in float64 too; it crops {@code crop_border} pixels first when
 *       asked, which here is the caller's crop. Gray input is taken as luma already.
 * </ul>
 *
 * <p>The five local moments (μx, μy, E[x²], E[y²], E[xy]) are filtered in one streaming pass
 * over the rows: each new row's five quantities enter a ring of 11 rows, the vertical filter
 * reads the ring, the horizontal filter the resulting row, and the row's SSIM is summed at
 * once, so the working set stays in cache and nothing is allocated per pixel. Arithmetic is in
 * float with pixel values shifted by −128 (fewer cancelled digits in E[x²] − μ²): on real
 * pairs the means agree with scikit-image's float64 within 3e-6 and single map pixels within
 * 2e-4 (flat areas, where E[x²] − μ² cancels most); double arithmetic would be exact but a third
 * slower. Instances are immutable and thread-safe; each call allocates its row buffers (11 rows
 * × 5 quantities, ~340 KB for 512-pixel RGB rows).
 */
public final class Ssim {
  /** Which channels are compared. */
  public enum Color {
    /** Each channel separately, the result averaged over channels (skimage channel_axis). */
    PER_CHANNEL,
    /** One BT.601 luma channel (see {@link Pixels}). */
    LUMA
  }

  /**
   * @param radius half the window side: taps −radius..radius
   * @param sigma the Gaussian's standard deviation in pixels
   * @param dataRange L in C1 = (K1·L)², C2 = (K2·L)²
   */
  public record Params(int radius, double sigma, double k1, double k2, double dataRange,
      Color color) {
    public Params {
      if (radius < 1 || !(sigma > 0) || !(k1 >= 0) || !(k2 >= 0) || !(dataRange > 0)) {
        throw new IllegalArgumentException("bad SSIM parameters: radius " + radius + ", sigma "
            + sigma + ", K1 " + k1 + ", K2 " + k2 + ", data range " + dataRange);
      }
    }
  }

  /** scikit-image's convention (see the class comment). */
  public static final Params SKIMAGE = new Params(5, 1.5, 0.01, 0.03, 255, Color.PER_CHANNEL);
  /** The paper's constants on BT.601 luma (see the class comment). */
  public static final Params WANG_2004 = new Params(5, 1.5, 0.01, 0.03, 255, Color.LUMA);

  /**
   * @param mean the mean SSIM (mean of {@code channelMeans})
   * @param channelMeans per compared channel, in the input's order (one value for LUMA)
   * @param map SSIM per pixel and channel, {@code height × width × channelMeans.length}
   *     interleaved like the input, border pixels included (reflect); null unless asked for
   */
  public record Result(double mean, double[] channelMeans, float[] map) {}

  private final Params params;
  /** Window weights w[0..radius] (symmetric: w[-k] = w[k]). */
  private final float[] weights;
  private final float c1;
  private final float c2;

  public Ssim(Params params) {
    this.params = params;
    int r = params.radius();
    double[] g = new double[r + 1];
    double sum = 0;
    for (int k = 0; k <= r; k++) {
      g[k] = Math.exp(-0.5 * k * k / (params.sigma() * params.sigma()));
      sum += k == 0 ? g[k] : 2 * g[k];
    }
    weights = new float[r + 1];
    for (int k = 0; k <= r; k++) {
      weights[k] = (float) (g[k] / sum);
    }
    c1 = (float) Math.pow(params.k1() * params.dataRange(), 2);
    c2 = (float) Math.pow(params.k2() * params.dataRange(), 2);
  }

  public Params params() {
    return params;
  }

  /** The mean SSIM of two pictures of the same size and channel order. */
  public double mean(Pixels a, Pixels b) {
    return compute(a, b, false).mean();
  }

  /** The mean SSIM of two OpenCV pictures (8-bit gray or BGR) of the same size. */
  public double mean(Mat a, Mat b) {
    return mean(Pixels.of(a), Pixels.of(b));
  }

  /** Mean, per-channel means and, when {@code withMap}, the SSIM map. */
  public Result compute(Pixels a, Pixels b, boolean withMap) {
    Pixels.requireComparable(a, b);
    int r = params.radius();
    int w = a.width();
    int h = a.height();
    if (w < 2 * r + 1 || h < 2 * r + 1) {
      throw new IllegalArgumentException("SSIM needs pictures of at least " + (2 * r + 1) + "x"
          + (2 * r + 1) + " pixels (its window), got " + w + "x" + h);
    }
    int c = params.color() == Color.LUMA ? 1 : a.channels();
    int len = w * c;
    int pad = r * c;
    int ringRows = 2 * r + 1;
    // Quantities: 0 x, 1 y, 2 x², 3 y², 4 xy (x, y shifted by −128).
    float[][] ring = new float[5][ringRows * len];
    float[][] vert = new float[5][len + 2 * pad];
    float[][] hor = new float[5][len];
    float[] s = new float[len];
    double[] sums = new double[c];
    float[] map = withMap ? new float[h * len] : null;
    // Without a map only the rows and columns the mean reads are filtered: their windows lie
    // inside the picture, so no border rule is needed there.
    int rowFrom = withMap ? 0 : r;
    int rowTo = withMap ? h : h - r;
    int from = withMap ? 0 : pad;
    int to = withMap ? len : len - pad;
    int loaded = 0;
    for (int o = rowFrom; o < rowTo; o++) {
      for (int need = Math.min(h - 1, o + r); loaded <= need; loaded++) {
        loadRow(a, b, loaded, c, ring, (loaded % ringRows) * len);
      }
      vertical(ring, o, h, len, ringRows, vert, pad);
      if (withMap) {
        reflectColumns(vert, w, c, pad);
      }
      horizontal(vert, hor, from, to, c, pad);
      ssimRow(hor, s, from, to);
      if (withMap) {
        System.arraycopy(s, 0, map, o * len, len);
      }
      if (o >= r && o < h - r) {
        for (int ch = 0; ch < c; ch++) {
          double sum = 0;
          for (int i = pad + ch; i < len - pad; i += c) {
            sum += s[i];
          }
          sums[ch] += sum;
        }
      }
    }
    double n = (double) (h - 2 * r) * (w - 2 * r);
    double mean = 0;
    for (int ch = 0; ch < c; ch++) {
      sums[ch] /= n;
      mean += sums[ch];
    }
    return new Result(mean / c, sums, map);
  }

  /** Row {@code y}'s five quantities into the ring at {@code at}. */
  private void loadRow(Pixels a, Pixels b, int y, int c, float[][] ring, int at) {
    float[] x = ring[0];
    float[] yy = ring[1];
    int w = a.width();
    if (params.color() == Color.LUMA) {
      for (int i = 0; i < w; i++) {
        x[at + i] = (float) (Pixels.luma(a, y * w + i) - 128);
        yy[at + i] = (float) (Pixels.luma(b, y * w + i) - 128);
      }
    } else {
      byte[] da = a.data();
      byte[] db = b.data();
      int len = w * c;
      int src = y * len;
      for (int i = 0; i < len; i++) {
        x[at + i] = (da[src + i] & 0xff) - 128;
        yy[at + i] = (db[src + i] & 0xff) - 128;
      }
    }
    int len = w * c;
    float[] xx = ring[2];
    float[] y2 = ring[3];
    float[] xy = ring[4];
    for (int i = at; i < at + len; i++) {
      xx[i] = x[i] * x[i];
      y2[i] = yy[i] * yy[i];
      xy[i] = x[i] * yy[i];
    }
  }

  /** scipy's 'reflect': −1 → 0, h → h − 1 (the window is shorter than the picture). */
  private static int reflect(int i, int h) {
    return i < 0 ? -i - 1 : i >= h ? 2 * h - i - 1 : i;
  }

  /** Vertical filter of output row {@code o} into {@code vert[q][pad ..pad + len)}. */
  private void vertical(float[][] ring, int o, int h, int len, int ringRows, float[][] vert,
      int pad) {
    int r = weights.length - 1;
    if (r == 5) {
      vertical5(ring, o, h, len, ringRows, vert, pad);
      return;
    }
    for (int q = 0; q < 5; q++) {
      float[] src = ring[q];
      float[] dst = vert[q];
      int mid = (o % ringRows) * len;
      float w0 = weights[0];
      for (int i = 0; i < len; i++) {
        dst[pad + i] = w0 * src[mid + i];
      }
      for (int k = 1; k <= r; k++) {
        int up = (reflect(o - k, h) % ringRows) * len;
        int dn = (reflect(o + k, h) % ringRows) * len;
        float wk = weights[k];
        for (int i = 0; i < len; i++) {
          dst[pad + i] += wk * (src[up + i] + src[dn + i]);
        }
      }
    }
  }

  /** Fills the {@code pad} elements each side of the filtered rows by scipy's 'reflect'. */
  private void reflectColumns(float[][] vert, int w, int c, int pad) {
    int r = weights.length - 1;
    for (float[] v : vert) {
      for (int j = 1; j <= r; j++) {
        for (int ch = 0; ch < c; ch++) {
          v[pad + -j * c + ch] = v[pad + (j - 1) * c + ch];
          v[pad + (w - 1 + j) * c + ch] = v[pad + (w - j) * c + ch];
        }
      }
    }
  }

  /** Horizontal filter (taps one pixel = {@code c} elements apart) over [from, to). */
  private void horizontal(float[][] vert, float[][] hor, int from, int to, int c, int pad) {
    int r = weights.length - 1;
    if (r == 5) {
      horizontal5(vert, hor, from, to, c, pad);
      return;
    }
    for (int q = 0; q < 5; q++) {
      float[] src = vert[q];
      float[] dst = hor[q];
      float w0 = weights[0];
      for (int i = from; i < to; i++) {
        dst[i] = w0 * src[pad + i];
      }
      for (int k = 1; k <= r; k++) {
        float wk = weights[k];
        int lo = pad - k * c;
        int hi = pad + k * c;
        for (int i = from; i < to; i++) {
          dst[i] += wk * (src[lo + i] + src[hi + i]);
        }
      }
    }
  }

  /**
   * {@link #vertical} for the 11-tap window both conventions use, unrolled: one pass writing
   * each output once instead of once per tap (about twice as fast; the loop still vectorises).
   */
  private void vertical5(float[][] ring, int o, int h, int len, int ringRows, float[][] vert,
      int pad) {
    int[] at = new int[11];
    for (int k = -5; k <= 5; k++) {
      at[k + 5] = (reflect(o + k, h) % ringRows) * len;
    }
    int m5 = at[0];
    int m4 = at[1];
    int m3 = at[2];
    int m2 = at[3];
    int m1 = at[4];
    int z = at[5];
    int p1 = at[6];
    int p2 = at[7];
    int p3 = at[8];
    int p4 = at[9];
    int p5 = at[10];
    float w0 = weights[0];
    float w1 = weights[1];
    float w2 = weights[2];
    float w3 = weights[3];
    float w4 = weights[4];
    float w5 = weights[5];
    for (int q = 0; q < 5; q++) {
      float[] s = ring[q];
      float[] d = vert[q];
      for (int i = 0; i < len; i++) {
        d[pad + i] = w0 * s[z + i] + w1 * (s[m1 + i] + s[p1 + i]) + w2 * (s[m2 + i] + s[p2 + i])
            + w3 * (s[m3 + i] + s[p3 + i]) + w4 * (s[m4 + i] + s[p4 + i])
            + w5 * (s[m5 + i] + s[p5 + i]);
      }
    }
  }

  /** {@link #horizontal} for the 11-tap window, unrolled likewise. */
  private void horizontal5(float[][] vert, float[][] hor, int from, int to, int c, int pad) {
    float w0 = weights[0];
    float w1 = weights[1];
    float w2 = weights[2];
    float w3 = weights[3];
    float w4 = weights[4];
    float w5 = weights[5];
    for (int q = 0; q < 5; q++) {
      float[] s = vert[q];
      float[] d = hor[q];
      int z = pad;
      int m1 = pad - c;
      int m2 = pad - 2 * c;
      int m3 = pad - 3 * c;
      int m4 = pad - 4 * c;
      int m5 = pad - 5 * c;
      int p1 = pad + c;
      int p2 = pad + 2 * c;
      int p3 = pad + 3 * c;
      int p4 = pad + 4 * c;
      int p5 = pad + 5 * c;
      for (int i = from; i < to; i++) {
        d[i] = w0 * s[z + i] + w1 * (s[m1 + i] + s[p1 + i]) + w2 * (s[m2 + i] + s[p2 + i])
            + w3 * (s[m3 + i] + s[p3 + i]) + w4 * (s[m4 + i] + s[p4 + i])
            + w5 * (s[m5 + i] + s[p5 + i]);
      }
    }
  }

  /** SSIM from the filtered moments (population covariance, as the paper and skimage here). */
  private void ssimRow(float[][] m, float[] s, int from, int to) {
    float[] mx = m[0];
    float[] my = m[1];
    float[] exx = m[2];
    float[] eyy = m[3];
    float[] exy = m[4];
    float k1 = c1;
    float k2 = c2;
    for (int i = from; i < to; i++) {
      float ax = mx[i];
      float ay = my[i];
      float vx = exx[i] - ax * ax;
      float vy = eyy[i] - ay * ay;
      float cxy = exy[i] - ax * ay;
      float ux = ax + 128;
      float uy = ay + 128;
      s[i] = ((2 * ux * uy + k1) * (2 * cxy + k2)) / ((ux * ux + uy * uy + k1) * (vx + vy + k2));
    }
  }
}
