package io.talkset.jobs.morphable;

import io.talkset.core.faceparams.MorphableFit;
import io.talkset.core.faceparams.Pca;
import io.talkset.jobs.io.Json;
import io.talkset.jobs.io.TableCommitter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The model folder, {@code ROOT/morphable/}: {@code model.json} (format, version, model id,
 * vertex order, sizes, eigenvalues, explained variance, training counts, settings),
 * {@code mean.npy} (1404,), {@code id_basis.npy} (k_id, 1404), {@code exp_basis.npy}
 * (k_exp, 1404), {@code id_eigenvalues.npy} and {@code exp_eigenvalues.npy}, all float32, and
 * {@code model.parquet}, the same numbers as rows for pyarrow and Spark. The folder is filled
 * beside the old one and swapped in by renames, so readers see one whole model or the other.
 */
final class MorphableArtifact {
  static final String TABLE = "morphable";
  static final String FORMAT = "talkset-morphable";
  static final int FORMAT_VERSION = 1;
  static final StructType PARQUET = new StructType()
      .add("part", DataTypes.StringType, false)
      .add("component", DataTypes.IntegerType, false)
      .add("eigenvalue", DataTypes.DoubleType, true)
      .add("explained", DataTypes.DoubleType, true)
      .add("values", DataTypes.createArrayType(DataTypes.FloatType, false), false);
  private static final Pattern MODEL_ID = Pattern.compile("\"model_id\"\\s*:\\s*\"([^\"]+)\"");

  private MorphableArtifact() {}

  /** A model with its id, as read back or as just learned. */
  record Loaded(String modelId, MorphableFit.Model model) {}

