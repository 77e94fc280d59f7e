package io.talkset.core.faceparams;

/**
 * Principal components: eigenvalues of a covariance matrix in decreasing order and their unit
 * eigenvectors. The morphable job gets them from Spark ML's distributed PCA; this record only
 * puts them in a fixed order and orientation, so any solver's output reads the same.
 *
 * @param eigenvalues decreasing, clamped at 0 (rounding can make the smallest slightly negative)
 * @param components row k is the unit eigenvector of eigenvalue k; its sign is fixed so that
 *     its largest-magnitude entry is positive, so repeated runs give the same basis
 */
public record Pca(double[] eigenvalues, double[][] components) {

  /**
   * Eigenpairs in any order and orientation ({@code vectors[k]} belongs to {@code values[k]}),
   * sorted by decreasing eigenvalue (ties keep their order) with each vector's sign fixed.
   */
  public static Pca of(double[] values, double[][] vectors) {
    int d = values.length;
    if (vectors.length != d) {
      throw new IllegalArgumentException(d + " eigenvalues but " + vectors.length + " vectors");
    }
    Integer[] order = new Integer[d];
    for (int i = 0; i < d; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
    double[] ev = new double[d];
    double[][] sorted = new double[d][];
    for (int k = 0; k < d; k++) {
      ev[k] = Math.max(0, values[order[k]]);
      double[] v = vectors[order[k]].clone();
      int big = 0;
      for (int i = 1; i < v.length; i++) {
        if (Math.abs(v[i]) > Math.abs(v[big])) {
          big = i;
        }
      }
      if (v[big] < 0) {
        for (int i = 0; i < v.length; i++) {
          v[i] = -v[i];
        }
      }
      sorted[k] = v;
    }
    return new Pca(ev, sorted);
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
