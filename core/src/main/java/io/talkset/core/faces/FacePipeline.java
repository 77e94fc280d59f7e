package io.talkset.core.faces;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.faces.CropWindows.Run;
import io.talkset.core.faces.CropWindows.Window;
import io.talkset.core.faces.FaceTracker.Segment;
import io.talkset.core.video.GridReader;
import io.talkset.core.video.ShotDetector;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * segments and their windows; pass two ({@link #crops}) cuts each segment frame's window
 * straight from the decoded planes to the output size, then encodes it as JPEG. Between the
 * passes only detections (a few floats per frame) are kept, and, within a byte budget (memory,
 * then optionally a local scratch file), the decoded pixels around the faces: when those hold
 * every window, pass two crops them instead of decoding the video again.
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
   * @param keepBytes native memory pass one may spend keeping the decoded pixels around the
   *     faces of each frame, so that pass two crops them without decoding the video again;
   *     0 never keeps any (see {@link #analyze})
   * @param spillBytes once {@code keepBytes} is spent, pass one writes the further pixels it
   *     keeps to a scratch file in {@code spillDir}, up to this many bytes; 0 never does
   * @param spillDir a local folder for that file (deleted when the pixels are freed), or null
   */
  public record Params(int detectEvery, int detectSide, FaceTracker.Params tracker,
      CropWindows.Params crop, int size, int jpegQuality, int nearSide, double nearMinFace,
      long keepBytes, long spillBytes, Path spillDir) {
    /** Faces this large fill a fifth of the short-range model's input or more: its range. */
    public static final double NEAR_MIN_FACE = 0.2;
    /** Enough for a few hundred frames of a 720p talking head's face region, per task. */
    public static final long KEEP_BYTES = 128L << 20;

    public Params(int detectEvery, int detectSide, FaceTracker.Params tracker,
        CropWindows.Params crop, int size, int jpegQuality) {
      this(detectEvery, detectSide, tracker, crop, size, jpegQuality, 128, NEAR_MIN_FACE,
          KEEP_BYTES, 0, null);
    }

    public static Params defaults() {
      return new Params(5, 256, FaceTracker.Params.defaults(),
          CropWindows.Params.defaults(CropWindows.Policy.CLIP), 512, 95);
    }

    public Params withDetectEvery(int k) {
      return new Params(k, detectSide, tracker.withMaxGap(Math.max(tracker.maxGap(), 2 * k - 1)),
          crop, size, jpegQuality, nearSide, nearMinFace, keepBytes, spillBytes, spillDir);
    }

    public Params withCrop(CropWindows.Params c) {
      return new Params(detectEvery, detectSide, tracker, c, size, jpegQuality, nearSide,
          nearMinFace, keepBytes, spillBytes, spillDir);
    }

    public Params withTracker(FaceTracker.Params t) {
      return new Params(detectEvery, detectSide, t, crop, size, jpegQuality, nearSide,
          nearMinFace, keepBytes, spillBytes, spillDir);
    }

    public Params withOutput(int side, int quality) {
      return new Params(detectEvery, detectSide, tracker, crop, side, quality, nearSide,
          nearMinFace, keepBytes, spillBytes, spillDir);
    }

    /** The same, with at most {@code bytes} of decoded pixels kept between the passes. */
    public Params withKeepBytes(long bytes) {
      return new Params(detectEvery, detectSide, tracker, crop, size, jpegQuality, nearSide,
          nearMinFace, bytes, spillBytes, spillDir);
    }

    /**
     * The same, writing at most {@code bytes} of kept pixels to a scratch file in {@code dir}
     * once {@link #keepBytes} is spent (0 or a null folder: never).
     */
    public Params withSpill(Path dir, long bytes) {
      return new Params(detectEvery, detectSide, tracker, crop, size, jpegQuality, nearSide,
          nearMinFace, keepBytes, dir == null ? 0 : bytes, dir);
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
   * @param decoded source frames decoded
   * @param repeatedAtEnd grid frames past the last decoded frame, filled with it (a file cut
   *     short, or a container that declares more than it holds)
   * @param decodedDurationS seconds of video decoded (see {@link GridReader#decodedDurationS})
   * @param kept the face regions pass one kept for pass two, or null when it kept none (or ran
   *     out of {@link Params#keepBytes} and {@link Params#spillBytes})
   */
  public record Analysis(int frames, int width, int height, int decoded, int repeatedAtEnd,
      double decodedDurationS, List<List<Detection>> detections, BitSet cuts, int detectorRuns, int nearRuns,
      List<Planned> planned, Kept kept) {

    /**
     * Frees the pixels pass one kept. {@link #crops} frees them itself; call this when pass
     * two will not run (otherwise only the garbage collector frees them).
     */
    public void release() {
      if (kept != null) {
        kept.close();
      }
    }

    /** Whether pass two can crop every planned frame from what pass one kept. */
    public boolean singlePass() {
      return kept != null && kept.holds(planned);
    }

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
   * <p>With {@link Params#keepBytes} above 0, pass one also keeps a copy of each frame's
   * decoded pixels that a crop window could reach: the {@code clip} window of the union of the
   * faces found so far in the shot, widened by {@link #KEEP_REACH}. Pass two can then crop
   * every planned window from them and skip decoding the video a second time. Short clips and
   * small faces fit in memory; beyond {@link Params#keepBytes} the further parts go to a
   * scratch file in {@link Params#spillDir}, up to {@link Params#spillBytes}, and pass two
   * reads them back in frame order. A video whose kept pixels outgrow both budgets (or are
   * bound to: the first part kept times the frames to come) gives them all up on that frame,
   * and pass two decodes again. Pass one decodes exactly while it keeps pixels (they become the crops), and skips
   * the in-loop deblocking filter once it keeps none, as it always does with {@code keepBytes}
   * 0: the detector then sees slightly different pixels (see {@link GridReader#forAnalysis}).
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
    double decodedS;
    Kept kept = p.keepBytes() > 0 ? new Kept(p.keepBytes(), p.spillBytes(), p.spillDir())
        : null;
    // The union of the faces found so far in this shot, and the largest of them.
    double[] seen = null;
    try (GridReader r = videos.open().forAnalysis(kept == null)) {
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
          seen = null;
        }
        if (cut || i - last >= p.detectEvery()) {
          dets.add(models.detect(r, false));
          runs++;
          last = i;
        } else {
          dets.add(null);
        }
        if (kept != null) {
          List<Detection> now = dets.get(i);
          if (now != null) {
            for (Detection d : now) {
              seen = grow(seen, d);
            }
          }
          GridReader.Picture pic = seen == null ? null : keep(r, seen, p);
          long size = pic == null ? 0 : pic.bytes();
          boolean first = pic != null && kept.pictures() == 0;
          if ((seen != null && pic == null) || !kept.add(i, pic)
              || (first && (double) size * (r.expectedFrames() - i) > kept.capacity())) {
            // Over budget (memory, then the spill file's), or bound to be (the first part
            // kept, times the frames to come, is already more: parts only grow within a shot),
            // or a format that cannot be cut in place: give up keeping for this video, and
            // decode the rest for analysis only.
            kept.close();
            kept = null;
            r.forAnalysis(true);
          }
        }
      }
      if (!dets.isEmpty() && dets.get(dets.size() - 1) == null) {
        dets.set(dets.size() - 1, models.detect(r, true));
        runs++;
      }
      decoded = r.decoded();
      repeated = r.repeatedAtEnd();
      decodedS = r.decodedDurationS();
    } catch (ProbeException | RuntimeException | Error e) {
      if (kept != null) {
        kept.close();
      }
      throw e;
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
    return new Analysis(dets.size(), w, h, decoded, repeated, decodedS, dets, cuts, runs,
        models.nearRuns, planned, kept);
  }

  /**
   * How far beyond the crop window of the faces found so far pass one keeps pixels, in face
   * sides of the largest of them: room for the head to move further while the window of the
   * whole segment (the union of its faces, zoomed) still fits.
   */
  public static final double KEEP_REACH = 0.5;

  /** {x0, y0, x1, y1, largest face side} grown by {@code d}. */
  private static double[] grow(double[] box, Detection d) {
    double side = Math.max(d.width(), d.height());
    if (box == null) {
      return new double[] {d.x0(), d.y0(), d.x1(), d.y1(), side};
    }
    return new double[] {Math.min(box[0], d.x0()), Math.min(box[1], d.y0()),
        Math.max(box[2], d.x1()), Math.max(box[3], d.y1()), Math.max(box[4], side)};
  }

  /**
   * The pixels of the current frame that a crop window around the faces {@code seen} so far
   * could reach: the window a {@code clip} policy would draw around their union, plus
   * {@link #KEEP_REACH}.
   */
  private static GridReader.Picture keep(GridReader r, double[] seen, Params p) {
    double cx = (seen[0] + seen[2]) / 2;
    double cy = (seen[1] + seen[3]) / 2;
    double half = p.crop().zoom() / 2 * Math.max(seen[2] - seen[0], seen[3] - seen[1])
        + KEEP_REACH * seen[4];
    return r.keep(cx - half, cy - half, cx + half, cy + half);
  }

  /**
   * Decoded pixels around the faces of each frame, kept by pass one within a byte budget:
   * native memory first, then, where a spill budget and folder are given, a scratch file.
   * Frames without a face to go by have none; pass two can use the set only if every planned
   * window lies inside its frame's kept part.
   *
   * <p>The file holds the pictures in frame order, each as {@link GridReader.Picture#writeTo}
   * writes it (the exact bytes and layout, so a picture read back crops to the same pixels);
   * pass two reads them back in the same order, one at a time. Memory stays within the budget
   * plus one picture either way. The file is unlinked as soon as it is open (on Linux it lives
   * on until closed), so nothing is left behind even if the JVM dies.
   */
  public static final class Kept implements AutoCloseable {
    private final long budget;
    private final long spillBudget;
    private final Path spillDir;
    private long bytes;
    private long spilled;
    private int count;
    /** Per frame: a picture in memory, a {@link Spilled} one, or null. */
    private final List<Object> slots = new ArrayList<>();
    private FileChannel file;
    private boolean closed;

    Kept(long budget, long spillBudget, Path spillDir) {
      this.budget = budget;
      this.spillBudget = spillDir == null ? 0 : spillBudget;
      this.spillDir = spillDir;
    }

    /** Where a picture written to the spill file lies, and what it holds. */
    private record Spilled(long position, GridReader.Area area) {}

    /**
     * Adds frame {@code i}'s picture (null: none): kept in memory while the budget lasts, else
     * written to the spill file and freed. False (picture freed) when neither has room, or
     * the file cannot be written (a full disk falls back to decoding again).
     */
    boolean add(int i, GridReader.Picture pic) {
      while (slots.size() < i) {
        slots.add(null);
      }
      if (pic == null) {
        slots.add(null);
        return true;
      }
      if (bytes + pic.bytes() <= budget) {
        slots.add(pic);
        bytes += pic.bytes();
        count++;
        return true;
      }
      try (pic) {
        if (spilled + pic.fileBytes() > spillBudget) {
          return false;
        }
        if (file == null) {
          file = openSpill(spillDir);
        }
        pic.writeTo(file, spilled);
        slots.add(new Spilled(spilled, pic.area()));
        spilled += pic.fileBytes();
        count++;
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    /** A new scratch file in {@code dir}, open for reading and writing, its name unlinked. */
    private static FileChannel openSpill(Path dir) throws IOException {
      Files.createDirectories(dir);
      Path f = Files.createTempFile(dir, "talkset-kept-", ".bin");
      FileChannel ch;
      try {
        ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE,
            StandardOpenOption.DELETE_ON_CLOSE);
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(f);
        throw e;
      }
      try {
        // The open channel keeps the data; a crash can no longer leave the file behind.
        Files.delete(f);
      } catch (IOException e) {
        // Not a POSIX file system: DELETE_ON_CLOSE removes it when the channel closes.
      }
      return ch;
    }

    /** Native bytes held. */
    public long bytes() {
      return bytes;
    }

    /** Bytes written to the spill file. */
    public long spilledBytes() {
      return spilled;
    }

    /** Pictures kept, in memory or spilled. */
    public int pictures() {
      return count;
    }

    /** Bytes it may keep in all: memory and spill file. */
    long capacity() {
      return budget + spillBudget;
    }

    private GridReader.Area area(int i) {
      Object slot = i < slots.size() ? slots.get(i) : null;
      if (slot instanceof GridReader.Picture pic) {
        return pic.area();
      }
      return slot instanceof Spilled sp ? sp.area() : null;
    }

    boolean holds(List<Planned> planned) {
      if (closed) {
        return false;
      }
      for (Planned pl : planned) {
        for (int k = 0; k < pl.windows().length; k++) {
          GridReader.Area area = area(pl.start() + k);
          Window w = pl.windows()[k];
          if (area == null || !area.holds(w.x0(), w.y0(), w.side())) {
            return false;
          }
        }
      }
      return true;
    }

    /**
     * Hands frame {@code i}'s picture over to the caller, who closes it: from memory, or read
     * back from the spill file.
     */
    GridReader.Picture take(int i) throws IOException {
      Object slot = i < slots.size() ? slots.get(i) : null;
      if (slot == null) {
        return null;
      }
      slots.set(i, null);
      if (slot instanceof Spilled sp) {
        GridReader.Picture pic = GridReader.Picture.readFrom(file, sp.position());
        if (!pic.area().equals(sp.area())) {
          pic.close();
          throw new IOException("the spill file holds another picture for frame " + i);
        }
        return pic;
      }
      GridReader.Picture pic = (GridReader.Picture) slot;
      bytes -= pic.bytes();
      return pic;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      for (Object slot : slots) {
        if (slot instanceof GridReader.Picture pic) {
          pic.close();
        }
      }
      slots.clear();
      bytes = 0;
      if (file != null) {
        try {
          file.close();
        } catch (IOException e) {
          // Its name is already gone (or goes with the close): nothing is left to clean.
        }
        file = null;
      }
    }
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
   * Pass two, lazily: the crops of every planned frame, in frame order. From the pixels pass
   * one kept when they hold every planned window ({@link Analysis#singlePass}), to the same
   * pixels as decoding again would give; otherwise the video is decoded again, and frames
   * outside the segments are decoded but never converted. Frees what pass one kept. Close the
   * iterator.
   */
  public static CloseableIterator<CropFrame> crops(ReaderFactory videos, Analysis a, Params p)
      throws ProbeException {
    if (a.singlePass()) {
      return new Crops(null, a.kept(), a, p);
    }
    a.release();
    return new Crops(videos.open(), null, a, p);
  }

  /** An iterator over native resources. */
  public interface CloseableIterator<T> extends Iterator<T>, AutoCloseable {
    @Override
    void close();
  }

  private static final class Crops implements CloseableIterator<CropFrame> {
    /** Decodes again; null when cropping from {@link #kept}. */
    private final GridReader reader;
    private final Kept kept;
    private final GridReader.Cropper cropper;
    private final Analysis a;
    private final Params p;
    private final IntPointer params;
    private int run;
    private int k;
    private CropFrame next;
    private boolean done;

    Crops(GridReader reader, Kept kept, Analysis a, Params p) {
      this.reader = reader;
      this.kept = kept;
      this.cropper = kept == null ? null : new GridReader.Cropper();
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
      if (kept != null) {
        if (run >= a.planned().size()) {
          return null;
        }
        Planned pl = a.planned().get(run);
        int at = k;
        if (++k == pl.faces().length) {
          run++;
          k = 0;
        }
        try (GridReader.Picture pic = kept.take(pl.start() + at)) {
          return crop(pl, at, pl.start() + at, pic);
        } catch (IOException e) {
          throw new ProbeException(ErrorCodes.IO_ERROR,
              "reading back the pixels kept in the spill file: " + e, e);
        }
      }
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
        int at = i - pl.start();
        if (at == pl.faces().length - 1) {
          run++;
        }
        return crop(pl, at, i, null);
      }
      return null;
    }

    /** Frame {@code i} ({@code k}-th of its run) from {@code pic}, or from the reader. */
    private CropFrame crop(Planned pl, int k, int i, GridReader.Picture pic) {
      Window win = pl.windows()[k];
      Detection face = pl.faces()[k];
      double scale = p.size() / win.side();
      byte[] jpeg;
      double sharp;
      try (Mat out = pic != null ? cropper.crop(pic, win.x0(), win.y0(), win.side(), p.size())
              : reader.crop(win.x0(), win.y0(), win.side(), p.size());
          BytePointer buf = new BytePointer()) {
        sharp = FaceQuality.sharpness(out, (face.x0() - win.x0()) * scale,
            (face.y0() - win.y0()) * scale, (face.x1() - win.x0()) * scale,
            (face.y1() - win.y0()) * scale);
        imencode(".jpg", out, buf, params);
        jpeg = new byte[(int) buf.limit()];
        buf.get(jpeg);
      }
      return new CropFrame(pl.info().segment(), i,
          pic != null ? pic.sourceTimeS() : reader.sourceTimeS(), win,
          win.outside(a.width(), a.height()), scale, face, pl.detected()[k], a.facesAt(i),
          FaceQuality.yawDeg(face), sharp, jpeg);
    }

    @Override
    public void close() {
      params.close();
      if (reader != null) {
        reader.close();
      }
      if (kept != null) {
        kept.close();
        cropper.close();
      }
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
