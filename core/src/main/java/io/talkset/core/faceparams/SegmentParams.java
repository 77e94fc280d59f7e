package io.talkset.core.faceparams;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import ai.djl.translate.TranslateException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Face parameters for one face segment, frame by frame from its crops: landmarks (two-pass
 * face-api network), the face mesh (optional, its window placed from the landmarks),
 * expression probabilities, identity descriptors on sampled frames and the optional 3DMM
 * coefficients run batched as frames arrive; the landmarks are smoothed over time
 * as they come ({@link LandmarkSmoother#stream}) and head pose is solved from the smoothed
 * points. A frame's parameters are handed out ({@link #drain}) as soon as its smoothing is final,
 * half a smoothing window and at most one batch after it arrived, so what is held does not grow
 * with the segment's length but for the segment's summary: 7 expression probabilities a frame and
 * one identity descriptor per sampled frame (about 30 bytes a frame). Never the pictures.
 */
public final class SegmentParams {
  /** One crop as the frames table stores it. */
  public record FrameIn(int frameIndex, byte[] jpeg, double windowX, double windowY,
      double windowSide, int size, float[] faceBox) {}

  /**
   * One frame's parameters (source pixels unless named otherwise); {@code mesh} is 468 × (x, y,
   * z), not smoothed, and null with {@code meshConfidence} NaN when the mesh is off.
   */
  public record FrameOut(int frameIndex, float[] landmarks, float[] landmarksRaw,
      float[] landmarksCrop, HeadPose.Pose pose, float[] expression, float[] coefficients,
      float[] mesh, float meshConfidence) {}

  /** The segment's summary. */
  public record Summary(int frames, float[] descriptor, int descriptorSamples,
      Double identitySpread, float[] expressionMean, int pseudoEmotion, double pseudoConfidence,
      double jitterRaw, double jitterSmoothed, double meanAbsYawDeg) {}

  /** The networks (null when off, but the landmarker) and settings, shared by a task. */
  public record Models(FaceLandmarker landmarker, FaceMesh mesh, FaceExpressions expressions,
      FaceDescriptors descriptors, ThreeDmm threeDmm, LandmarkSmoother smoother,
      int identityEvery, int batch) {}

  private final Models m;
  private final int sourceWidth;
  private final int sourceHeight;
  private final List<FrameIn> pending = new ArrayList<>();
  /** Frames whose landmarks are in, waiting for their smoothed landmarks. */
  private final java.util.ArrayDeque<Waiting> waiting = new java.util.ArrayDeque<>();
  private final LandmarkSmoother.Stream smoothing;
  private final List<FrameOut> ready = new ArrayList<>();
  private final List<float[]> expressions = new ArrayList<>();
  private final List<float[]> descriptors = new ArrayList<>();
  private long landmarked;
  private float[] lastRaw;
  private float[] lastSmooth;
  private long smoothed;
  private double jitterRaw;
  private double jitterSmooth;
  private double absYaw;
  private int poses;

  /** A frame's numbers between its batch and its smoothing. */
  private record Waiting(FrameIn frame, float[] raw, float[] expression, float[] coefficients,
      FaceMesh.Result mesh) {}

  public SegmentParams(Models models, int sourceWidth, int sourceHeight) {
    this.m = models;
    this.sourceWidth = sourceWidth;
    this.sourceHeight = sourceHeight;
    this.smoothing = (models.smoother() == null ? LandmarkSmoother.none() : models.smoother())
        .stream();
  }

  /** Adds the next frame of the segment (in frame order). */
  public void add(FrameIn f) throws TranslateException {
    pending.add(f);
    if (pending.size() >= m.batch()) {
      flush();
    }
  }

  private void flush() throws TranslateException {
    if (pending.isEmpty()) {
      return;
    }
    int n = pending.size();
    List<Mat> crops = new ArrayList<>(n);
    try {
      float[][] boxes = new float[n][];
      for (int i = 0; i < n; i++) {
        FrameIn f = pending.get(i);
        Mat crop = decode(f.jpeg());
        crops.add(crop);
        double s = f.size() / f.windowSide();
        float[] b = f.faceBox();
        boxes[i] = new float[] {(float) ((b[0] - f.windowX()) * s),
            (float) ((b[1] - f.windowY()) * s), (float) ((b[2] - f.windowX()) * s),
            (float) ((b[3] - f.windowY()) * s)};
      }
      float[][] inCrop = m.landmarker().landmarks(crops, boxes);
      float[][] expr = m.expressions() == null ? null
          : m.expressions().probabilities(crops, inCrop);
      List<Mat> sampled = new ArrayList<>();
      List<float[]> sampledPoints = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (m.descriptors() != null && (landmarked + i) % m.identityEvery() == 0) {
          sampled.add(crops.get(i));
          sampledPoints.add(inCrop[i]);
        }
      }
      if (!sampled.isEmpty()) {
        descriptors.addAll(List.of(m.descriptors().describe(sampled,
            sampledPoints.toArray(new float[0][]))));
      }
      // The mesh's window comes from this frame's raw points: smoothed ones lag behind a moving
      // head, and the mesh needs the face where it is in this picture.
      FaceMesh.Result[] meshes = m.mesh() == null ? null : m.mesh().mesh(crops, inCrop);
      List<float[]> coeffs = m.threeDmm() == null ? null
          : m.threeDmm().coefficients(crops, List.of(inCrop));
      for (int i = 0; i < n; i++) {
        FrameIn f = pending.get(i);
        float[] raw = toSource(inCrop[i], f);
        if (lastRaw != null) {
          jitterRaw += LandmarkSmoother.jitterStep(lastRaw, raw, landmarked);
        }
        lastRaw = raw;
        landmarked++;
        if (expr != null) {
          expressions.add(expr[i]);
        }
        // Keep what the frame's output needs, not the JPEG.
        waiting.add(new Waiting(new FrameIn(f.frameIndex(), null, f.windowX(), f.windowY(),
            f.windowSide(), f.size(), f.faceBox()), raw, expr == null ? null : expr[i],
            coeffs == null ? null : coeffs.get(i), meshes == null ? null : meshes[i]));
        smoothing.add(raw);
      }
      takeSmoothed();
    } finally {
      for (Mat c : crops) {
        c.close();
      }
      pending.clear();
    }
  }

  static Mat decode(byte[] jpeg) {
    try (BytePointer p = new BytePointer(jpeg); Mat buf = new Mat(1, jpeg.length,
        org.bytedeco.opencv.global.opencv_core.CV_8U, p)) {
      Mat img = imdecode(buf, IMREAD_COLOR);
      if (img == null || img.empty()) {
        throw new IllegalArgumentException("the crop is not a readable JPEG");
      }
      return img;
    }
  }

  private static float[] toSource(float[] crop, FrameIn f) {
    double s = f.windowSide() / f.size();
    float[] out = new float[crop.length];
    for (int k = 0; k < crop.length; k += 2) {
      out[k] = (float) (f.windowX() + crop[k] * s);
      out[k + 1] = (float) (f.windowY() + crop[k + 1] * s);
    }
    return out;
  }

  /** A mesh from crop to source pixels: x, y as the landmarks, z by the same scale. */
  static float[] meshToSource(float[] crop, FrameIn f) {
    double s = f.windowSide() / f.size();
    float[] out = new float[crop.length];
    for (int k = 0; k < crop.length; k += 3) {
      out[k] = (float) (f.windowX() + crop[k] * s);
      out[k + 1] = (float) (f.windowY() + crop[k + 1] * s);
      out[k + 2] = (float) (crop[k + 2] * s);
    }
    return out;
  }

  private static float[] toCrop(float[] src, FrameIn f) {
    double s = f.size() / f.windowSide();
    float[] out = new float[src.length];
    for (int k = 0; k < src.length; k += 2) {
      out[k] = (float) ((src[k] - f.windowX()) * s);
      out[k + 1] = (float) ((src[k + 1] - f.windowY()) * s);
    }
    return out;
  }

  /** Pairs every frame whose smoothing is final with its numbers, solves its pose. */
  private void takeSmoothed() {
    for (float[] smooth = smoothing.poll(); smooth != null; smooth = smoothing.poll()) {
      Waiting w = waiting.poll();
      FrameIn f = w.frame();
      if (lastSmooth != null) {
        jitterSmooth += LandmarkSmoother.jitterStep(lastSmooth, smooth, smoothed);
      }
      lastSmooth = smooth;
      smoothed++;
      HeadPose.Pose pose = HeadPose.estimate(smooth, sourceWidth, sourceHeight);
      if (pose != null) {
        absYaw += Math.abs(pose.yawDeg());
        poses++;
      }
      FaceMesh.Result mesh = w.mesh();
      ready.add(new FrameOut(f.frameIndex(), smooth, w.raw(), toCrop(smooth, f), pose,
          w.expression(), w.coefficients(), mesh == null ? null : meshToSource(mesh.mesh(), f),
          mesh == null ? Float.NaN : mesh.confidence()));
    }
  }

  /** The frames whose parameters are final, in order; each is handed out once. */
  public List<FrameOut> drain() {
    List<FrameOut> out = new ArrayList<>(ready);
    ready.clear();
    return out;
  }

  /** Ends the segment: the last batch, the last smoothed frames, the summary. */
  public Result finish() throws TranslateException {
    flush();
    smoothing.finish();
    takeSmoothed();
    long n = landmarked;
    float[] descriptor = descriptors.isEmpty() ? null : FaceDescriptors.mean(descriptors);
    Double spread = null;
    if (descriptor != null) {
      double s = 0;
      for (float[] d : descriptors) {
        s = Math.max(s, FaceDescriptors.distance(d, descriptor));
      }
      spread = s;
    }
    float[] exprMean = null;
    int pseudo = -1;
    double confidence = Double.NaN;
    if (!expressions.isEmpty()) {
      exprMean = new float[expressions.get(0).length];
      for (float[] e : expressions) {
        for (int k = 0; k < e.length; k++) {
          exprMean[k] += e[k] / expressions.size();
        }
      }
      pseudo = FaceExpressions.argmax(exprMean);
      confidence = exprMean[pseudo];
    }
    Summary s = new Summary((int) n, descriptor, descriptors.size(), spread, exprMean, pseudo,
        confidence, n < 2 ? Double.NaN : jitterRaw / (n - 1),
        n < 2 ? Double.NaN : jitterSmooth / (n - 1), poses == 0 ? Double.NaN : absYaw / poses);
    return new Result(drain(), s);
  }

  /**
   * The frames not handed out by {@link #drain} yet (all of them when it was never called) and
   * the summary.
   */
  public record Result(List<FrameOut> frames, Summary summary) {}
}
