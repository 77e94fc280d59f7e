package io.talkset.core.eval;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import ai.djl.translate.TranslateException;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.faceparams.FaceDescriptors;
import io.talkset.core.faceparams.FaceLandmarker;
import io.talkset.core.faceparams.LandmarkSmoother;
import io.talkset.core.metrics.Frechet;
import io.talkset.core.metrics.LandmarkMetrics;
import io.talkset.core.metrics.Psnr;
import io.talkset.core.metrics.Sharpness;
import io.talkset.core.metrics.Ssim;
import io.talkset.core.sync.AvSync;
import io.talkset.core.sync.SegmentSync;
import io.talkset.core.video.GridReader;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Scores one generated video against the real clip it was made for, frame by frame: generated
 * frame i (on the 25 fps grid) against the clip's crop of frame i, streamed in frame order, only
 * numbers kept between frames. Generated videos are expected to be face crops aligned like the
 * dataset's (what a model trained on these crops outputs); both pictures are compared at the
 * generated size (the real crop resized to it), and the real frame's face box, scaled, seeds the
 * landmarks of both, so a generated face placed elsewhere shows up as a large LMD.
 */
public final class ClipEvaluator {
  /** One real crop: its frame, segment, JPEG, crop side and the face box in crop pixels. */
  public record RealFrame(int frameIndex, int segment, byte[] jpeg, int size, float[] faceBox) {}

  /** One compared frame (LVD and identity null where not defined or not sampled). */
  public record FrameResult(int frameIndex, int segment, double ssim, double psnr, double cpbd,
      double cpbdReal, double lmdMouth, double lmdFace, Double lvdMouth, Double lvdFace,
      Double identityCosine, Double identityDistance) {}

  /** The whole video. */
  public record ClipResult(int generatedFrames, int compared, int width, int height, int size,
      boolean resized, float[] generatedDescriptor, float[] realDescriptor, int identitySamples,
      SegmentSync.Result sync, SegmentSync.Result realSync, Frechet.Accumulator generatedSet,
      Frechet.Accumulator realSet) {}

  private static final Ssim SSIM = new Ssim(Ssim.SKIMAGE);
  /**
   * The params stage's default smoothing, applied to both pictures' landmarks before the sync
   * estimate, so that generated and real are measured as the sync stage measures clips.
   */
  static final LandmarkSmoother SYNC_SMOOTHER = LandmarkSmoother.oneEuro(25.0, 1.0, 0.05, 1.0);
  private final FaceLandmarker landmarker;
  private final FaceDescriptors descriptors;
  private final int identityEvery;
  private final GridReader generated;
  private final List<float[]> genDesc = new ArrayList<>();
  private final List<float[]> realDesc = new ArrayList<>();
  private final Frechet.Accumulator genSet = new Frechet.Accumulator();
  private final Frechet.Accumulator realSet = new Frechet.Accumulator();
  private final List<Integer> mouthFrames = new ArrayList<>();
  private final List<float[]> genPoints = new ArrayList<>();
  private final List<float[]> realPoints = new ArrayList<>();
  private boolean ended;
  private int compared;
  private int side;
  private boolean resized;
  private int prevIndex = Integer.MIN_VALUE;
  private int prevSegment;
  private float[] prevGen;
  private float[] prevReal;

  /** {@code generated} is positioned before its first frame; the caller closes it. */
  public ClipEvaluator(FaceLandmarker landmarker, FaceDescriptors descriptors, int identityEvery,
      GridReader generated) {
    this.landmarker = landmarker;
    this.descriptors = descriptors;
    this.identityEvery = identityEvery;
    this.generated = generated;
  }

