package io.talkset.jobs.morphable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.talkset.core.faceparams.Pca;
import io.talkset.core.faceparams.Procrustes;
import io.talkset.core.faceparams.SyntheticFaces;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.io.TableCommitter;
import io.talkset.schemas.ParamsSchemas;
import io.talkset.testing.Python;
import io.talkset.testing.Tools;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The morphable job on a face_params table of meshes made from a known model
 * ({@link SyntheticFaces}: 4 identity and 6 expression components, 12 segments of 40 frames in
 * three clips, known rotations), and its PCA against numpy's SVD.
 */
class MorphableJobSuite {
  private static final SyntheticFaces FACES = new SyntheticFaces(21, 4, 6, 12, 40, 0.05, 0.03);
  private final ObjectMapper json = new ObjectMapper();

  /** face_params and face_params_clips with the synthetic meshes, a failed clip and a gap. */
  static void writeInput(SparkSession spark, Path root, int firstClip) throws Exception {
    StructType params = ParamsSchemas.PARAMS.struct();
    StructType clips = ParamsSchemas.CLIPS.struct();
    List<Row> rows = new ArrayList<>();
    List<Row> statuses = new ArrayList<>();
    for (int i = 0; i < FACES.meshes.length; i++) {
      int s = i / FACES.framesPerSegment;
      if (s / 4 < firstClip) {
        continue;
      }
      rows.add(paramsRow(params, "clip" + s / 4, s % 4, frameIndex(i), floats(FACES.meshes[i])));
    }
    // A frame without a mesh (--mesh none, or no face) and a clip whose params failed: neither
    // may reach the model.
    rows.add(paramsRow(params, "clip" + firstClip, 0, 9999, null));
    Random rnd = new Random(9);
    for (int f = 0; f < 5; f++) {
      float[] junk = new float[1404];
      for (int k = 0; k < junk.length; k++) {
        junk[k] = (float) (1000 * rnd.nextGaussian());
      }
      rows.add(paramsRow(params, "failed", 0, f, junk));
    }
    for (int c = firstClip; c < 3; c++) {
      statuses.add(statusRow(clips, "clip" + c, "ok"));
    }
    statuses.add(statusRow(clips, "failed", "failed"));
    var hconf = spark.sparkContext().hadoopConfiguration();
    new TableCommitter(hconf, root.toUri().toString(), ParamsSchemas.PARAMS.table())
        .appendBatch(spark.createDataFrame(rows, params), "b1", "{}");
    new TableCommitter(hconf, root.toUri().toString(), ParamsSchemas.CLIPS.table())
        .appendBatch(spark.createDataFrame(statuses, clips), "b1", "{}");
  }

  static int frameIndex(int i) {
    return 100 * (i / FACES.framesPerSegment) + i % FACES.framesPerSegment;
  }

  private static Row paramsRow(StructType st, String clip, int segment, int frame, float[] mesh) {
    Object[] v = new Object[st.size()];
    v[st.fieldIndex("clip_id")] = clip;
    v[st.fieldIndex("segment")] = segment;
    v[st.fieldIndex("frame_index")] = frame;
    for (String c : new String[] {"landmarks", "landmarks_raw", "landmarks_crop"}) {
      v[st.fieldIndex(c)] = new float[0];
    }
    v[st.fieldIndex("mesh")] = mesh;
    return RowFactory.create(v);
  }

  private static Row statusRow(StructType st, String clip, String status) {
    Object[] v = new Object[st.size()];
    v[st.fieldIndex("clip_id")] = clip;
    v[st.fieldIndex("status")] = status;
    v[st.fieldIndex("processed_at")] = new Timestamp(System.currentTimeMillis());
    return RowFactory.create(v);
  }

  static float[] floats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  static MorphableConfig config(Path root, String basis) {
    return new MorphableConfig(root.toUri().toString(), 0, 0, 0.99, basis, 5, 1e-6, 10, 4);
  }

