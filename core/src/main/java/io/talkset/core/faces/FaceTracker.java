package io.talkset.core.faces;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Joins per-frame detections into face tracks and picks the subject segments, offline over a
 * whole clip (detections are a few floats per frame, so an hour of video is a few megabytes).
 *
 * <p>A detection joins the track whose last face it overlaps (box IoU) or whose keypoints it
 * stays near, and whose size it keeps; the best pairs are taken first. A track ends at a shot
 * change, when no detection has joined it for more than {@code maxGap} frames, or when its face
 * jumps (a detection at its place but of another size or far-off keypoints starts a new track:
 * an identity jump). Frames between two detections of a track (frames the detector skipped or
 * missed) are interpolated linearly, so a track has a face on every frame from its first
 * detection to its last.
 *
 * <p>Subjects: within each shot, tracks are ranked by the policy (default: summed face area over
 * their detections, "largest and most persistent"); the best becomes a segment, then the next best
 * that does not overlap a chosen one in time, and so on. Tracks shorter than
 * {@code minFrames}, or whose detections average a score under {@code minMeanScore}, are dropped.
 */
public final class FaceTracker {

  /** How a shot's subject is chosen. */
  public enum Subject {
    /** Summed face area over its detections: big and long-lived faces win. */
    LARGEST_PERSISTENT,
    /** Mean face area. */
    LARGEST,
    /** Number of frames. */
    LONGEST;

    public static Subject parse(String s) {
      return switch (s.toLowerCase(java.util.Locale.ROOT).replace('-', '_')) {
        case "largest_persistent" -> LARGEST_PERSISTENT;
        case "largest" -> LARGEST;
        case "longest" -> LONGEST;
        default -> throw new IllegalArgumentException(
            "subject policy must be largest_persistent, largest or longest, not " + s);
      };
    }
  }

  /**
   * @param maxGap longest run of frames without a detection that is interpolated
   * @param minFrames shortest segment kept
   * @param minIou box overlap that joins a detection to a track
   * @param maxKeypointShift mean keypoint distance, in face sizes, that also joins
   * @param maxSizeRatio face size change between two detections beyond which it is another face
   * @param minMeanScore lowest mean detector score of a track's detections for it to become a
   *     segment. A steady false positive (BlazeFace on a terminal screen recording: 0.52 and 0.58
   *     over 40-56 frames) passes the per-frame threshold again and again; real faces in the
   *     samples average 0.79-0.95, so the mean separates them where one frame cannot.
   */
  public record Params(int maxGap, int minFrames, float minIou, float maxKeypointShift,
      float maxSizeRatio, Subject subject, float minMeanScore) {
    public static final float DEFAULT_MIN_MEAN_SCORE = 0.65f;

    public static Params defaults() {
      return new Params(12, 25, 0.3f, 0.35f, 1.6f, Subject.LARGEST_PERSISTENT,
          DEFAULT_MIN_MEAN_SCORE);
    }

    public Params withMaxGap(int g) {
      return new Params(g, minFrames, minIou, maxKeypointShift, maxSizeRatio, subject,
          minMeanScore);
    }

    public Params withMinFrames(int m) {
      return new Params(maxGap, m, minIou, maxKeypointShift, maxSizeRatio, subject, minMeanScore);
    }

    public Params withSubject(Subject s) {
      return new Params(maxGap, minFrames, minIou, maxKeypointShift, maxSizeRatio, s,
          minMeanScore);
    }

    public Params withMinMeanScore(float m) {
      return new Params(maxGap, minFrames, minIou, maxKeypointShift, maxSizeRatio, subject, m);
    }
  }

  /**
   * A subject's continuous run of frames.
   *
   * @param track id of the track it came from (in order of first appearance)
   * @param start first frame
   * @param faces one face per frame from {@code start}, detected or interpolated
   * @param detected whether the face of that frame came from the detector
   */
  public record Segment(int track, int start, Detection[] faces, boolean[] detected) {
    public int length() {
      return faces.length;
    }

    public int end() {
      return start + faces.length;
    }
  }

  /** A track while it is being built. */
  static final class Track {
    final int id;
    final int shot;
    final List<Integer> frames = new ArrayList<>();
    final List<Detection> dets = new ArrayList<>();
    boolean open = true;

    Track(int id, int shot) {
      this.id = id;
      this.shot = shot;
    }

    int last() {
      return frames.get(frames.size() - 1);
    }

    Detection lastDet() {
      return dets.get(dets.size() - 1);
    }

    double meanScore() {
      double sum = 0;
      for (Detection d : dets) {
        sum += d.score();
      }
      return dets.isEmpty() ? 0 : sum / dets.size();
    }

    double rank(Subject s) {
      double area = 0;
      for (Detection d : dets) {
        area += d.width() * (double) d.height();
      }
      int span = last() - frames.get(0) + 1;
      return switch (s) {
        case LARGEST_PERSISTENT -> area;
        case LARGEST -> area / dets.size();
        case LONGEST -> span + 1e-9 * area;
      };
    }
  }

  private final Params params;

  public FaceTracker(Params params) {
    this.params = params;
  }

