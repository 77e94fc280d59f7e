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
 * whatever the video's length: pass one ({@link #analyze}) finds shot cuts on every frame from
 * a 32 px thumbnail, runs the detector every {@code detectEvery}-th frame (and on both sides of
 * a cut and on the last frame) on the frame scaled to its input, then tracks and picks subject
 * segments and their windows; pass two ({@link #crops}) decodes again and
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
   * @param nearSide input side of the short-range detector, when one is given
   * @param nearMinFace a shot goes to the short-range detector when every face its first
   *     detection found is at least this share of the frame's longer side
   */
  public record Params(int detectEvery, int detectSide, FaceTracker.Params tracker,
      CropWindows.Params crop, int size, int jpegQuality, int nearSide, double nearMinFace) {
    /** Faces this large fill a fifth of the short-range model's input or more: its range. */
    public static final double NEAR_MIN_FACE = 0.2;

    public Params(int detectEvery, int detectSide, FaceTracker.Params tracker,
        CropWindows.Params crop, int size, int jpegQuality) {
      this(detectEvery, detectSide, tracker, crop, size, jpegQuality, 128, NEAR_MIN_FACE);
    }

    public static Params defaults() {
      return new Params(5, 256, FaceTracker.Params.defaults(),
          CropWindows.Params.defaults(CropWindows.Policy.CLIP), 512, 95);
    }

    public Params withDetectEvery(int k) {
      return new Params(k, detectSide, tracker.withMaxGap(Math.max(tracker.maxGap(), 2 * k - 1)),
          crop, size, jpegQuality, nearSide, nearMinFace);
    }

    public Params withCrop(CropWindows.Params c) {
      return new Params(detectEvery, detectSide, tracker, c, size, jpegQuality, nearSide,
          nearMinFace);
    }

    public Params withTracker(FaceTracker.Params t) {
      return new Params(detectEvery, detectSide, t, crop, size, jpegQuality, nearSide,
          nearMinFace);
    }

    public Params withOutput(int side, int quality) {
      return new Params(detectEvery, detectSide, tracker, crop, side, quality, nearSide,
          nearMinFace);
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
   * @param nearRuns of those, frames the short-range detector ran on
   */
  public record Analysis(int frames, int width, int height, int decoded, int repeatedAtEnd,
      List<List<Detection>> detections, BitSet cuts, int detectorRuns, int nearRuns,
      List<Planned> planned) {

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

  /** Pass one with one detector throughout. */
  public static Analysis analyze(ReaderFactory videos, FaceDetector detector, Params p)
      throws ProbeException {
    return analyze(videos, detector, null, p);
  }

  /**
   * Pass one: detection, shot cuts, tracking, segments and windows.
   *
   * @param detector the full-range detector (faces of any size)
   * @param near a short-range detector, five times cheaper (BlazeFace 128), or null. A shot
   *     whose first detection found faces that are all at least {@link Params#nearMinFace} of
   *     the frame's longer side (a talking head) is detected with it from then on; the first
   *     time it finds nothing the shot goes back to {@code detector} for good, on that frame
   *     already. Tracks never cross a shot cut, so a track mixes the two models at most once.
   */
  public static Analysis analyze(ReaderFactory videos, FaceDetector detector, FaceDetector near,
      Params p) throws ProbeException {
    List<List<Detection>> dets = new ArrayList<>();
    BitSet cuts = new BitSet();
    ShotDetector shots = new ShotDetector();
    ShotModels models = new ShotModels(detector, near, p);
    int runs = 0;
    int w = 0;
    int h = 0;
    int decoded;
    int repeated;
    try (GridReader r = videos.open().forAnalysis(true)) {
      int last = -p.detectEvery();
      while (r.next()) {
        int i = r.index();
        w = r.width();
        h = r.height();
        boolean cut;
        try (Mat thumb = r.thumbnail(ShotDetector.THUMB)) {
          cut = shots.update(thumb) && i > 0;
        }
        if (cut) {
          cuts.set(i);
          // The detector sees the last frame of the old shot too, so its track ends there.
          if (dets.get(i - 1) == null) {
            dets.set(i - 1, models.detect(r, true));
            runs++;
          }
          models.newShot();
        }
        if (cut || i - last >= p.detectEvery()) {
          dets.add(models.detect(r, false));
          runs++;
          last = i;
        } else {
          dets.add(null);
        }
      }
      if (!dets.isEmpty() && dets.get(dets.size() - 1) == null) {
        dets.set(dets.size() - 1, models.detect(r, true));
        runs++;
      }
      decoded = r.decoded();
      repeated = r.repeatedAtEnd();
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
    return new Analysis(dets.size(), w, h, decoded, repeated, dets, cuts, runs,
        models.nearRuns, planned);
  }

  /** Which detector each shot uses: see the four-argument {@code analyze}. */
  private static final class ShotModels {
    private final FaceDetector wide;
    private final FaceDetector near;
    private final Params p;
    private boolean decided;
    private boolean useNear;
    int nearRuns;

    ShotModels(FaceDetector wide, FaceDetector near, Params p) {
      this.wide = wide;
      this.near = near;
      this.p = p;
    }

    void newShot() {
      decided = false;
      useNear = false;
    }

    /** Detections on the current grid frame, or on the one before it. */
    List<Detection> detect(GridReader r, boolean previous) throws ProbeException {
      if (useNear) {
        nearRuns++;
        List<Detection> found = run(r, previous, near, p.nearSide());
        if (!found.isEmpty()) {
          return found;
        }
        useNear = false;
      }
      List<Detection> found = run(r, previous, wide, p.detectSide());
      if (near != null && !decided) {
        decided = true;
        double min = p.nearMinFace() * Math.max(r.width(), r.height());
        useNear = !found.isEmpty()
            && found.stream().allMatch(d -> Math.max(d.width(), d.height()) >= min);
      }
      return found;
    }

    private static List<Detection> run(GridReader r, boolean previous, FaceDetector d, int side)
        throws ProbeException {
      // Only the frames a detector sees are converted, at its size.
      try (Mat small = previous ? r.previousBgr(side) : r.bgr(side)) {
        return FacePipeline.detect(d, small, r.width(), r.height());
      }
    }
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
