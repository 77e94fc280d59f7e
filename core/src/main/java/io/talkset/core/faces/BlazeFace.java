package io.talkset.core.faces;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.copyMakeBorder;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import io.talkset.core.models.SessionSettings;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * MediaPipe's BlazeFace short-range (128 × 128, "front") or full-range (256 × 256, "back")
 * detector, run through DJL's ONNX Runtime engine on the given device. Input: RGB letterboxed to
 * the model's square and scaled to [−1, 1]. Output: 896 anchors (16 × 16 cells × 2 and 8 × 8
 * cells × 6) with a score logit and 16 regressors each (box centre, size, six keypoints relative
 * to the anchor, in input pixels), turned into source-pixel detections by weighted non-maximum
 * suppression (overlapping boxes averaged by score, as MediaPipe does).
 *
 * <p>One instance per executor thread; close it. The exported graphs have a fixed batch of one,
 * so a batch is run image by image on one session.
 */
public final class BlazeFace implements FaceDetector, AutoCloseable {
  private final Model model;
  private final SessionSettings settings;
  private final Predictor<NDList, NDList> predictor;
  private final NDManager manager;
  private final int size;
  private final float minScore;
  private final float iouThreshold;
  private final float[] anchorX = new float[896];
  private final float[] anchorY = new float[896];

  public BlazeFace(Path onnx, int size, Device device, float minScore, float iouThreshold)
      throws IOException, MalformedModelException {
    this.size = size;
    this.minScore = minScore;
    this.iouThreshold = iouThreshold;
    io.talkset.core.models.OnnxNet.djlDefaults();
    this.model = Model.newInstance("blazeface", device, "OnnxRuntime");
    this.settings = new SessionSettings();
    try {
      model.load(onnx, null, settings.djlOptions());
    } catch (IOException | MalformedModelException | RuntimeException e) {
      settings.close();
      model.close();
      throw e;
    }
    this.predictor = model.newPredictor(new NoopTranslator());
    this.manager = model.getNDManager().newSubManager();
    int i = 0;
    for (int[] grid : new int[][] {{16, 2}, {8, 6}}) {
      for (int y = 0; y < grid[0]; y++) {
        for (int x = 0; x < grid[0]; x++) {
          for (int a = 0; a < grid[1]; a++) {
            anchorX[i] = (x + 0.5f) / grid[0];
            anchorY[i] = (y + 0.5f) / grid[0];
            i++;
          }
        }
      }
    }
  }

  /** The model's input side in pixels. */
  public int inputSize() {
    return size;
  }

  /** Faces in each BGR image, best first. */
  public List<List<Detection>> detect(List<Mat> images) throws TranslateException {
    List<List<Detection>> out = new ArrayList<>(images.size());
    for (Mat m : images) {
      out.add(detect(m));
    }
    return out;
  }

  /** Faces in one BGR image, best first. */
  @Override
  public List<Detection> detect(Mat bgr) throws TranslateException {
    int w = bgr.cols();
    int h = bgr.rows();
    float scale = size / (float) Math.max(w, h);
    int nw = Math.max(1, Math.round(w * scale));
    int nh = Math.max(1, Math.round(h * scale));
    int padX = (size - nw) / 2;
    int padY = (size - nh) / 2;
    float[] input = new float[size * size * 3];
    try (Mat rgb = new Mat(); Mat small = new Mat(); Mat boxed = new Mat(); Mat f = new Mat()) {
      cvtColor(bgr, rgb, COLOR_BGR2RGB);
      resize(rgb, small, new Size(nw, nh), 0, 0, INTER_LINEAR);
      copyMakeBorder(small, boxed, padY, size - nh - padY, padX, size - nw - padX,
          BORDER_CONSTANT, new Scalar(0, 0, 0, 0));
      boxed.convertTo(f, CV_32F, 1 / 127.5, -1);
      try (FloatIndexer idx = f.createIndexer()) {
        idx.get(0, input);
      }
    }
    float[] scores = new float[896];
    float[] regs = new float[896 * 16];
    try (NDManager m = manager.newSubManager()) {
      NDArray x = m.create(FloatBuffer.wrap(input), new Shape(1, size, size, 3));
      NDList result = predictor.predict(new NDList(x));
      for (NDArray o : result) {
        long[] s = o.getShape().getShape();
        float[] v = o.toFloatArray();
        int anchors = (int) s[1];
        int offset = anchors == 512 ? 0 : 512;
        if (s[2] == 1) {
          System.arraycopy(v, 0, scores, offset, anchors);
        } else {
          System.arraycopy(v, 0, regs, offset * 16, anchors * 16);
        }
      }
    }
    List<float[]> raw = new ArrayList<>();
    for (int i = 0; i < 896; i++) {
      float score = (float) (1 / (1 + Math.exp(-Math.max(-100, Math.min(100, scores[i])))));
      if (score < minScore) {
        continue;
      }
      float[] d = new float[17];
      d[0] = score;
      int r = i * 16;
      float cx = anchorX[i] + regs[r] / size;
      float cy = anchorY[i] + regs[r + 1] / size;
      float bw = regs[r + 2] / size;
      float bh = regs[r + 3] / size;
      d[1] = toSourceX(cx - bw / 2, scale, padX);
      d[2] = toSourceY(cy - bh / 2, scale, padY);
      d[3] = toSourceX(cx + bw / 2, scale, padX);
      d[4] = toSourceY(cy + bh / 2, scale, padY);
      for (int k = 0; k < 6; k++) {
        d[5 + 2 * k] = toSourceX(anchorX[i] + regs[r + 4 + 2 * k] / size, scale, padX);
        d[6 + 2 * k] = toSourceY(anchorY[i] + regs[r + 5 + 2 * k] / size, scale, padY);
      }
      raw.add(d);
    }
    return weightedNms(raw, iouThreshold);
  }

  private float toSourceX(float u, float scale, int pad) {
    return (u * size - pad) / scale;
  }

  private float toSourceY(float v, float scale, int pad) {
    return (v * size - pad) / scale;
  }

  /**
   * MediaPipe's weighted suppression: the best remaining box absorbs every box overlapping it by
   * more than {@code iou}; coordinates are their score-weighted mean, the score the best one's.
   */
  static List<Detection> weightedNms(List<float[]> raw, float iou) {
    raw.sort(Comparator.comparingDouble((float[] d) -> -d[0]));
    List<Detection> out = new ArrayList<>();
    boolean[] used = new boolean[raw.size()];
    for (int i = 0; i < raw.size(); i++) {
      if (used[i]) {
        continue;
      }
      float[] top = raw.get(i);
      double[] sum = new double[17];
      double weight = 0;
      for (int j = i; j < raw.size(); j++) {
        float[] c = raw.get(j);
        if (used[j] || Detection.iou(top[1], top[2], top[3], top[4], c[1], c[2], c[3], c[4]) <= iou
            && j != i) {
          continue;
        }
        used[j] = true;
        weight += c[0];
        for (int k = 1; k < 17; k++) {
          sum[k] += c[0] * c[k];
        }
      }
      float[] kp = new float[12];
      for (int k = 0; k < 12; k++) {
        kp[k] = (float) (sum[5 + k] / weight);
      }
      out.add(new Detection(top[0], (float) (sum[1] / weight), (float) (sum[2] / weight),
          (float) (sum[3] / weight), (float) (sum[4] / weight), kp));
    }
    return out;
  }

  @Override
  public void close() {
    manager.close();
    predictor.close();
    model.close();
    settings.close();
  }
}
