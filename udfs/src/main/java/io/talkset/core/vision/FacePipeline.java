package io.talkset.core.vision;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import io.talkset.core.media.ErrorCodes;
import io.talkset.core.media.ProbeException;
import io.talkset.core.vision.CropWindows.Run;
import io.talkset.core.vision.CropWindows.Window;
import io.talkset.core.vision.FaceTracker.Segment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Faces of one video in two streaming passes over the 25 fps grid, so memory stays bounded
 * whatever the video's length: pass one ({@link #analyze}) scales each frame down to the
 * detector's input, finds shot cuts on every frame, runs the detector every
 * {@code detectEvery}-th frame (and on both sides of a cut and on the last frame), then tracks
 * and picks subject segments and their windows; pass two ({@link #crops}) decodes again and
 * cuts each segment frame's window straight from the decoder's planes to the output size, then
 * encodes it as JPEG. Only detections (a few floats per frame) are kept between the passes.
 */
public final class FacePipeline {

  /**
   * @param detectEvery run the detector on every k-th frame, tracking in between
   * @param detectSide frames are scaled to this longer side before detection (the detector's
   *     input; more would be thrown away by its own letterbox)
   * @param size output side in pixels
   * @param jpegQuality 1..100
   */
  public record Params(int detectEvery, int detectSide, FaceTracker.Params tracker,
      CropWindows.Params crop, int size, int jpegQuality) {
    public static Params defaults() {
      return new Params(5, 256, FaceTracker.Params.defaults(),
          CropWindows.Params.defaults(CropWindows.Policy.CLIP), 512, 95);
    }

    public Params withDetectEvery(int k) {
      return new Params(k, detectSide, tracker.withMaxGap(Math.max(tracker.maxGap(), 2 * k - 1)),
          crop, size, jpegQuality);
    }

    public Params withCrop(CropWindows.Params c) {
      return new Params(detectEvery, detectSide, tracker, c, size, jpegQuality);
    }

    public Params withTracker(FaceTracker.Params t) {
      return new Params(detectEvery, detectSide, t, crop, size, jpegQuality);
    }

    public Params withOutput(int side, int quality) {
      return new Params(detectEvery, detectSide, tracker, crop, side, quality);
    }
  }

  /** Per-segment numbers. */
  public record SegmentInfo(int segment, int track, int startFrame, int frames,
      double detectedFraction, double meanFaceSize, double centreJitter, double sizeJitter,
      double maxOutside, double minUpscale, double maxUpscale) {}

  /** A segment run with its windows, ready for pass two. */
  public record Planned(SegmentInfo info, int start, Detection[] faces, boolean[] detected,
      Window[] windows) {}

  /**
   * What pass one found.
   *
   * @param frames grid frames read
   * @param width upright width
   * @param height upright height
   * @param detections per frame, null where the detector did not run
   * @param cuts frames where a new shot starts
   * @param detectorRuns frames the detector ran on
   */
  public record Analysis(int frames, int width, int height, int decoded, int repeatedAtEnd,
      List<List<Detection>> detections, BitSet cuts, int detectorRuns, List<Planned> planned) {

    /** Faces the detector saw on frame i (on the nearest frame it ran on). */
    public int facesAt(int i) {
      for (int d = 0; d < frames; d++) {
        for (int j : new int[] {i - d, i + d}) {
          if (j >= 0 && j < frames && detections.get(j) != null) {
            return detections.get(j).size();
          }
        }
      }
      return 0;
    }

    public int shots() {
      return cuts.cardinality() + (frames > 0 ? 1 : 0);
    }
  }

  /** One output frame. */
  public record CropFrame(int segment, int frameIndex, double sourceTimeS, Window window,
      double outside, double upscale, Detection face, boolean detected, int facesInPicture,
      double yawDeg, double sharpness, byte[] jpeg) {}

  /** Opens a fresh reader on the video (called once per pass). */
  @FunctionalInterface
  public interface ReaderFactory {
    GridReader open() throws ProbeException;
  }

  private FacePipeline() {}

  /** Pass one: detection, shot cuts, tracking, segments and windows. */
  public static Analysis analyze(ReaderFactory videos, FaceDetector detector, Params p)
      throws ProbeException {
    List<List<Detection>> dets = new ArrayList<>();
    BitSet cuts = new BitSet();
    ShotDetector shots = new ShotDetector();
    int runs = 0;
    int w = 0;
    int h = 0;
    int decoded;
    int repeated;
    Mat prevSmall = null;
    try (GridReader r = videos.open()) {
      int last = -p.detectEvery();
      while (r.next()) {
        int i = r.index();
        w = r.width();
        h = r.height();
        Mat small = r.bgr(p.detectSide());
        boolean cut = shots.update(small) && i > 0;
        if (cut) {
          cuts.set(i);
          // The detector sees the last frame of the old shot too, so its track ends there.
          if (dets.get(i - 1) == null) {
            dets.set(i - 1, detect(detector, prevSmall, w, h));
            runs++;
          }
        }
        if (cut || i - last >= p.detectEvery()) {
          dets.add(detect(detector, small, w, h));
          runs++;
          last = i;
        } else {
          dets.add(null);
        }
        if (prevSmall != null) {
          prevSmall.close();
        }
        prevSmall = small;
      }
      if (!dets.isEmpty() && dets.get(dets.size() - 1) == null) {
        dets.set(dets.size() - 1, detect(detector, prevSmall, w, h));
        runs++;
      }
      decoded = r.decoded();
      repeated = r.repeatedAtEnd();
    } finally {
      if (prevSmall != null) {
        prevSmall.close();
      }
    }
    boolean[] cutArray = new boolean[dets.size()];
    for (int c = cuts.nextSetBit(0); c >= 0; c = cuts.nextSetBit(c + 1)) {
      cutArray[c] = true;
    }
    List<Segment> segments = new FaceTracker(p.tracker()).segments(dets, cutArray);
    List<Planned> planned = new ArrayList<>();
    for (Segment s : segments) {
      for (Run run : CropWindows.windows(s.faces(), w, h, p.crop())) {
        int n = run.windows().length;
        if (n < p.tracker().minFrames()) {
          continue;
        }
        Detection[] faces = Arrays.copyOfRange(s.faces(), run.offset(), run.offset() + n);
        boolean[] detected = Arrays.copyOfRange(s.detected(), run.offset(), run.offset() + n);
        planned.add(new Planned(info(planned.size(), s.track(), s.start() + run.offset(), faces,
            detected, run.windows(), w, h, p.size()), s.start() + run.offset(), faces, detected,
            run.windows()));
      }
    }
    return new Analysis(dets.size(), w, h, decoded, repeated, dets, cuts, runs, planned);
  }

  private static List<Detection> detect(FaceDetector detector, Mat small, int w, int h)
      throws ProbeException {
    List<Detection> found;
    try {
      found = detector.detect(small);
    } catch (Exception e) {
      throw new ProbeException(ErrorCodes.INTERNAL, "face detector failed: " + e, e);
    }
    float sx = w / (float) small.cols();
    float sy = h / (float) small.rows();
    List<Detection> out = new ArrayList<>(found.size());
    for (Detection d : found) {
      float[] kp = d.keypoints().clone();
      for (int k = 0; k < kp.length; k += 2) {
        kp[k] *= sx;
        kp[k + 1] *= sy;
      }
      out.add(new Detection(d.score(), d.x0() * sx, d.y0() * sy, d.x1() * sx, d.y1() * sy, kp));
    }
    return out;
  }

  private static SegmentInfo info(int id, int track, int start, Detection[] faces,
      boolean[] detected, Window[] win, int w, int h, int size) {
    int det = 0;
    double faceSize = 0;
    double maxOut = 0;
    double minUp = Double.MAX_VALUE;
    double maxUp = 0;
    for (int i = 0; i < faces.length; i++) {
      det += detected[i] ? 1 : 0;
      faceSize += Math.max(faces[i].width(), faces[i].height());
      maxOut = Math.max(maxOut, win[i].outside(w, h));
      double up = size / win[i].side();
      minUp = Math.min(minUp, up);
      maxUp = Math.max(maxUp, up);
    }
    double[] jit = CropWindows.jitter(win);
    return new SegmentInfo(id, track, start, faces.length, det / (double) faces.length,
        faceSize / faces.length, jit[0], jit[1], maxOut, minUp, maxUp);
  }

  /**
   * Pass two, lazily: the crops of every planned frame, in frame order. Frames outside the
   * segments are decoded but never converted. Close the iterator.
   */
  public static CloseableIterator<CropFrame> crops(ReaderFactory videos, Analysis a, Params p)
      throws ProbeException {
    return new Crops(videos.open(), a, p);
  }

  /** An iterator over native resources. */
  public interface CloseableIterator<T> extends Iterator<T>, AutoCloseable {
    @Override
    void close();
  }

  private static final class Crops implements CloseableIterator<CropFrame> {
    private final GridReader reader;
    private final Analysis a;
    private final Params p;
    private final IntPointer params;
    private int run;
    private CropFrame next;
    private boolean done;

    Crops(GridReader reader, Analysis a, Params p) {
      this.reader = reader;
      this.a = a;
      this.p = p;
      this.params = new IntPointer(IMWRITE_JPEG_QUALITY, p.jpegQuality());
    }

    @Override
    public boolean hasNext() {
      if (next == null && !done) {
        try {
          next = advance();
        } catch (ProbeException e) {
          throw new FrameException(e);
        }
        done = next == null;
      }
      return next != null;
    }

    @Override
    public CropFrame next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      CropFrame f = next;
      next = null;
      return f;
    }

    private CropFrame advance() throws ProbeException {
      while (run < a.planned().size()) {
        Planned pl = a.planned().get(run);
        if (!reader.next()) {
          throw new ProbeException(ErrorCodes.CORRUPT,
              "the video ended early on the second pass, at frame " + (reader.index() + 1));
        }
        int i = reader.index();
        if (i < pl.start()) {
          continue;
        }
        int k = i - pl.start();
        if (k == pl.faces().length - 1) {
          run++;
        }
        return crop(pl, k, i);
      }
      return null;
    }

    private CropFrame crop(Planned pl, int k, int i) {
      Window win = pl.windows()[k];
      Detection face = pl.faces()[k];
      double scale = p.size() / win.side();
      byte[] jpeg;
      double sharp;
      try (Mat out = reader.crop(win.x0(), win.y0(), win.side(), p.size());
          BytePointer buf = new BytePointer()) {
        sharp = FaceQuality.sharpness(out, (face.x0() - win.x0()) * scale,
            (face.y0() - win.y0()) * scale, (face.x1() - win.x0()) * scale,
            (face.y1() - win.y0()) * scale);
        imencode(".jpg", out, buf, params);
        jpeg = new byte[(int) buf.limit()];
        buf.get(jpeg);
      }
      return new CropFrame(pl.info().segment(), i, reader.sourceTimeS(), win,
          win.outside(a.width(), a.height()), scale, face, pl.detected()[k], a.facesAt(i),
          FaceQuality.yawDeg(face), sharp, jpeg);
    }

    @Override
    public void close() {
      params.close();
      reader.close();
    }
  }

  /** A decoding failure surfacing through {@link Iterator#hasNext()}. */
  public static final class FrameException extends RuntimeException {
    private final ProbeException cause;

    FrameException(ProbeException cause) {
      super(cause.getMessage(), cause);
      this.cause = cause;
    }

    public ProbeException probe() {
      return cause;
    }
  }
}
