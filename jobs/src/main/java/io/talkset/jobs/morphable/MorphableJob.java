package io.talkset.jobs.morphable;

import static org.apache.spark.sql.functions.col;

import io.talkset.core.faceparams.MorphableFit;
import io.talkset.core.faceparams.Pca;
import io.talkset.core.faceparams.Procrustes;
import io.talkset.core.hashing.Sha256;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.io.Json;
import io.talkset.jobs.io.StageTables;
import io.talkset.jobs.io.TableCommitter;
import io.talkset.jobs.runtime.Job;
import io.talkset.schemas.MorphableSchemas;
import io.talkset.schemas.ParamsSchemas;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The morphable job ({@code talkset morphable}): a linear model of 3D face shape learned from
 * the dataset's own face meshes (face_params.mesh of ok clips), and every frame's coefficients.
 *
 * <ol>
 *   <li>Generalized Procrustes, distributed: the current mean shape is broadcast, executors
 *       align every mesh onto it and sum the aligned shapes, the driver turns the sum into the
 *       next mean; a few passes until it stops moving. Alignment removes pose (rotation,
 *       translation, scale), which is what a 3DMM's pose parameters are.</li>
 *   <li>PCA of identity (each segment's mean aligned shape: one person, one take) and of
 *       expression (each frame's departure from its segment's mean) with Spark ML
 *       ({@link SparkPca}: the covariance summed on executors, only the 1404×1404
 *       decomposition on the driver).</li>
 *   <li>Per frame, pose and coefficients fitted together ({@link MorphableFit#fit}); identity
 *       per segment (the mean of its frames' joint fits), expression per frame with it held.</li>
 * </ol>
 *
 * <p>With {@code --basis} the model is read instead of learned, so two datasets get coefficients
 * in the same basis. The model is written before the table, each atomically; the table's
 * {@code model_id} says which model its coefficients belong to.
 */
public final class MorphableJob implements Job {
  /**
   * Most segments whose identities are broadcast to the per-frame fits (about 0.1 KB each at
   * today's k_id); more are joined to the frames through a shuffle instead.
   */
  static final long BROADCAST_SEGMENTS = 200_000;

  /** Mesh length: MediaPipe FaceMesh's 468 points × (x, y, z). */
  static final int D = 1404;
  private static final Logger LOG = LoggerFactory.getLogger(MorphableJob.class);

  /**
   * What a run did.
   *
   * @param skipped why nothing was learned or written (no meshes, or the table is already up to
   *     date with the same input and settings); null when the run did the work
   */
  public record Result(String modelId, boolean learned, long frames, long segments,
      int idComponents, int expComponents, int gpaIterations, double gpaChange,
      double idExplained, double expExplained, double medianFitRmsPx, String skipped) {
    static Result skipped(String modelId, String why) {
      return new Result(modelId, false, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN,
          Double.NaN, why);
    }
  }

  /** A frame's mesh, keyed by clip and segment. */
  record Frame(String clipId, int segment, int frameIndex, double[] mesh)
      implements Serializable {
    Tuple2<String, Integer> key() {
      return new Tuple2<>(clipId, segment);
    }
  }

  @Override
  public String name() {
    return "morphable";
  }

  @Override
  public String summary() {
    return "a 3D morphable model learned from the face meshes (Procrustes + PCA), and per-frame"
        + " identity/expression coefficients and pose (OUTPUT/morphable, face_morphable)";
  }

  @Override
  public Options options() {
    return MorphableConfig.options();
  }

  @Override
  public void validate(Options.Parsed args) {
    MorphableConfig.from(args);
  }

  @Override
  public String run(SparkSession spark, Options.Parsed args) throws Exception {
    Result r = process(spark, MorphableConfig.from(args));
    if (r.skipped() != null) {
      return "morphable: nothing to do: " + r.skipped() + "\n";
    }
    return String.format(Locale.ROOT, "morphable: model %s (%s), %d frames in %d segments;"
        + " identity %d components (%.4f of variance), expression %d (%.4f);"
        + " Procrustes %d passes (last change %.2e); median fit RMS %.3f px%n"
        + "  model: %s/morphable  table: %s/face_morphable%n",
        r.modelId(), r.learned() ? "learned" : "applied from --basis", r.frames(),
        r.segments(), r.idComponents(), r.idExplained(), r.expComponents(), r.expExplained(),
        r.gpaIterations(), r.gpaChange(), r.medianFitRmsPx(), args.get("output"),
        args.get("output"));
  }

  public static Result process(SparkSession spark, MorphableConfig cfg) throws Exception {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Dataset<Row> okStatus = StageTables.current(spark, cfg.output(), ParamsSchemas.CLIPS)
        .filter(col("status").equalTo("ok"));
    // The input is the params batches of the ok clips (one row per clip): when they and the
    // settings are those the table was made from, the model and coefficients would come out
    // the same, so a re-run (every `talkset run` after the first) skips the work.
    String paramsDigest = StageTables.okBatchesDigest(
        okStatus.select("clip_id", "batch").collectAsList());
    String fingerprint = fingerprint(paramsDigest, cfg);
    String upToDate = upToDate(spark, cfg, fingerprint);
    if (upToDate != null) {
      LOG.info("morphable: face_morphable is up to date (model {}, input {}): skipped",
          upToDate, fingerprint);
      return Result.skipped(upToDate, "face_morphable is up to date with face_params (model "
          + upToDate + ")");
    }
    Dataset<Row> ok = okStatus.select("clip_id");
    Dataset<Row> meshes = StageTables.current(spark, cfg.output(), ParamsSchemas.PARAMS)
        .join(functions.broadcast(ok), "clip_id")
        .filter(col("mesh").isNotNull())
        .select("clip_id", "segment", "frame_index", "mesh");
    JavaRDD<Frame> frames = meshes.javaRDD()
        .map(r -> new Frame(r.getString(0), r.getInt(1), r.getInt(2), doubles(r.getList(3))));
    if (cfg.partitions() > 0) {
      frames = frames.repartition(cfg.partitions());
    }
    // Read once, walked by every Procrustes pass and both PCAs.
    frames = frames.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long n = frames.count();
      if (n == 0) {
        // In `talkset run` with --mesh none, or a collection without faces: nothing to learn
        // from, which is no error; the message says how to get meshes.
        String why = "no face meshes in " + cfg.output() + "/face_params (ok clips); the"
            + " params stage makes them with --mesh facemesh";
        LOG.info("morphable: {}", why);
        return Result.skipped(null, why);
      }
      Map<String, Object> training = new LinkedHashMap<>();
      String modelId;
      MorphableFit.Model model;
      int gpaIterations = 0;
      double gpaChange = Double.NaN;
      double idExplained;
      double expExplained;
      if (cfg.basis() == null) {
        Learned l = learn(jsc, frames, n, cfg);
        modelId = StageTables.newBatchId();
        model = MorphableFit.Model.of(l.mean, l.id.leading(l.kId), l.exp.leading(l.kExp));
        gpaIterations = l.iterations;
        gpaChange = l.change;
        idExplained = explained(l.id, l.kId);
        expExplained = explained(l.exp, l.kExp);
        training.put("frames", n);
        training.put("segments", l.segments);
        training.put("gpa_iterations", l.iterations);
        training.put("gpa_last_change", l.change);
        training.put("settings", cfg.describe());
        MorphableArtifact.write(spark, cfg.output(), modelId, l.mean, l.id, l.kId, l.exp,
            l.kExp, training);
      } else {
        MorphableArtifact.Loaded loaded = MorphableArtifact.read(
            spark.sparkContext().hadoopConfiguration(), cfg.basis());
        modelId = loaded.modelId();
        model = loaded.model();
        idExplained = Double.NaN;
        expExplained = Double.NaN;
      }
      Broadcast<MorphableFit.Model> bm = jsc.broadcast(model);
      int iters = cfg.fitIterations();
      // Identity per segment: the mean of its frames' joint fits (pose, identity, expression).
      // A segment's identity is k_id values. Up to BROADCAST_SEGMENTS segments, every
      // segment's goes to every task (broadcast) instead of every frame, mesh and all, going
      // through a shuffle to meet its segment's; past that (millions of segments would not fit
      // a driver or a task comfortably) the frames join them as before. Same rows either way.
      JavaPairRDD<Tuple2<String, Integer>, double[]> alphaRdd = frames
          .mapToPair(f -> new Tuple2<>(f.key(),
              append(MorphableFit.fit(f.mesh(), bm.value(), null, iters).identity(), 1)))
          .reduceByKey(MorphableJob::addInto)
          .mapValues(MorphableJob::averaged)
          .persist(StorageLevel.MEMORY_AND_DISK());
      long segments = alphaRdd.count();
      String id = modelId;
      Broadcast<Map<Tuple2<String, Integer>, double[]>> alpha = null;
      JavaRDD<Row> rows;
      if (segments <= BROADCAST_SEGMENTS) {
        Broadcast<Map<Tuple2<String, Integer>, double[]>> a =
            jsc.broadcast(new java.util.HashMap<>(alphaRdd.collectAsMap()));
        alpha = a;
        rows = frames.map(f -> row(f, a.value().get(f.key()), bm.value(), iters, id));
      } else {
        rows = frames.mapToPair(f -> new Tuple2<>(f.key(), f))
            .join(alphaRdd)
            .values()
            .map(t -> row(t._1(), t._2(), bm.value(), iters, id));
      }
      Dataset<Row> table = spark.createDataFrame(rows, MorphableSchemas.FRAMES.struct());
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("table", MorphableSchemas.FRAMES.table());
      d.put("schema_version", MorphableSchemas.VERSION);
      d.put("model_id", modelId);
      d.put("model", cfg.basis() == null ? cfg.output() + "/morphable" : cfg.basis());
      d.put("frames", n);
      d.put("segments", segments);
      d.put("settings", cfg.describe());
      d.put("input_fingerprint", fingerprint);
      // Without the settings: the shards stage compares it with face_params' current batches
      // to tell whether these coefficients still belong to the params rows it joins.
      d.put("params_digest", paramsDigest);
      TableCommitter committer = new TableCommitter(spark.sparkContext().hadoopConfiguration(),
          cfg.output(), MorphableSchemas.FRAMES.table());
      committer.write(table, Json.write(d));
      double median = StageTables.current(spark, cfg.output(), MorphableSchemas.FRAMES)
          .stat().approxQuantile("fit_rms_px", new double[] {0.5}, 0.001)[0];
      if (alpha != null) {
        alpha.destroy();
      }
      alphaRdd.unpersist(false);
      bm.destroy();
      return new Result(modelId, cfg.basis() == null, n, segments, model.identity().length,
          model.expression().length, gpaIterations, gpaChange, idExplained, expExplained,
          median, null);
    } finally {
      frames.unpersist(false);
    }
  }

  private static final Pattern FINGERPRINT =
      Pattern.compile("\"input_fingerprint\"\\s*:\\s*\"([0-9a-f]{64})\"");
  private static final Pattern MODEL_ID =
      Pattern.compile("\"model_id\"\\s*:\\s*\"([^\"]+)\"");

  /**
   * SHA-256 of the ok clips' (clip, params batch) digest ({@link StageTables#okBatchesDigest},
   * the one the shards stage compares) and the settings.
   */
  static String fingerprint(String paramsDigest, MorphableConfig cfg) {
    return Sha256.hex(paramsDigest + "\n" + Json.write(cfg.describe()));
  }

  /**
   * The model id of the committed face_morphable table when it was made from this input
   * (same fingerprint) and, when learned, its model is still the one in ROOT/morphable; else
   * null.
   */
  static String upToDate(SparkSession spark, MorphableConfig cfg, String fingerprint)
      throws java.io.IOException {
    org.apache.hadoop.conf.Configuration hconf = spark.sparkContext().hadoopConfiguration();
    org.apache.hadoop.fs.Path described = new org.apache.hadoop.fs.Path(
        TableCommitter.location(cfg.output(), MorphableSchemas.FRAMES.table()),
        TableCommitter.DESCRIPTION_FILE);
    String d = read(hconf, described);
    if (d == null) {
      return null;
    }
    Matcher f = FINGERPRINT.matcher(d);
    Matcher id = MODEL_ID.matcher(d);
    // A table from before params_digest was recorded is made again once, so readers get it.
    if (!f.find() || !f.group(1).equals(fingerprint) || !id.find()
        || !d.contains("\"params_digest\"")) {
      return null;
    }
    if (cfg.basis() == null) {
      String model = read(hconf, new org.apache.hadoop.fs.Path(cfg.output() + "/morphable",
          "model.json"));
      Matcher m = model == null ? null : MODEL_ID.matcher(model);
      if (m == null || !m.find() || !m.group(1).equals(id.group(1))) {
        return null;
      }
    }
    return id.group(1);
  }

  private static String read(org.apache.hadoop.conf.Configuration hconf,
      org.apache.hadoop.fs.Path p) throws java.io.IOException {
    org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(hconf);
    if (!fs.exists(p)) {
      return null;
    }
    try (java.io.InputStream in = fs.open(p)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** What learning produced: mean shape, both PCAs and the sizes chosen. */
  record Learned(double[] mean, Pca id, int kId, Pca exp, int kExp, long segments,
      int iterations, double change) {}

  static Learned learn(JavaSparkContext jsc, JavaRDD<Frame> frames, long n,
      MorphableConfig cfg) {
    // The gauge (orientation) is the first frame's; the mean's shape does not depend on it.
    double[] mean = Procrustes.normalized(frames.first().mesh());
    double change = Double.POSITIVE_INFINITY;
    int it = 0;
    while (it < cfg.iterations() && change > cfg.tolerance()) {
      it++;
      Broadcast<double[]> b = jsc.broadcast(mean);
      double[] sum = frames.mapPartitions(part -> {
        double[] s = new double[D];
        while (part.hasNext()) {
          addInto(s, MorphableFit.align(part.next().mesh(), b.value()).shape());
        }
        return List.of(s).iterator();
      }).treeReduce(MorphableJob::addInto);
      double[] next = MorphableFit.nextMean(sum, n, mean);
      change = Procrustes.rms(next, mean);
      mean = next;
      b.destroy();
    }
    Broadcast<double[]> b = jsc.broadcast(mean);
    // Aligning a frame costs a few microseconds; caching the aligned shapes would cost another
    // 11 KB a frame beside the cached meshes, so they are recomputed for the second use.
    JavaPairRDD<Tuple2<String, Integer>, double[]> aligned = frames
        .mapToPair(f -> new Tuple2<>(f.key(), MorphableFit.align(f.mesh(), b.value()).shape()));
    JavaPairRDD<Tuple2<String, Integer>, double[]> segmentMeans = aligned
        .mapValues(a -> append(a, 1))
        .reduceByKey(MorphableJob::addInto)
        .mapValues(MorphableJob::averaged)
        .persist(StorageLevel.MEMORY_AND_DISK());
    // Spark ML's PCA walks its rows three times (column summary twice, covariance once).
    JavaRDD<double[]> idRows = segmentMeans.values();
    long segments = idRows.count();
    long t0 = System.nanoTime();
    Pca id = SparkPca.of(idRows, D);
    // Said in the log because bin/bench-morphable separates this fixed cost from the per-frame
    // cost.
    LOG.info(String.format(Locale.ROOT,
        "morphable: identity PCA (Spark ML) of %d rows: %.1f s (driver LAPACK: %s)", segments,
        (System.nanoTime() - t0) / 1e9, SparkPca.lapackInUse()));
    // Residuals centre on zero by construction (Spark centres them on their mean anyway).
    JavaRDD<double[]> expRows = aligned.join(segmentMeans).values()
        .map(t -> minus(t._1(), t._2()))
        .persist(StorageLevel.MEMORY_AND_DISK());
    t0 = System.nanoTime();
    Pca exp = SparkPca.of(expRows, D);
    LOG.info(String.format(Locale.ROOT,
        "morphable: expression residuals and PCA (Spark ML) of %d rows: %.1f s", n,
        (System.nanoTime() - t0) / 1e9));
    expRows.unpersist(false);
    segmentMeans.unpersist(false);
    b.destroy();
    int kId = cfg.idComponents() > 0 ? cfg.idComponents()
        : id.componentsFor(cfg.variance(), MorphableConfig.MAX_ID);
    int kExp = cfg.expComponents() > 0 ? cfg.expComponents()
        : exp.componentsFor(cfg.variance(), MorphableConfig.MAX_EXP);
    return new Learned(mean, id, kId, exp, kExp, segments, it, change);
  }

  static Row row(Frame f, double[] alpha, MorphableFit.Model model, int iters,
      String modelId) {
    MorphableFit.Fit fit = MorphableFit.fit(f.mesh(), model, alpha, iters);
    MorphableFit.Aligned p = fit.pose();
    return RowFactory.create(f.clipId(), f.segment(), f.frameIndex(), modelId,
        MorphableArtifact.floats(alpha), MorphableArtifact.floats(fit.expression()),
        (float) p.yaw(), (float) p.pitch(), (float) p.roll(),
        MorphableArtifact.floats(p.translation()), (float) p.scale(), (float) fit.rmsPixels());
  }

  static double explained(Pca p, int k) {
    double s = 0;
    for (int i = 0; i < k; i++) {
      s += p.explained()[i];
    }
    return s;
  }

  static double[] doubles(List<Object> l) {
    if (l.size() != D) {
      throw new IllegalArgumentException("mesh of " + l.size() + " values, expected " + D
          + " (468 points × x, y, z)");
    }
    double[] d = new double[l.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = ((Number) l.get(i)).doubleValue();
    }
    return d;
  }

  /** {@code v} with {@code extra} appended (a count travelling with a sum). */
  static double[] append(double[] v, double extra) {
    double[] out = java.util.Arrays.copyOf(v, v.length + 1);
    out[v.length] = extra;
    return out;
  }

  /** A sum with its count as last element → the mean. */
  static double[] averaged(double[] sumAndCount) {
    int k = sumAndCount.length - 1;
    double[] m = new double[k];
    for (int i = 0; i < k; i++) {
      m[i] = sumAndCount[i] / sumAndCount[k];
    }
    return m;
  }

  static double[] addInto(double[] acc, double[] x) {
    for (int i = 0; i < acc.length; i++) {
      acc[i] += x[i];
    }
    return acc;
  }

  static double[] minus(double[] a, double[] b) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] - b[i];
    }
    return out;
  }
}
