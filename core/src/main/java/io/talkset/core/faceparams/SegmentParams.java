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
 * face-api network), expression probabilities, identity descriptors on sampled frames and the
 * optional 3DMM coefficients run batched as frames arrive; at the end of the segment the
 * landmarks are smoothed over time and head pose is solved from the smoothed points. Only the
 * small per-frame numbers are kept between frames, never the pictures.
 */
public final class SegmentParams {
  /** One crop as the frames table stores it. */
  public record FrameIn(int frameIndex, byte[] jpeg, double windowX, double windowY,
      double windowSide, int size, float[] faceBox) {}

  /** One frame's parameters (source pixels unless named otherwise). */
  public record FrameOut(int frameIndex, float[] landmarks, float[] landmarksRaw,
      float[] landmarksCrop, HeadPose.Pose pose, float[] expression, float[] coefficients) {}

  /** The segment's summary. */
  public record Summary(int frames, float[] descriptor, int descriptorSamples,
      Double identitySpread, float[] expressionMean, int pseudoEmotion, double pseudoConfidence,
      double jitterRaw, double jitterSmoothed, double meanAbsYawDeg) {}

  /** The networks and settings, shared by all segments of a task. */
  public record Models(FaceLandmarker landmarker, FaceExpressions expressions,
      FaceDescriptors descriptors, ThreeDmm threeDmm, LandmarkSmoother smoother,
      int identityEvery, int batch) {}

  private final Models m;
  private final int sourceWidth;
  private final int sourceHeight;
  private final List<FrameIn> pending = new ArrayList<>();
  private final List<float[]> raw = new ArrayList<>();
  private final List<float[]> expressions = new ArrayList<>();
  private final List<float[]> coefficients = new ArrayList<>();
  private final List<FrameIn> frames = new ArrayList<>();
  private final List<float[]> descriptors = new ArrayList<>();

  public SegmentParams(Models models, int sourceWidth, int sourceHeight) {
    this.m = models;
    this.sourceWidth = sourceWidth;
    this.sourceHeight = sourceHeight;
  }

  /** Adds the next frame of the segment (in frame order). */
  public void add(FrameIn f) throws TranslateException {
    // Keep what the end of the segment needs, not the JPEG.
    frames.add(new FrameIn(f.frameIndex(), null, f.windowX(), f.windowY(), f.windowSide(),
        f.size(), f.faceBox()));
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
      if (m.expressions() != null) {
        expressions.addAll(List.of(m.expressions().probabilities(crops, inCrop)));
      }
      List<Mat> sampled = new ArrayList<>();
      List<float[]> sampledPoints = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        raw.add(toSource(inCrop[i], pending.get(i)));
        if (m.descriptors() != null && (raw.size() - 1) % m.identityEvery() == 0) {
          sampled.add(crops.get(i));
          sampledPoints.add(inCrop[i]);
        }
      }
      if (!sampled.isEmpty()) {
        descriptors.addAll(List.of(m.descriptors().describe(sampled,
            sampledPoints.toArray(new float[0][]))));
      }
      if (m.threeDmm() != null) {
        coefficients.addAll(m.threeDmm().coefficients(crops, List.of(inCrop)));
      }
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

  private static float[] toCrop(float[] src, FrameIn f) {
    double s = f.size() / f.windowSide();
    float[] out = new float[src.length];
    for (int k = 0; k < src.length; k += 2) {
      out[k] = (float) ((src[k] - f.windowX()) * s);
      out[k + 1] = (float) ((src[k + 1] - f.windowY()) * s);
    }
    return out;
  }

  /** Ends the segment: smoothing, pose, summary. */
  public Result finish() throws TranslateException {
    flush();
    int n = raw.size();
    float[][] rawArr = raw.toArray(new float[0][]);
    float[][] smooth = m.smoother() == null ? rawArr : m.smoother().smooth(rawArr);
    List<FrameOut> out = new ArrayList<>(n);
    double absYaw = 0;
    int poses = 0;
    for (int i = 0; i < n; i++) {
      FrameIn f = frames.get(i);
      HeadPose.Pose pose = HeadPose.estimate(smooth[i], sourceWidth, sourceHeight);
      if (pose != null) {
        absYaw += Math.abs(pose.yawDeg());
        poses++;
      }
      out.add(new FrameOut(f.frameIndex(), smooth[i], rawArr[i], toCrop(smooth[i], f), pose,
          expressions.isEmpty() ? null : expressions.get(i),
          coefficients.isEmpty() ? null : coefficients.get(i)));
    }
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
    Summary s = new Summary(n, descriptor, descriptors.size(), spread, exprMean, pseudo,
        confidence, LandmarkSmoother.jitter(rawArr), LandmarkSmoother.jitter(smooth),
        poses == 0 ? Double.NaN : absYaw / poses);
    return new Result(out, s);
  }

  /** The segment's frames and summary. */
  public record Result(List<FrameOut> frames, Summary summary) {}
}
