package io.talkset.bench;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import ai.djl.Device;
import io.talkset.core.faceparams.FaceDescriptors;
import io.talkset.core.faceparams.FaceExpressions;
import io.talkset.core.faceparams.FaceInput;
import io.talkset.core.faceparams.FaceLandmarker;
import io.talkset.core.faceparams.FaceMesh;
import io.talkset.core.faceparams.HeadPose;
import io.talkset.core.faceparams.LandmarkSmoother;
import io.talkset.core.faceparams.SegmentParams;
import io.talkset.core.faces.BlazeFace;
import io.talkset.core.faces.Detection;
import io.talkset.core.faces.FacePipeline;
import io.talkset.core.media.FileSource;
import io.talkset.core.models.FaceApiModels;
import io.talkset.core.models.ModelFiles;
import io.talkset.core.models.OnnxNet;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Face-parameters throughput on one core (a benchmark, not a test; bin/bench-params pins it).
 * For each video, the first {@value #MAX_FRAMES} 512 × 512 crops of the frames stage
 * ({@link FacePipeline} with its defaults, untimed) are kept in memory with their face boxes;
 * then, timed in frames per second: JPEG decode alone; landmarks (both passes, batch
 * {@value #BATCH}) and head pose; the same with expression; the whole {@link SegmentParams}
 * path as the params job runs it (expression, identity every 25th frame, One-Euro smoothing,
 * pose), with the face mesh off and on ({@link FaceMesh}, the stage's default). All but the first include the JPEG decode. The network alone is timed on the
 * first-pass input tensors, by our {@link OnnxNet} and by the peers (PYTHON running
 * params_bench.py, inheriting the core): Python onnxruntime and OpenCV's dnn on the same graph
 * and tensors, and a Python landmarks + pose path (decode, warp, both passes, solvePnP). Each
 * figure is the best of three runs (ours: whole passes over the clip, {@value #MIN_FRAMES}
 * frames at least), timed in process CPU seconds on both sides: frames per second per core
 * whatever else shares the core (wall-clock figures halved when another job ran on it); the
 * share of the core the runs got is printed. Ratios are our frames per second over the peer's.
 * Usage: ParamsBench MODELS_DIR WORK_DIR PYTHON PEER_SCRIPT VIDEO...
 */
public final class ParamsBench {
  static final int MAX_FRAMES = 300;
  static final int BATCH = 16;
  /** Frames per timed run, at least. */
  static final int MIN_FRAMES = 600;
  static final int SIDE = FaceApiModels.FEATURE_SIDE;
  /** Landmarks + pose, frames per second on one core, from the issue. */
  static final double TARGET = 150;
  /** The whole segment path with the mesh on, frames per second on one core (issue 16). */
  static final double MESH_TARGET = 120;

  /** Crops of one video, with its upright size. */
  record Clip(String name, int width, int height, List<Integer> segments,
      List<SegmentParams.FrameIn> frames) {}

  public static void main(String[] args) throws Exception {
    Path models = Path.of(args[0]);
    Path work = Path.of(args[1]);
    String python = args[2];
    Path script = Path.of(args[3]);
    byte[] graph = FaceApiModels.landmarkGraph(models);
    Path onnx = work.resolve("face_landmark_68.onnx");
    Files.write(onnx, graph);
    List<Clip> clips = new ArrayList<>();
    try (BlazeFace det = new BlazeFace(ModelFiles.verified(models, ModelFiles.BLAZEFACE_256),
        256, Device.cpu(), 0.5f, 0.3f)) {
      for (int v = 4; v < args.length; v++) {
        clips.add(crops(Path.of(args[v]), det));
      }
    }
    LandmarkSmoother smoother = LandmarkSmoother.oneEuro(25.0, 1.0, 0.05, 1.0);
    List<String> ours = new ArrayList<>();
    List<String> peers = new ArrayList<>();
    double worst = Double.MAX_VALUE;
    String worstName = "";
    double worstMesh = Double.MAX_VALUE;
    String worstMeshName = "";
    String versions = "";
    double peerCpu = 0;
    double peerWall = 0;
    try (FaceLandmarker lm = new FaceLandmarker(models, Device.cpu(),
            FaceLandmarker.Params.defaults());
        FaceExpressions ex = new FaceExpressions(models, Device.cpu());
        FaceDescriptors id = new FaceDescriptors(models, Device.cpu());
        FaceMesh mesh = new FaceMesh(models, Device.cpu(), FaceMesh.Params.defaults());
        OnnxNet net = new OnnxNet("face_landmark_68", graph, Device.cpu())) {
      SegmentParams.Models seg = new SegmentParams.Models(lm, null, ex, id, null, smoother, 25,
          BATCH);
      SegmentParams.Models withMesh = new SegmentParams.Models(lm, mesh, ex, id, null, smoother,
          25, BATCH);
      // Warm-up: the JIT and ONNX Runtime's first-run allocations.
      Clip first = clips.get(0);
      landmarksPose(first, lm, ex);
      segments(first, seg);
      segments(first, withMesh);
      network(net, inputs(first), first.frames().size());
      for (Clip c : clips) {
        int n = c.frames().size();
        float[] in = inputs(c);
        Path dir = writePeerInput(c, in, work.resolve(c.name()));
        // Whole passes over the clip until at least MIN_FRAMES: the JVM reads process CPU time
        // in 10 ms ticks.
        int reps = (MIN_FRAMES + n - 1) / n;
        double dec = best(reps, () -> decode(c));
        float[][][] pts = new float[1][][];
        double lp = best(reps, () -> pts[0] = landmarksPose(c, lm, null));
        double lpe = best(reps, () -> landmarksPose(c, lm, ex));
        double sp = best(reps, () -> segments(c, seg));
        double spm = best(reps, () -> segments(c, withMesh));
        float[][] netOut = new float[1][];
        double nt = best(reps, () -> netOut[0] = network(net, in, n));
        ours.add(String.format(Locale.ROOT, "%-22s %6d %9.0f %10.1f %9.1f %10.1f %10.1f %10.1f",
            c.name(), n, n / dec, n / lp, n / lpe, n / sp, n / spm, n / nt));
        if (n / spm < worstMesh) {
          worstMesh = n / spm;
          worstMeshName = c.name();
        }
        if (n / lp < worst) {
          worst = n / lp;
          worstName = c.name();
        }
        Map<String, String> p = peer(python, script, onnx, dir);
        double ort = Double.parseDouble(p.get("ort_net_s"));
        double dOrt = maxDiff(netOut[0], read(dir.resolve("ort_out.f32")));
        String cv2 = "n/a";
        String cv2Ratio = "";
        String dCv2 = "";
        if (p.containsKey("cv2_net_s")) {
          double t = Double.parseDouble(p.get("cv2_net_s"));
          cv2 = String.format(Locale.ROOT, "%.1f", n / t);
          cv2Ratio = String.format(Locale.ROOT, "%.2fx", t / nt);
          dCv2 = String.format(Locale.ROOT, "%.0e", maxDiff(netOut[0],
              read(dir.resolve("cv2_out.f32"))));
        } else {
          System.err.println(c.name() + ": cv2.dnn could not run the graph: "
              + p.get("cv2_net_error"));
        }
        double py = Double.parseDouble(p.get("py_lm_pose_s"));
        peerCpu += Double.parseDouble(p.get("cpu_total_s"));
        peerWall += Double.parseDouble(p.get("wall_total_s"));
        double dPts = meanPointDistance(pts[0], read(dir.resolve("py_points.f32")));
        peers.add(String.format(Locale.ROOT,
            "%-22s %9.1f %9.1f %7.2fx %7.0e %9s %7s %7s %9.1f %7.2fx %7.3f", c.name(), n / nt,
            n / ort, ort / nt, dOrt, cv2, cv2Ratio, dCv2, n / py, py / lp, dPts));
        versions = String.format(Locale.ROOT, "python onnxruntime %s, opencv %s",
            p.get("ort_version"), p.get("cv2_version"));
      }
    }
    System.out.printf(Locale.ROOT, "ours, frames/s per core (CPU time; all but decode include"
        + " it; net: first-pass tensors, batch %d)%n", BATCH);
    System.out.printf(Locale.ROOT, "%-22s %6s %9s %10s %9s %10s %10s %10s%n", "video", "frames",
        "decode/s", "lm+pose/s", "+expr/s", "segment/s", "+mesh/s", "net/s");
    ours.forEach(System.out::println);
    System.out.println();
    System.out.println("peers on the same crops and graph (" + versions + "); x = our frames/s"
        + " over the peer's; d = max |output difference|, px = mean point distance in crop"
        + " pixels");
    System.out.printf(Locale.ROOT, "%-22s %9s %9s %8s %7s %9s %7s %7s %9s %8s %7s%n", "video",
        "net ours", "net ort", "x", "d ort", "net cv2", "x", "d cv2", "py lm+ps", "x", "px");
    peers.forEach(System.out::println);
    System.out.println();
    System.out.printf(Locale.ROOT, "our timed runs got %.0f%% of the core (CPU over wall"
        + " time); the peers' %.0f%%%n", 100 * cpuTotal / wallTotal, 100 * peerCpu / peerWall);
    System.out.printf(Locale.ROOT, "target: landmarks + pose >= %.0f frames/s per core: slowest"
        + " %.1f (%s): %s%n", TARGET, worst, worstName, worst >= TARGET ? "met" : "NOT met");
    System.out.printf(Locale.ROOT, "target: params stage (segment path) with the mesh on >= %.0f"
        + " frames/s per core: slowest %.1f (%s): %s%n", MESH_TARGET, worstMesh, worstMeshName,
        worstMesh >= MESH_TARGET ? "met" : "NOT met");
  }

  interface Run {
    void go() throws Exception;
  }

  static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();
  /** CPU and wall seconds of all timed runs, for the share of the core they got. */
  static double cpuTotal;
  static double wallTotal;

  /**
   * Process CPU seconds (GC and JIT threads included) of one pass, from the fastest of three
   * runs of {@code reps} passes.
   */
  static double best(int reps, Run r) throws Exception {
    double b = Double.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long w = System.nanoTime();
      long t = OS.getProcessCpuTime();
      for (int k = 0; k < reps; k++) {
        r.go();
      }
      double cpu = (OS.getProcessCpuTime() - t) / 1e9;
      b = Math.min(b, cpu);
      cpuTotal += cpu;
      wallTotal += (System.nanoTime() - w) / 1e9;
    }
    return b / reps;
  }

  /** The frames stage's crops (detection every 5th frame), at most {@value #MAX_FRAMES}. */
  static Clip crops(Path video, BlazeFace det) throws Exception {
    FacePipeline.Params p = FacePipeline.Params.defaults();
    List<Integer> segments = new ArrayList<>();
    List<SegmentParams.FrameIn> frames = new ArrayList<>();
    try (FileSource s = new FileSource(video)) {
      FacePipeline.Analysis a = FacePipeline.analyze(() -> FacesBench.open(s, video), det, p);
      try (FacePipeline.CloseableIterator<FacePipeline.CropFrame> it =
          FacePipeline.crops(() -> FacesBench.open(s, video), a, p)) {
        while (it.hasNext() && frames.size() < MAX_FRAMES) {
          FacePipeline.CropFrame c = it.next();
          Detection f = c.face();
          segments.add(c.segment());
          frames.add(new SegmentParams.FrameIn(c.frameIndex(), c.jpeg(), c.window().x0(),
              c.window().y0(), c.window().side(), p.size(),
              new float[] {f.x0(), f.y0(), f.x1(), f.y1()}));
        }
      }
      if (frames.isEmpty()) {
        throw new IllegalStateException("no face crops in " + video);
      }
      return new Clip(video.getFileName().toString(), a.width(), a.height(), segments, frames);
    }
  }

  static Mat decode(byte[] jpeg) {
    try (BytePointer p = new BytePointer(jpeg);
        Mat buf = new Mat(1, jpeg.length, opencv_core.CV_8U, p)) {
      return imdecode(buf, IMREAD_COLOR);
    }
  }

  static void decode(Clip c) {
    for (SegmentParams.FrameIn f : c.frames()) {
      decode(f.jpeg()).close();
    }
  }

  /** The face box in crop pixels, as SegmentParams hands it to the landmarker. */
  static float[] cropBox(SegmentParams.FrameIn f) {
    double s = f.size() / f.windowSide();
    float[] b = f.faceBox();
    return new float[] {(float) ((b[0] - f.windowX()) * s), (float) ((b[1] - f.windowY()) * s),
        (float) ((b[2] - f.windowX()) * s), (float) ((b[3] - f.windowY()) * s)};
  }

  /** Landmarks in crop pixels per frame; pose (and expression when given) computed alongside. */
  static float[][] landmarksPose(Clip c, FaceLandmarker lm, FaceExpressions ex)
      throws Exception {
    List<SegmentParams.FrameIn> fs = c.frames();
    float[][] all = new float[fs.size()][];
    for (int i = 0; i < fs.size(); i += BATCH) {
      int n = Math.min(BATCH, fs.size() - i);
      List<Mat> crops = new ArrayList<>(n);
      float[][] boxes = new float[n][];
      try {
        for (int k = 0; k < n; k++) {
          crops.add(decode(fs.get(i + k).jpeg()));
          boxes[k] = cropBox(fs.get(i + k));
        }
        float[][] pts = lm.landmarks(crops, boxes);
        if (ex != null) {
          ex.probabilities(crops, pts);
        }
        for (int k = 0; k < n; k++) {
          SegmentParams.FrameIn f = fs.get(i + k);
          double s = f.windowSide() / f.size();
          float[] src = new float[136];
          for (int j = 0; j < 136; j += 2) {
            src[j] = (float) (f.windowX() + pts[k][j] * s);
            src[j + 1] = (float) (f.windowY() + pts[k][j + 1] * s);
          }
          HeadPose.estimate(src, c.width(), c.height());
          all[i + k] = pts[k];
        }
      } finally {
        crops.forEach(Mat::close);
      }
    }
    return all;
  }

  static void segments(Clip c, SegmentParams.Models m) throws Exception {
    SegmentParams seg = null;
    int current = -1;
    for (int i = 0; i < c.frames().size(); i++) {
      if (c.segments().get(i) != current) {
        if (seg != null) {
          seg.finish();
        }
        current = c.segments().get(i);
        seg = new SegmentParams(m, c.width(), c.height());
      }
      seg.add(c.frames().get(i));
    }
    seg.finish();
  }

  /** The landmarker's first-pass input tensors, N × 3 × 112 × 112. */
  static float[] inputs(Clip c) {
    FaceLandmarker.Params p = FaceLandmarker.Params.defaults();
    int n = c.frames().size();
    float[] in = new float[n * 3 * SIDE * SIDE];
    for (int i = 0; i < n; i++) {
      float[] b = cropBox(c.frames().get(i));
      try (Mat img = decode(c.frames().get(i).jpeg())) {
        FaceInput.put(img, (b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0 + p.shiftY() * (b[3] - b[1]),
            p.boxScale() * Math.max(b[2] - b[0], b[3] - b[1]), SIDE, in, i);
      }
    }
    return in;
  }

  static float[] network(OnnxNet net, float[] in, int n) throws Exception {
    int item = 3 * SIDE * SIDE;
    float[] out = new float[n * 136];
    for (int i = 0; i < n; i += BATCH) {
      int b = Math.min(BATCH, n - i);
      float[] x = java.util.Arrays.copyOfRange(in, i * item, (i + b) * item);
      float[][] y = net.run(x, b, 3, SIDE, SIDE);
      for (int k = 0; k < b; k++) {
        System.arraycopy(y[k], 0, out, (i + k) * 136, 136);
      }
    }
    return out;
  }

  /** The crops as JPEG files, the tensors and frames.txt (see params_bench.py). */
  static Path writePeerInput(Clip c, float[] in, Path dir) throws Exception {
    Files.createDirectories(dir);
    write(in, dir.resolve("input.f32"));
    StringBuilder sb = new StringBuilder();
    sb.append(c.width()).append(' ').append(c.height()).append(' ').append(c.frames().size())
        .append('\n');
    for (float m : FaceApiModels.MEAN_RGB) {
      sb.append(m).append(' ');
    }
    sb.append('\n');
    for (int k : HeadPose.templateIndices()) {
      sb.append(k).append(' ');
    }
    sb.append('\n');
    for (double v : HeadPose.template3d()) {
      sb.append(v).append(' ');
    }
    sb.append('\n');
    for (SegmentParams.FrameIn f : c.frames()) {
      String name = String.format(Locale.ROOT, "%06d.jpg", f.frameIndex());
      Files.write(dir.resolve(name), f.jpeg());
      float[] b = cropBox(f);
      sb.append(String.format(Locale.ROOT, "%s %s %s %s %s %s %s %s %d%n", name, b[0], b[1],
          b[2], b[3], f.windowX(), f.windowY(), f.windowSide(), f.size()));
    }
    Files.writeString(dir.resolve("frames.txt"), sb.toString());
    return dir;
  }

  static Map<String, String> peer(String python, Path script, Path onnx, Path dir)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder(python, script.toString(), onnx.toString(),
        dir.toString(), Integer.toString(BATCH)).redirectError(ProcessBuilder.Redirect.INHERIT);
    // One thread in every library the peer loads, as our sessions have.
    for (String v : new String[] {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"}) {
      pb.environment().put(v, "1");
    }
    Process proc = pb.start();
    Map<String, String> out = new HashMap<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        String[] kv = line.trim().split("\\s+", 2);
        if (kv.length == 2) {
          out.put(kv[0], kv[1]);
        }
      }
    }
    if (proc.waitFor() != 0) {
      throw new IllegalStateException(script + " failed on " + dir);
    }
    return out;
  }

  static void write(float[] y, Path out) throws Exception {
    ByteBuffer bb = ByteBuffer.allocate(y.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bb.asFloatBuffer().put(y);
    Files.write(out, bb.array());
  }

  static float[] read(Path in) throws Exception {
    ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(in)).order(ByteOrder.LITTLE_ENDIAN);
    float[] y = new float[bb.remaining() / 4];
    bb.asFloatBuffer().get(y);
    return y;
  }

  static double maxDiff(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }

  static double meanPointDistance(float[][] ours, float[] theirs) {
    double s = 0;
    int k = 0;
    for (float[] p : ours) {
      for (int j = 0; j < 136; j += 2, k += 2) {
        s += Math.hypot(p[j] - theirs[k], p[j + 1] - theirs[k + 1]);
      }
    }
    return s / (k / 2);
  }
}