  @Test
  void learnsTheKnownModelRecoversPosesAndAppliesItToAnotherDataset(@TempDir Path tmp)
      throws Exception {
    SparkSession spark = SparkTestSession.get();
    Path root = tmp.resolve("a");
    writeInput(spark, root, 0);
    MorphableJob.Result r = MorphableJob.process(spark, config(root, null));
    assertEquals(480, r.frames());
    assertEquals(12, r.segments());
    assertEquals(4, r.idComponents(), "the fewest components explaining 99%");
    assertEquals(6, r.expComponents());

    Path model = root.resolve("morphable");
    double[] mean = Npy.read(Files.readAllBytes(model.resolve("mean.npy")), "mean")[0];
    double[][] id = Npy.read(Files.readAllBytes(model.resolve("id_basis.npy")), "id");
    double[][] exp = Npy.read(Files.readAllBytes(model.resolve("exp_basis.npy")), "exp");
    // The model lives in the first frame's orientation; the known bases are turned into it.
    double[] g = Procrustes.align(FACES.mean, mean).rotation();
    double idAngle = SyntheticFaces.largestPrincipalAngle(MorphableArtifact.orthonormal(id),
        SyntheticFaces.rotated(FACES.identity, g));
    double expAngle = SyntheticFaces.largestPrincipalAngle(MorphableArtifact.orthonormal(exp),
        SyntheticFaces.rotated(FACES.expression, g));

    Map<String, Row> byFrame = new HashMap<>();
    for (Row row : spark.read().parquet(root.resolve("face_morphable").toString())
        .collectAsList()) {
      byFrame.put(row.getString(row.fieldIndex("clip_id")) + "/"
          + row.getInt(row.fieldIndex("frame_index")), row);
    }
    assertEquals(480, byFrame.size(), "ok clips' frames with a mesh, each once");
    double worstRotation = 0;
    double worstRms = 0;
    Row first = byFrame.get("clip0/0");
    double[] r0 = rotation(first);
    for (int i = 0; i < FACES.meshes.length; i++) {
      Row row = byFrame.get(key(i));
      assertEquals(r.modelId(), row.getString(row.fieldIndex("model_id")));
      double[] ri = rotation(row);
      worstRotation = Math.max(worstRotation, Procrustes.angleBetween(
          mul(ri, t(r0)), mul(FACES.rotations[i], t(FACES.rotations[0]))));
      worstRms = Math.max(worstRms, row.getFloat(row.fieldIndex("fit_rms_px")));
    }

    // The same model applied to a second dataset (the last two clips): same coefficients.
    Path other = tmp.resolve("b");
    writeInput(spark, other, 1);
    MorphableJob.Result applied = MorphableJob.process(spark,
        config(other, model.toUri().toString()));
    assertEquals(r.modelId(), applied.modelId());
    double worstCoef = 0;
    for (Row row : spark.read().parquet(other.resolve("face_morphable").toString())
        .collectAsList()) {
      Row mine = byFrame.get(row.getString(0) + "/" + row.getInt(2));
      for (String c : new String[] {"id_coeffs", "exp_coeffs"}) {
        List<Object> a = row.getList(row.fieldIndex(c));
        List<Object> b = mine.getList(mine.fieldIndex(c));
        for (int k = 0; k < a.size(); k++) {
          worstCoef = Math.max(worstCoef, Math.abs((Float) a.get(k) - (Float) b.get(k)));
        }
      }
    }
    assertTrue(!Files.exists(other.resolve("morphable")), "--basis writes no model");

    JsonNode py = json.readTree(Tools.run(Python.venv().toString(), script(),
        tmp.resolve("none.npy").toString(), "0", tmp.resolve("none.f64").toString(),
        model.toString()));
    System.out.printf("morphable suite: id angle %.3e deg, exp angle %.3e deg, worst relative"
        + " rotation %.2e deg, worst fit rms %.2e px (faces 60-140 px per model unit), --basis"
        + " coefficient difference %.2e; numpy/pyarrow: %s%n", idAngle, expAngle,
        worstRotation, worstRms, worstCoef, py);
    assertTrue(idAngle <= 1, "identity subspace " + idAngle + " deg from the known one");
    assertTrue(expAngle <= 1, "expression subspace " + expAngle + " deg from the known one");
    assertTrue(worstRotation <= 0.5, "rotation error " + worstRotation + " deg");
    // Reconstruction at float precision: the coefficients and pose are stored as float32.
    assertTrue(worstRms < 1e-3, "fit residual " + worstRms + " px");
    assertTrue(worstCoef < 1e-5, "coefficients across datasets differ by " + worstCoef);
    assertEquals(List.of(1404), list(py.get("mean_shape")));
    assertEquals(List.of(4, 1404), list(py.get("id_shape")));
    assertEquals(List.of(6, 1404), list(py.get("exp_shape")));
    assertEquals("float32", py.get("dtype").asText());
    assertTrue(py.get("parquet_equals_npy").asBoolean(), "model.parquet holds the .npy values");
    assertTrue(py.get("id_orthonormal_error").asDouble() < 1e-6);

    // A re-run on the same input and settings (every `talkset run` after the first) changes
    // nothing: no new model, the table's files untouched.
    List<String> before = listing(root.resolve("face_morphable"));
    MorphableJob.Result again = MorphableJob.process(spark, config(root, null));
    assertEquals(r.modelId(), again.modelId());
    assertTrue(again.skipped() != null && again.skipped().contains("up to date"),
        "skipped: " + again.skipped());
    assertEquals(before, listing(root.resolve("face_morphable")));
    assertEquals(r.modelId(), modelId(model));
    // Other settings are another model.
    MorphableJob.Result three = MorphableJob.process(spark, new MorphableConfig(
        root.toUri().toString(), 0, 3, 0.99, null, 5, 1e-6, 10, 4));
    assertEquals(null, three.skipped());
    assertEquals(3, three.expComponents());
    assertTrue(!three.modelId().equals(r.modelId()));
    assertEquals(three.modelId(), modelId(model));
  }

