package io.talkset.core.faceparams;

/**
 * Principal components of a covariance matrix: eigenvalues in decreasing order and their unit
 * eigenvectors. The covariance comes from {@link Moments} accumulated across a cluster; only
 * this d×d eigendecomposition (d = 1404 for a face mesh) runs on the driver, with our own
 * {@link SymmetricEigen} (see there why not commons-math3's).
 *
 * @param eigenvalues decreasing, clamped at 0 (rounding can make the smallest slightly negative)
 * @param components row k is the unit eigenvector of eigenvalue k; its sign is fixed so that
 *     its largest-magnitude entry is positive, so repeated runs give the same basis
 */
public record Pca(double[] eigenvalues, double[][] components) {

  /** The decomposition of a symmetric matrix. */
  public static Pca of(double[][] covariance) {
    int d = covariance.length;
    SymmetricEigen e = SymmetricEigen.of(covariance);
    double[] values = e.values;
    Integer[] order = new Integer[d];
    for (int i = 0; i < d; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
    double[] ev = new double[d];
    double[][] vectors = new double[d][];
    for (int k = 0; k < d; k++) {
      ev[k] = Math.max(0, values[order[k]]);
      double[] v = e.vectors[order[k]].clone();
      int big = 0;
      for (int i = 1; i < d; i++) {
        if (Math.abs(v[i]) > Math.abs(v[big])) {
          big = i;
        }
      }
      if (v[big] < 0) {
        for (int i = 0; i < d; i++) {
          v[i] = -v[i];
        }
      }
      vectors[k] = v;
    }
    return new Pca(ev, vectors);
  }

  /** Fraction of the total variance explained by each component. */
  public double[] explained() {
    double total = 0;
    for (double v : eigenvalues) {
      total += v;
    }
    double[] f = new double[eigenvalues.length];
    for (int k = 0; k < f.length; k++) {
      f[k] = total == 0 ? 0 : eigenvalues[k] / total;
    }
    return f;
  }

  /**
   * The fewest leading components whose eigenvalues reach {@code fraction} of the total
   * variance, at least 1 and at most {@code cap} (and the number of non-zero eigenvalues).
   */
  public int componentsFor(double fraction, int cap) {
    double[] f = explained();
    double acc = 0;
    int k = 0;
    while (k < f.length && k < cap && acc < fraction - 1e-12) {
      if (eigenvalues[k] <= 0) {
        break;
      }
      acc += f[k];
      k++;
    }
    return Math.max(1, k);
  }

  /** The leading {@code k} components, k×d. */
  public double[][] leading(int k) {
    double[][] out = new double[k][];
    for (int i = 0; i < k; i++) {
      out[i] = components[i].clone();
    }
    return out;
  }
}