  static void write(SparkSession spark, String output, String modelId, double[] mean,
      Pca id, int kId, Pca exp, int kExp, Map<String, Object> training) throws IOException {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    TableCommitter committer = new TableCommitter(hconf, output, TABLE);
    Path staging = committer.newStaging();
    FileSystem fs = staging.getFileSystem(hconf);
    // No .crc beside each file: these are read whole, by numpy as much as by Hadoop.
    FileSystem plain = fs instanceof org.apache.hadoop.fs.ChecksumFileSystem c
        ? c.getRawFileSystem() : fs;
    fs.mkdirs(staging);
    double[] idValues = java.util.Arrays.copyOf(id.eigenvalues(), kId);
    double[] expValues = java.util.Arrays.copyOf(exp.eigenvalues(), kExp);
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("mean.npy", Npy.write(mean));
    files.put("id_basis.npy", Npy.write(id.leading(kId), false));
    files.put("exp_basis.npy", Npy.write(exp.leading(kExp), false));
    files.put("id_eigenvalues.npy", Npy.write(idValues));
    files.put("exp_eigenvalues.npy", Npy.write(expValues));
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("format", FORMAT);
    d.put("format_version", FORMAT_VERSION);
    d.put("model_id", modelId);
    d.put("created_at", java.time.Instant.now().toString());
    d.put("vertex_order", "MediaPipe FaceMesh, 468 points in the model's own index order"
        + " (face_params.mesh): value 3*i+a is point i, axis a");
    d.put("points", mean.length / 3);
    d.put("axes", "x right, y down, z away from the camera, as face_params.mesh; the mean is"
        + " centred with unit root-mean-square distance of its points from the centre");
    d.put("model", "shape = mean + id_basisᵀ·id_coeffs + exp_basisᵀ·exp_coeffs;"
        + " mesh ≈ scale·R·shape + translation");
    d.put("identity", part(id, kId));
    d.put("expression", part(exp, kExp));
    d.put("training", training);
    d.put("files", new ArrayList<>(files.keySet()));
    files.put("model.json", Json.write(d).getBytes(StandardCharsets.UTF_8));
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      try (OutputStream out = plain.create(new Path(staging, f.getKey()), true)) {
        out.write(f.getValue());
      }
    }
    List<Row> rows = new ArrayList<>();
    rows.add(RowFactory.create("mean", 0, null, null, floats(mean)));
    addRows(rows, "identity", id, kId);
    addRows(rows, "expression", exp, kExp);
    spark.createDataFrame(rows, PARQUET).coalesce(1).write()
        .parquet(new Path(staging, "model.parquet").toString());
    committer.swapIn(staging);
  }

  private static Map<String, Object> part(Pca p, int k) {
    double[] f = p.explained();
    List<Double> values = new ArrayList<>();
    List<Double> explained = new ArrayList<>();
    double kept = 0;
    // The spectrum beyond the kept components too (up to 200), so a user can judge the cut.
    for (int i = 0; i < Math.min(200, f.length); i++) {
      values.add(p.eigenvalues()[i]);
      explained.add(f[i]);
      if (i < k) {
        kept += f[i];
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("components", k);
    m.put("explained_variance", kept);
    m.put("eigenvalues", values);
    m.put("explained_variance_ratio", explained);
    return m;
  }

  private static void addRows(List<Row> rows, String name, Pca p, int k) {
    double[] f = p.explained();
    for (int i = 0; i < k; i++) {
      rows.add(RowFactory.create(name, i, p.eigenvalues()[i], f[i],
          floats(p.components()[i])));
    }
  }

  static float[] floats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

  /** Reads a model folder written by {@link #write} (here or under another dataset). */
  static Loaded read(Configuration hconf, String uri) throws IOException {
    Path dir = new Path(uri);
    FileSystem fs = dir.getFileSystem(hconf);
    String json = new String(bytes(fs, new Path(dir, "model.json")), StandardCharsets.UTF_8);
    if (!json.contains("\"" + FORMAT + "\"")) {
      throw new IllegalArgumentException("--basis " + uri + ": model.json is not a " + FORMAT
          + " model");
    }
    Matcher m = MODEL_ID.matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("--basis " + uri + ": model.json has no model_id");
    }
    double[] mean = Npy.read(bytes(fs, new Path(dir, "mean.npy")), "mean.npy")[0];
    double[][] id = Npy.read(bytes(fs, new Path(dir, "id_basis.npy")), "id_basis.npy");
    double[][] exp = Npy.read(bytes(fs, new Path(dir, "exp_basis.npy")), "exp_basis.npy");
    if (id[0].length != mean.length || exp[0].length != mean.length) {
      throw new IllegalArgumentException("--basis " + uri + ": bases of " + id[0].length
          + " and " + exp[0].length + " values per row, mean of " + mean.length);
    }
    // Stored as float32: orthonormalised again so projections stay exact least squares.
    return new Loaded(m.group(1), MorphableFit.Model.of(mean, orthonormal(id),
        orthonormal(exp)));
  }

  static double[][] orthonormal(double[][] v) {
    double[][] out = new double[v.length][];
    for (int k = 0; k < v.length; k++) {
      double[] x = v[k].clone();
      for (int pass = 0; pass < 2; pass++) {
        for (int j = 0; j < k; j++) {
          double dot = 0;
          for (int i = 0; i < x.length; i++) {
            dot += x[i] * out[j][i];
          }
          for (int i = 0; i < x.length; i++) {
            x[i] -= dot * out[j][i];
          }
        }
      }
      double norm = 0;
      for (double a : x) {
        norm += a * a;
      }
      norm = Math.sqrt(norm);
      for (int i = 0; i < x.length; i++) {
        x[i] /= norm;
      }
      out[k] = x;
    }
    return out;
  }

  private static byte[] bytes(FileSystem fs, Path p) throws IOException {
    if (!fs.exists(p)) {
      throw new IllegalArgumentException("no " + p.getName() + " under " + p.getParent()
          + ": --basis takes a folder written by talkset morphable (OUTPUT/morphable)");
    }
    try (InputStream in = fs.open(p)) {
      return in.readAllBytes();
    }
  }
}