  static List<String> listing(Path dir) throws java.io.IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName() + ":" + p.toFile().lastModified()).sorted().toList();
    }
  }

  String modelId(Path model) throws java.io.IOException {
    return json.readTree(model.resolve("model.json").toFile()).get("model_id").asText();
  }

  /**
   * The job's PCA (Spark ML's RowMatrix: covariance summed in 4 tasks, decomposed on the driver)
   * against numpy's SVD of the same centred matrix.
   */
  @Test
  void sparkMlPcaEqualsNumpySvd(@TempDir Path tmp) throws Exception {
    int n = 400;
    int d = 600;
    int k = 8;
    Random rnd = new Random(31);
    double[][] dirs = new double[12][d];
    for (double[] row : dirs) {
      for (int i = 0; i < d; i++) {
        row[i] = rnd.nextGaussian() / Math.sqrt(d);
      }
    }
    double[][] x = new double[n][d];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < dirs.length; c++) {
        double w = rnd.nextGaussian() * 3 / (c + 1);
        for (int i = 0; i < d; i++) {
          x[r][i] += w * dirs[c][i];
        }
      }
      for (int i = 0; i < d; i++) {
        // Offset like a mesh (far from zero) plus noise; float32, as numpy will read it.
        x[r][i] = (float) (x[r][i] + 5 + 1e-3 * rnd.nextGaussian());
      }
    }
    PcaCheck c = sparkPcaAgainstNumpy(SparkTestSession.get(), x, k, tmp);
    System.out.printf("morphable suite: Spark ML PCA vs numpy SVD (%dx%d, top %d): largest"
        + " principal angle %.2e rad, eigenvalues within %.2e (relative)%n", n, d, k,
        c.angleRad(), c.worstEigenvalue());
    assertTrue(c.angleRad() <= 1e-6, "principal angle " + c.angleRad() + " rad");
    assertTrue(c.worstEigenvalue() <= 1e-9, "eigenvalues differ by " + c.worstEigenvalue());
    // Each direction singly too (sign aside): the leading components are the same vectors.
    for (int i = 0; i < 3; i++) {
      double dot = 0;
      for (int j = 0; j < d; j++) {
        dot += c.pca().components()[i][j] * c.numpy()[i][j];
      }
      assertEquals(1, Math.abs(dot), 1e-9, "component " + i);
    }
  }

  /**
   * The job's PCA of {@code x} and numpy's SVD of the same centred matrix, top {@code k}.
   *
   * @param angleRad largest principal angle between the two k-dimensional subspaces
   * @param worstEigenvalue largest relative difference of the k eigenvalues
   * @param numpy numpy's k components (rows)
   */
  record PcaCheck(Pca pca, double[][] numpy, double[] numpyEigenvalues, double angleRad,
      double worstEigenvalue) {}

  /**
   * Runs {@link SparkPca} on {@code x} (rows rounded to float32 first, as the .npy numpy reads
   * holds them, so both sides decompose the same numbers) in 4 tasks, and morphable_check.py's
   * SVD in the reference venv.
   */
  static PcaCheck sparkPcaAgainstNumpy(SparkSession spark, double[][] x, int k, Path tmp)
      throws Exception {
    int d = x[0].length;
    double[][] f = new double[x.length][d];
    for (int r = 0; r < x.length; r++) {
      for (int i = 0; i < d; i++) {
        f[r][i] = (float) x[r][i];
      }
    }
    Path matrix = tmp.resolve("x.npy");
    Files.write(matrix, Npy.write(f, false));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Pca pca = SparkPca.of(jsc.parallelize(List.of(f), 4), d);
    Path basis = tmp.resolve("basis.f64");
    String script = Path.of(MorphableJobSuite.class.getResource("morphable_check.py").toURI())
        .toString();
    JsonNode py = new ObjectMapper().readTree(Tools.run(Python.venv().toString(), script,
        matrix.toString(), String.valueOf(k), basis.toString(), "-"));
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(basis)).order(ByteOrder.LITTLE_ENDIAN);
    double[][] ref = new double[k][d];
    for (double[] row : ref) {
      for (int i = 0; i < d; i++) {
        row[i] = b.getDouble();
      }
    }
    double angleRad = Math.toRadians(SyntheticFaces.largestPrincipalAngle(pca.leading(k), ref));
    double[] ev = new double[k];
    double worstValue = 0;
    for (int i = 0; i < k; i++) {
      ev[i] = py.get("eigenvalues").get(i).asDouble();
      worstValue = Math.max(worstValue, Math.abs(pca.eigenvalues()[i] - ev[i]) / ev[i]);
    }
    return new PcaCheck(pca, ref, ev, angleRad, worstValue);
  }

  private String script() throws Exception {
    return Path.of(getClass().getResource("morphable_check.py").toURI()).toString();
  }

  private static List<Integer> list(JsonNode a) {
    List<Integer> l = new ArrayList<>();
    a.forEach(e -> l.add(e.asInt()));
    return l;
  }

  private static String key(int i) {
    return "clip" + i / FACES.framesPerSegment / 4 + "/" + frameIndex(i);
  }

  private static double[] rotation(Row row) {
    return Procrustes.rotation(row.getFloat(row.fieldIndex("yaw_deg")),
        row.getFloat(row.fieldIndex("pitch_deg")), row.getFloat(row.fieldIndex("roll_deg")));
  }

  static double[] mul(double[] a, double[] b) {
    double[] c = new double[9];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        for (int q = 0; q < 3; q++) {
          c[3 * i + j] += a[3 * i + q] * b[3 * q + j];
        }
      }
    }
    return c;
  }

  static double[] t(double[] a) {
    return new double[] {a[0], a[3], a[6], a[1], a[4], a[7], a[2], a[5], a[8]};
  }
}