  /**
   * Tracks and segments a clip.
   *
   * @param detections per frame: the faces found, or null where the detector did not run
   * @param cuts per frame: true where a new shot starts
   */
  public List<Segment> segments(List<List<Detection>> detections, boolean[] cuts) {
    List<Track> tracks = track(detections, cuts);
    List<Segment> out = new ArrayList<>();
    int shots = 0;
    for (Track t : tracks) {
      shots = Math.max(shots, t.shot + 1);
    }
    for (int shot = 0; shot < shots; shot++) {
      List<Track> inShot = new ArrayList<>();
      for (Track t : tracks) {
        if (t.shot == shot) {
          inShot.add(t);
        }
      }
      inShot.sort(Comparator.comparingDouble((Track t) -> -t.rank(params.subject())));
      List<int[]> taken = new ArrayList<>();
      for (Track t : inShot) {
        int a = t.frames.get(0);
        int b = t.last() + 1;
        if (b - a < params.minFrames() || t.meanScore() < params.minMeanScore()) {
          continue;
        }
        boolean overlaps = false;
        for (int[] r : taken) {
          overlaps |= a < r[1] && r[0] < b;
        }
        if (!overlaps) {
          taken.add(new int[] {a, b});
          out.add(fill(t));
        }
      }
    }
    out.sort(Comparator.comparingInt(Segment::start));
    return out;
  }

  List<Track> track(List<List<Detection>> detections, boolean[] cuts) {
    List<Track> all = new ArrayList<>();
    List<Track> active = new ArrayList<>();
    int shot = 0;
    for (int f = 0; f < detections.size(); f++) {
      if (f > 0 && cuts[f]) {
        shot++;
        active.forEach(t -> t.open = false);
        active.clear();
      }
      List<Detection> dets = detections.get(f);
      if (dets == null) {
        continue;
      }
      final int frame = f;
      active.removeIf(t -> {
        if (frame - t.last() - 1 > params.maxGap()) {
          t.open = false;
        }
        return !t.open;
      });
      // Every acceptable (track, detection) pair, best first.
      List<double[]> pairs = new ArrayList<>();
      for (int ti = 0; ti < active.size(); ti++) {
        for (int di = 0; di < dets.size(); di++) {
          double s = similarity(active.get(ti).lastDet(), dets.get(di));
          if (s > 0) {
            pairs.add(new double[] {s, ti, di});
          }
        }
      }
      pairs.sort(Comparator.comparingDouble((double[] p) -> -p[0]));
      boolean[] trackUsed = new boolean[active.size()];
      boolean[] detUsed = new boolean[dets.size()];
      for (double[] p : pairs) {
        int ti = (int) p[1];
        int di = (int) p[2];
        if (!trackUsed[ti] && !detUsed[di]) {
          trackUsed[ti] = true;
          detUsed[di] = true;
          active.get(ti).frames.add(f);
          active.get(ti).dets.add(dets.get(di));
        }
      }
      for (int di = 0; di < dets.size(); di++) {
        if (!detUsed[di]) {
          Track t = new Track(all.size(), shot);
          t.frames.add(f);
          t.dets.add(dets.get(di));
          all.add(t);
          active.add(t);
        }
      }
    }
    return all;
  }

  /**
   * How well a detection continues a track's last face: 0 when it is another face, else higher
   * is better (IoU plus closeness of the keypoints).
   */
  double similarity(Detection last, Detection d) {
    double sizeA = Math.max(last.width(), last.height());
    double sizeB = Math.max(d.width(), d.height());
    double ratio = Math.max(sizeA, sizeB) / Math.max(1e-6, Math.min(sizeA, sizeB));
    if (ratio > params.maxSizeRatio()) {
      return 0;
    }
    double iou = last.iou(d);
    double shift = keypointShift(last, d) / sizeA;
    if (iou < params.minIou() && shift > params.maxKeypointShift()) {
      return 0;
    }
    return iou + Math.max(0, 1 - shift);
  }

  /** Mean distance between corresponding keypoints, in pixels. */
  static double keypointShift(Detection a, Detection b) {
    double sum = 0;
    int n = Math.min(a.keypoints().length, b.keypoints().length) / 2;
    for (int k = 0; k < n; k++) {
      sum += Math.hypot(a.keypoints()[2 * k] - b.keypoints()[2 * k],
          a.keypoints()[2 * k + 1] - b.keypoints()[2 * k + 1]);
    }
    return n == 0 ? 0 : sum / n;
  }

  private static Segment fill(Track t) {
    int start = t.frames.get(0);
    int n = t.last() - start + 1;
    Detection[] faces = new Detection[n];
    boolean[] detected = new boolean[n];
    for (int i = 0; i < t.frames.size(); i++) {
      int f = t.frames.get(i) - start;
      faces[f] = t.dets.get(i);
      detected[f] = true;
      if (i > 0) {
        int p = t.frames.get(i - 1) - start;
        for (int g = p + 1; g < f; g++) {
          faces[g] = lerp(faces[p], faces[f], (g - p) / (double) (f - p));
        }
      }
    }
    return new Segment(t.id, start, faces, detected);
  }

  static Detection lerp(Detection a, Detection b, double w) {
    float[] kp = new float[Math.min(a.keypoints().length, b.keypoints().length)];
    for (int i = 0; i < kp.length; i++) {
      kp[i] = (float) (a.keypoints()[i] + w * (b.keypoints()[i] - a.keypoints()[i]));
    }
    return new Detection((float) (a.score() + w * (b.score() - a.score())),
        (float) (a.x0() + w * (b.x0() - a.x0())), (float) (a.y0() + w * (b.y0() - a.y0())),
        (float) (a.x1() + w * (b.x1() - a.x1())), (float) (a.y1() + w * (b.y1() - a.y1())), kp);
  }
}
