package io.talkset.bench;

import ai.djl.Device;
import io.talkset.core.faceparams.FaceDescriptors;
import io.talkset.core.faceparams.FaceExpressions;
import io.talkset.core.faceparams.FaceLandmarker;
import io.talkset.core.faceparams.FaceMesh;
import io.talkset.core.faceparams.HeadPose;
import io.talkset.core.faceparams.LandmarkSmoother;
import io.talkset.core.faceparams.SegmentParams;
import io.talkset.core.faces.BlazeFace;
import io.talkset.core.models.ModelFiles;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a change to the params path does to its output (a tool, not a test): "dump" runs the
 * segment path with the stage's defaults and the mesh on (as bin/bench-params does) over the
 * frames stage's crops of each video and writes every per-frame column and the segment
 * summaries to a file; "compare" reads two dumps (say before and after a change, each made
 * with its own build) and prints, per column, the largest absolute difference, and fails when
 * the frames or their keys differ. Usage: ParamsParity dump MODELS_DIR OUT VIDEO... |
 * ParamsParity compare A B
 */
public final class ParamsParity {
  public static void main(String[] args) throws Exception {
    if (args[0].equals("compare")) {
      compare(read(Path.of(args[1])), read(Path.of(args[2])));
      return;
    }
    Path models = Path.of(args[1]);
    List<ParamsBench.Clip> clips = new ArrayList<>();
    try (BlazeFace det = new BlazeFace(ModelFiles.verified(models, ModelFiles.BLAZEFACE_256),
        256, Device.cpu(), 0.5f, 0.3f)) {
      for (int v = 3; v < args.length; v++) {
        clips.add(ParamsBench.crops(Path.of(args[v]), det));
      }
    }
    LandmarkSmoother smoother = LandmarkSmoother.oneEuro(25.0, 1.0, 0.05, 1.0);
    try (FaceLandmarker lm = new FaceLandmarker(models, Device.cpu(),
            FaceLandmarker.Params.defaults());
        FaceExpressions ex = new FaceExpressions(models, Device.cpu());
        FaceDescriptors id = new FaceDescriptors(models, Device.cpu());
        FaceMesh mesh = new FaceMesh(models, Device.cpu(), FaceMesh.Params.defaults());
        DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(
            Files.newOutputStream(Path.of(args[2]))))) {
      SegmentParams.Models m = new SegmentParams.Models(lm, mesh, ex, id, null, smoother, 25,
          ParamsBench.BATCH);
      for (ParamsBench.Clip c : clips) {
        SegmentParams seg = null;
        int current = -1;
        for (int i = 0; i < c.frames().size(); i++) {
          if (c.segments().get(i) != current) {
            if (seg != null) {
              write(out, c.name(), current, seg.finish());
            }
            current = c.segments().get(i);
            seg = new SegmentParams(m, c.width(), c.height());
          }
          seg.add(c.frames().get(i));
        }
        write(out, c.name(), current, seg.finish());
      }
      out.writeUTF("end");
    }
  }

  /** Per key (video/segment/frame, or video/segment for summaries), columns by name. */
  static void write(DataOutputStream out, String video, int segment, SegmentParams.Result r)
      throws Exception {
    for (SegmentParams.FrameOut f : r.frames()) {
      out.writeUTF(video + "/" + segment + "/" + f.frameIndex());
      Map<String, float[]> cols = new LinkedHashMap<>();
      cols.put("landmarks", f.landmarks());
      cols.put("landmarks_raw", f.landmarksRaw());
      cols.put("landmarks_crop", f.landmarksCrop());
      HeadPose.Pose p = f.pose();
      cols.put("pose_deg", p == null ? null : new float[] {(float) p.yawDeg(),
          (float) p.pitchDeg(), (float) p.rollDeg()});
      cols.put("pose_t", p == null ? null : new float[] {(float) p.tx(), (float) p.ty(),
          (float) p.tz()});
      cols.put("pose_err_px", p == null ? null : new float[] {(float) p.reprojectionErrorPx()});
      cols.put("expression", f.expression());
      cols.put("mesh", f.mesh());
      cols.put("mesh_confidence", new float[] {f.meshConfidence()});
      writeCols(out, cols);
    }
    SegmentParams.Summary s = r.summary();
    out.writeUTF(video + "/" + segment);
    Map<String, float[]> cols = new LinkedHashMap<>();
    cols.put("seg_frames", new float[] {s.frames(), s.descriptorSamples()});
    cols.put("seg_descriptor", s.descriptor());
    cols.put("seg_identity_spread", s.identitySpread() == null ? null
        : new float[] {s.identitySpread().floatValue()});
    cols.put("seg_expression_mean", s.expressionMean());
    cols.put("seg_pseudo", new float[] {s.pseudoEmotion(), (float) s.pseudoConfidence()});
    cols.put("seg_jitter", new float[] {(float) s.jitterRaw(), (float) s.jitterSmoothed(),
        (float) s.meanAbsYawDeg()});
    writeCols(out, cols);
  }

  static void writeCols(DataOutputStream out, Map<String, float[]> cols) throws Exception {
    out.writeInt(cols.size());
    for (Map.Entry<String, float[]> e : cols.entrySet()) {
      out.writeUTF(e.getKey());
      float[] v = e.getValue();
      out.writeInt(v == null ? -1 : v.length);
      if (v != null) {
        for (float x : v) {
          out.writeFloat(x);
        }
      }
    }
  }

  static Map<String, Map<String, float[]>> read(Path p) throws Exception {
    Map<String, Map<String, float[]>> rows = new LinkedHashMap<>();
    try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(
        Files.newInputStream(p)))) {
      for (String key = in.readUTF(); !key.equals("end"); key = in.readUTF()) {
        Map<String, float[]> cols = new LinkedHashMap<>();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
          String name = in.readUTF();
          int len = in.readInt();
          float[] v = len < 0 ? null : new float[len];
          for (int k = 0; k < len; k++) {
            v[k] = in.readFloat();
          }
          cols.put(name, v);
        }
        rows.put(key, cols);
      }
    }
    return rows;
  }

  static void compare(Map<String, Map<String, float[]>> a, Map<String, Map<String, float[]>> b) {
    if (!a.keySet().equals(b.keySet())) {
      throw new IllegalStateException("the rows differ: " + a.size() + " keys and " + b.size());
    }
    Map<String, double[]> worst = new LinkedHashMap<>();
    for (String key : a.keySet()) {
      for (Map.Entry<String, float[]> e : a.get(key).entrySet()) {
        float[] x = e.getValue();
        float[] y = b.get(key).get(e.getKey());
        if ((x == null) != (y == null) || (x != null && x.length != y.length)) {
          throw new IllegalStateException(key + " " + e.getKey() + ": null or length differs");
        }
        double[] w = worst.computeIfAbsent(e.getKey(), k -> new double[5]);
        w[2]++;
        if (x == null) {
          continue;
        }
        for (int k = 0; k < x.length; k++) {
          if (Float.isNaN(x[k]) != Float.isNaN(y[k])) {
            throw new IllegalStateException(key + " " + e.getKey() + ": NaN in one only");
          }
          if (!Float.isNaN(x[k])) {
            w[0] = Math.max(w[0], Math.abs(x[k] - y[k]));
            w[3] += Math.abs(x[k] - y[k]) > 1e-3 ? 1 : 0;
            w[4]++;
            w[1] = Math.max(w[1], Math.abs(x[k]));
          }
        }
      }
    }
    System.out.printf(Locale.ROOT, "%d rows (frames and segment summaries), keys identical%n",
        a.size());
    System.out.printf(Locale.ROOT, "%-22s %8s %12s %12s %14s%n", "column", "rows", "max |diff|",
        "max |value|", "diff > 1e-3");
    for (Map.Entry<String, double[]> e : worst.entrySet()) {
      double[] w = e.getValue();
      System.out.printf(Locale.ROOT, "%-22s %8.0f %12.3g %12.4g %13.2f%%%n", e.getKey(), w[2],
          w[0], w[1], w[4] == 0 ? 0 : 100 * w[3] / w[4]);
    }
  }
}
