package io.talkset.bench;

import ai.djl.Device;
import io.talkset.core.faceparams.FaceDescriptors;
import io.talkset.core.faceparams.FaceInput;
import io.talkset.core.faceparams.FaceLandmarker;
import io.talkset.core.faceparams.FaceMesh;
import io.talkset.core.faceparams.HeadPose;
import io.talkset.core.faceparams.SegmentParams;
import io.talkset.core.faces.BlazeFace;
import io.talkset.core.models.FaceApiModels;
import io.talkset.core.models.HumanModels;
import io.talkset.core.models.ModelFiles;
import io.talkset.core.models.OnnxNet;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Where a params frame's time goes (a benchmark, not a test): the steps of the segment path
 * taken apart with the same public pieces (decode, each network's window warp and tensor fill,
 * the network call, pose), timed in thread CPU time over the first crops of each video, per
 * frame. Usage: ParamsSplit MODELS_DIR BATCH VIDEO...
 */
public final class ParamsSplit {
  static final ThreadMXBean T = ManagementFactory.getThreadMXBean();
  static final Map<String, long[]> TIMES = new LinkedHashMap<>();

  interface Step<V> {
    V go() throws Exception;
  }

  static <V> V time(String name, Step<V> s) throws Exception {
    long t = T.getCurrentThreadCpuTime();
    V v = s.go();
    TIMES.computeIfAbsent(name, k -> new long[1])[0] += T.getCurrentThreadCpuTime() - t;
    return v;
  }

  public static void main(String[] args) throws Exception {
    Path models = Path.of(args[0]);
    int batch = Integer.parseInt(args[1]);
    List<ParamsBench.Clip> clips = new ArrayList<>();
    try (BlazeFace det = new BlazeFace(ModelFiles.verified(models, ModelFiles.BLAZEFACE_256),
        256, Device.cpu(), 0.5f, 0.3f)) {
      for (int v = 2; v < args.length; v++) {
        clips.add(ParamsBench.crops(Path.of(args[v]), det));
      }
    }
    try (OnnxNet lm = new OnnxNet("lm", FaceApiModels.landmarkGraph(models), Device.cpu());
        OnnxNet ex = new OnnxNet("ex", FaceApiModels.expressionGraph(models), Device.cpu());
        OnnxNet id = new OnnxNet("id", FaceApiModels.recognitionGraph(models), Device.cpu());
        OnnxNet me = new OnnxNet("me", HumanModels.onnx(models, HumanModels.FACEMESH),
            Device.cpu())) {
      for (int rep = 0; rep < 3; rep++) {
        TIMES.clear();
        long frames = 0;
        for (ParamsBench.Clip c : clips) {
          frames += run(c, batch, lm, ex, id, me);
        }
        if (rep == 0) {
          continue;
        }
        double total = 0;
        for (long[] v : TIMES.values()) {
          total += v[0];
        }
        System.out.printf(Locale.ROOT, "batch %d, %d frames, %.3f ms/frame in all (%.1f"
            + " frames/s of CPU)%n", batch, frames, total / 1e6 / frames, frames / (total / 1e9));
        for (Map.Entry<String, long[]> e : TIMES.entrySet()) {
          System.out.printf(Locale.ROOT, "  %-14s %7.3f ms/frame %5.1f%%%n", e.getKey(),
              e.getValue()[0] / 1e6 / frames, 100 * e.getValue()[0] / total);
        }
      }
    }
  }

  static int run(ParamsBench.Clip c, int batch, OnnxNet lm, OnnxNet ex, OnnxNet id, OnnxNet me)
      throws Exception {
    int side = FaceApiModels.FEATURE_SIDE;
    int rs = FaceApiModels.RECOGNITION_SIDE;
    int ms = HumanModels.FACEMESH_SIDE;
    List<SegmentParams.FrameIn> fs = c.frames();
    for (int i0 = 0; i0 < fs.size(); i0 += batch) {
      int n = Math.min(batch, fs.size() - i0);
      List<Mat> crops = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        byte[] j = fs.get(i0 + k).jpeg();
        crops.add(time("decode", () -> ParamsBench.decode(j)));
      }
      double[][] w = new double[n][];
      for (int k = 0; k < n; k++) {
        float[] b = ParamsBench.cropBox(fs.get(i0 + k));
        w[k] = new double[] {(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0 + 0.05 * (b[3] - b[1]),
            1.1 * Math.max(b[2] - b[0], b[3] - b[1])};
      }
      float[][] pts = null;
      for (String pass : new String[] {"lm1", "lm2"}) {
        if (pts != null) {
          for (int k = 0; k < n; k++) {
            w[k] = FaceLandmarker.window(pts[k], 1.2);
          }
        }
        float[] in = new float[n * 3 * side * side];
        time(pass + " prep", () -> {
          for (int k = 0; k < n; k++) {
            FaceInput.put(crops.get(k), w[k][0], w[k][1], w[k][2], side, in, k);
          }
          return null;
        });
        float[][] raw = time(pass + " net", () -> lm.run(in, n, 3, side, side));
        pts = new float[n][136];
        for (int k = 0; k < n; k++) {
          double x0 = w[k][0] - w[k][2] / 2;
          double y0 = w[k][1] - w[k][2] / 2;
          for (int q = 0; q < 136; q += 2) {
            pts[k][q] = (float) (x0 + raw[k][q] * w[k][2]);
            pts[k][q + 1] = (float) (y0 + raw[k][q + 1] * w[k][2]);
          }
        }
      }
      float[][] p = pts;
      float[] ein = new float[n * 3 * side * side];
      time("expr prep", () -> {
        for (int k = 0; k < n; k++) {
          double[] e = FaceLandmarker.window(p[k], 1.2);
          FaceInput.put(crops.get(k), e[0], e[1], e[2], side, ein, k);
        }
        return null;
      });
      time("expr net", () -> ex.run(ein, n, 3, side, side));
      List<Integer> sampled = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        if ((i0 + k) % 25 == 0) {
          sampled.add(k);
        }
      }
      if (!sampled.isEmpty()) {
        float[] din = new float[sampled.size() * 3 * rs * rs];
        time("desc prep", () -> {
          for (int q = 0; q < sampled.size(); q++) {
            float[] l = p[sampled.get(q)];
            double[] d = FaceLandmarker.window(java.util.Arrays.copyOfRange(l, 34, 136), 1.5);
            FaceInput.put(crops.get(sampled.get(q)), d[0], d[1], d[2],
                FaceDescriptors.eyeAngle(l), rs, 256f, din, q);
          }
          return null;
        });
        time("desc net", () -> id.run(din, sampled.size(), 3, rs, rs));
      }
      float[] min = new float[n * ms * ms * 3];
      double[][] mw = new double[n][];
      time("mesh prep", () -> {
        for (int k = 0; k < n; k++) {
          mw[k] = FaceMesh.window(p[k], FaceMesh.Params.defaults());
          FaceInput.putRgb01(crops.get(k), mw[k][0], mw[k][1], mw[k][2], mw[k][3], ms, min, k);
        }
        return null;
      });
      time("mesh net", () -> me.runAll(min, n, ms, ms, 3));
      time("pose", () -> {
        for (int k = 0; k < n; k++) {
          HeadPose.estimate(p[k], c.width(), c.height());
        }
        return null;
      });
      crops.forEach(Mat::close);
    }
    return fs.size();
  }
}