  /**
   * Compares the next real frame (ascending frame order) with the generated frame of the same
   * index; null when the generated video has ended before it.
   */
  public FrameResult add(RealFrame f) throws ProbeException, TranslateException {
    while (!ended && generated.index() < f.frameIndex()) {
      if (!generated.next()) {
        ended = true;
      }
    }
    if (ended || generated.index() != f.frameIndex()) {
      return null;
    }
    Mat gen = null;
    Mat real = null;
    try {
      gen = generated.bgr(0);
      if (side == 0) {
        resized = gen.cols() != gen.rows();
        side = Math.min(gen.cols(), gen.rows());
      }
      gen = toSide(gen, side);
      real = toSide(decode(f.jpeg()), side);
      double s = side / (double) f.size();
      float[] box = new float[4];
      for (int k = 0; k < 4; k++) {
        box[k] = (float) (f.faceBox()[k] * s);
      }
      float[][] pts = landmarker.landmarks(List.of(gen, real), new float[][] {box, box});
      Double lvdMouth = null;
      Double lvdFace = null;
      if (prevIndex == f.frameIndex() - 1 && prevSegment == f.segment()) {
        float[][] g = {prevGen, pts[0]};
        float[][] r = {prevReal, pts[1]};
        lvdMouth = LandmarkMetrics.lvdPerFrame(g, r, LandmarkMetrics.Region.MOUTH)[0];
        lvdFace = LandmarkMetrics.lvdPerFrame(g, r, LandmarkMetrics.Region.FACE)[0];
      }
      Double idCos = null;
      Double idDist = null;
      if (descriptors != null && compared % identityEvery == 0) {
        float[][] d = descriptors.describe(List.of(gen, real), pts);
        genDesc.add(d[0]);
        realDesc.add(d[1]);
        genSet.add(d[0]);
        realSet.add(d[1]);
        idCos = FaceDescriptors.cosine(d[0], d[1]);
        idDist = FaceDescriptors.distance(d[0], d[1]);
      }
      mouthFrames.add(f.frameIndex());
      genPoints.add(pts[0]);
      realPoints.add(pts[1]);
      FrameResult out = new FrameResult(f.frameIndex(), f.segment(), SSIM.mean(gen, real),
          Psnr.rgb(gen, real), Sharpness.cpbd(gen), Sharpness.cpbd(real),
          LandmarkMetrics.lmd(pts[0], pts[1], LandmarkMetrics.Region.MOUTH),
          LandmarkMetrics.lmd(pts[0], pts[1], LandmarkMetrics.Region.FACE), lvdMouth, lvdFace,
          idCos, idDist);
      compared++;
      prevIndex = f.frameIndex();
      prevSegment = f.segment();
      prevGen = pts[0];
      prevReal = pts[1];
      return out;
    } finally {
      if (gen != null) {
        gen.close();
      }
      if (real != null) {
        real.close();
      }
    }
  }

  /**
   * Reads the rest of the generated video (to count its frames) and sums up. {@code audio} is
   * the 16 kHz track that goes with the generated video (sample 0 at its frame 0) and
   * {@code realAudio} the dataset clip's; either may be null (no estimate). The real crops'
   * landmarks go through the same estimate with the real audio, so the two offsets compare.
   */
  public ClipResult finish(float[] audio, float[] realAudio, int maxLag, int minFrames,
      double silenceRms) throws ProbeException {
    while (!ended) {
      if (!generated.next()) {
        ended = true;
      }
    }
    int[] index = mouthFrames.stream().mapToInt(Integer::intValue).toArray();
    return new ClipResult(generated.index() + 1, compared, generated.width(), generated.height(),
        side, resized, genDesc.isEmpty() ? null : FaceDescriptors.mean(genDesc),
        realDesc.isEmpty() ? null : FaceDescriptors.mean(realDesc), genDesc.size(),
        sync(index, genPoints, audio, maxLag, minFrames, silenceRms),
        sync(index, realPoints, realAudio, maxLag, minFrames, silenceRms), genSet, realSet);
  }

  private static SegmentSync.Result sync(int[] index, List<float[]> points, float[] audio,
      int maxLag, int minFrames, double silenceRms) {
    if (audio == null || points.isEmpty()) {
      return null;
    }
    float[][] smooth = SYNC_SMOOTHER.smooth(points.toArray(new float[0][]));
    double[] mouth = new double[smooth.length];
    for (int i = 0; i < smooth.length; i++) {
      mouth[i] = AvSync.mouthOpening(smooth[i]);
    }
    return SegmentSync.estimate(index, mouth, audio, 16000, maxLag, minFrames, silenceRms);
  }

  private static Mat toSide(Mat m, int side) {
    if (m.cols() == side && m.rows() == side) {
      return m;
    }
    Mat out = new Mat();
    // Area averaging when shrinking (no aliasing), bicubic when enlarging.
    resize(m, out, new Size(side, side), 0, 0, m.cols() > side ? INTER_AREA : INTER_CUBIC);
    m.close();
    return out;
  }

  private static Mat decode(byte[] jpeg) {
    try (BytePointer p = new BytePointer(jpeg); Mat buf = new Mat(1, jpeg.length,
        org.bytedeco.opencv.global.opencv_core.CV_8U, p)) {
      Mat img = imdecode(buf, IMREAD_COLOR);
      if (img == null || img.empty()) {
        throw new IllegalArgumentException("the real crop is not a readable JPEG");
      }
      return img;
    }
  }
}
