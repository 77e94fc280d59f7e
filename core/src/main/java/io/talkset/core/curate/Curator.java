package io.talkset.core.curate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Decides, for the frames of one face segment, which are kept and which rule removes each of the
 * others, with a reason a person can read. Clip and segment rules are looked at first (a broken
 * one removes every frame of the segment), then each frame's rules in {@link Rule} order (the
 * first broken one is named), then runs of consecutive kept frames shorter than
 * {@link CurationRules#minRunFrames()} are cut. A re-timed clip ({@link #clipShift}) has its
 * segments judged on the offset left after the shift, and loses, under
 * {@link Rule#SYNC_RETIME}, the frames its shifted audio no longer covers. A value a rule needs but the pipeline did not
 * measure (no sync estimate, no identity descriptor, no head pose, no sharpness) breaks the rule:
 * a trainer cannot trust a frame nobody checked.
 */
public final class Curator {
  private Curator() {}

  /**
   * What the sync and params stages said about a segment and its clip.
   *
   * @param syncClipStatus sync_clips.status, null when the sync stage has no row for the clip
   * @param syncClipCode sync_clips.error_code
   * @param syncStatus sync.status of the segment, null when it has no row
   * @param syncCode sync.error_code of the segment
   * @param offsetFrames sync.offset_frames
   * @param confidence sync.confidence
   * @param identitySpread face_params_clips.segments.identity_spread, null when not measured
   * @param audioShift the clip's audio shift in frames ({@link #clipShift}): frame t hears the
   *     audio of frame t - audioShift; 0 when the clip is not re-timed
   * @param gridFrames the clip's 25 fps frames with audio (frames_clips.grid_frames), null when
   *     not known
   */
  public record SegmentFacts(String syncClipStatus, String syncClipCode, String syncStatus,
      String syncCode, Integer offsetFrames, Double confidence, Double identitySpread,
      int audioShift, Integer gridFrames) {
    /** Facts of a clip that is not re-timed. */
    public SegmentFacts(String syncClipStatus, String syncClipCode, String syncStatus,
        String syncCode, Integer offsetFrames, Double confidence, Double identitySpread) {
      this(syncClipStatus, syncClipCode, syncStatus, syncCode, offsetFrames, confidence,
          identitySpread, 0, null);
    }
  }

  /**
   * One segment's sync estimate, as the clip's shift is chosen from them.
   *
   * @param frames sync.frames (the segment's length)
   * @param status sync.status
   */
  public record Estimate(int segment, int frames, String status, Integer offsetFrames,
      Double confidence) {}

  /**
   * One face frame's measures (frames and face_params columns); null where not measured.
   */
  public record Frame(int frameIndex, double facePx, double upscale, Double sharpness,
      Double yawDeg, Double pitchDeg, double outsideFraction, int facesInPicture) {}

  /**
   * The decision on one frame.
   *
   * @param rule the rule that removes it, null when kept
   * @param level what the rule removed: the whole clip, the segment (or a run of it), the frame
   * @param reason why, in words; frames removed for the same reason share the text
   */
  public record Verdict(int frameIndex, Rule rule, Rule.Level level, String reason) {
    public boolean kept() {
      return rule == null;
    }
  }

  /** The verdicts on a segment's frames, in frame order. */
  public static List<Verdict> segment(CurationRules rules, SegmentFacts facts,
      List<Frame> frames) {
    List<Frame> sorted = new ArrayList<>(frames);
    sorted.sort(Comparator.comparingInt(Frame::frameIndex));
    List<Verdict> out = new ArrayList<>(sorted.size());
    Verdict whole = segmentRule(rules, facts);
    if (whole != null) {
      for (Frame f : sorted) {
        out.add(new Verdict(f.frameIndex(), whole.rule(), whole.level(), whole.reason()));
      }
      return out;
    }
    for (Frame f : sorted) {
      out.add(facts.audioShift() != 0 && !heard(facts, f.frameIndex())
          ? new Verdict(f.frameIndex(), Rule.SYNC_RETIME, Rule.Level.FRAME, String.format(
              Locale.ROOT, "no audio after re-timing the clip by %+d frames",
              facts.audioShift()))
          : frameRule(rules, f));
    }
    int min = rules.minRunFrames();
    if (min > 1) {
      String reason = "kept run shorter than " + CurationRules.number(
          rules.limit(Rule.SEGMENT_LENGTH)) + " s (" + min + " frames)";
      int i = 0;
      while (i < out.size()) {
        if (!out.get(i).kept()) {
          i++;
          continue;
        }
        int j = i + 1;
        while (j < out.size() && out.get(j).kept()
            && out.get(j).frameIndex() == out.get(j - 1).frameIndex() + 1) {
          j++;
        }
        if (j - i < min) {
          for (int k = i; k < j; k++) {
            out.set(k, new Verdict(out.get(k).frameIndex(), Rule.SEGMENT_LENGTH,
                Rule.Level.SEGMENT, reason));
          }
        }
        i = j;
      }
    }
    return out;
  }

  /** The clip or segment rule that removes the whole segment, or null. */
  static Verdict segmentRule(CurationRules rules, SegmentFacts s) {
    boolean offset = rules.on(Rule.SYNC_OFFSET);
    boolean confidence = rules.on(Rule.SYNC_CONFIDENCE);
    if (offset || confidence) {
      Rule missing = offset ? Rule.SYNC_OFFSET : Rule.SYNC_CONFIDENCE;
      if (s.syncClipStatus() == null) {
        return new Verdict(-1, missing, Rule.Level.CLIP,
            "no sync estimate: the sync stage has not processed the clip");
      }
      if (!s.syncClipStatus().equals("ok")) {
        return new Verdict(-1, missing, Rule.Level.CLIP, "no sync estimate: clip "
            + s.syncClipStatus() + (s.syncClipCode() == null ? "" : " (" + s.syncClipCode()
            + ")"));
      }
      if (s.syncStatus() == null || !s.syncStatus().equals("ok") || s.offsetFrames() == null
          || s.confidence() == null) {
        return new Verdict(-1, missing, Rule.Level.SEGMENT, "no sync estimate: segment "
            + (s.syncStatus() == null ? "without a sync row" : s.syncStatus()
            + (s.syncCode() == null ? "" : " (" + s.syncCode() + ")")));
      }
      // A re-timed clip's segments are judged on the offset left after its shift.
      int left = s.offsetFrames() + s.audioShift();
      if (offset && Math.abs(left) > rules.limit(Rule.SYNC_OFFSET)) {
        String limit = CurationRules.number(rules.limit(Rule.SYNC_OFFSET));
        return new Verdict(-1, Rule.SYNC_OFFSET, Rule.Level.SEGMENT, s.audioShift() == 0
            ? String.format(Locale.ROOT, "audio offset %+d frames, beyond ±%s",
                s.offsetFrames(), limit)
            : String.format(Locale.ROOT, "audio offset %+d frames, %+d after re-timing the clip"
                + " by %+d, beyond ±%s", s.offsetFrames(), left, s.audioShift(), limit));
      }
      if (confidence && s.confidence() < rules.limit(Rule.SYNC_CONFIDENCE)) {
        return new Verdict(-1, Rule.SYNC_CONFIDENCE, Rule.Level.SEGMENT, String.format(
            Locale.ROOT, "sync confidence %.3f under %s", s.confidence(),
            CurationRules.number(rules.limit(Rule.SYNC_CONFIDENCE))));
      }
    }
    if (rules.on(Rule.IDENTITY)) {
      if (s.identitySpread() == null) {
        return new Verdict(-1, Rule.IDENTITY, Rule.Level.SEGMENT,
            "no identity descriptor for the segment");
      }
      if (s.identitySpread() > rules.limit(Rule.IDENTITY)) {
        return new Verdict(-1, Rule.IDENTITY, Rule.Level.SEGMENT, String.format(Locale.ROOT,
            "identity spread %.3f over %s", s.identitySpread(),
            CurationRules.number(rules.limit(Rule.IDENTITY))));
      }
    }
    return null;
  }

  /**
   * The audio shift of a clip, in frames (frame t of the dataset hears the clip's audio of frame
   * t - shift): {@code -offset} of its reference segment, the segment with an ok estimate and
   * the most frames (the most evidence; the lowest segment on a tie), when that offset is beyond
   * the offset limit, within the re-timing limit, and its confidence passes the minimum (when
   * that rule is on); otherwise 0. One shift per clip, as LatentSync shifts whole videos: a
   * file's audio delay is one number, and a per-clip export has one audio track.
   *
   * @param syncClipStatus sync_clips.status, null without a row
   */
  public static int clipShift(CurationRules rules, String syncClipStatus,
      List<Estimate> segments) {
    if (!rules.on(Rule.SYNC_RETIME) || !rules.on(Rule.SYNC_OFFSET)
        || !"ok".equals(syncClipStatus)) {
      return 0;
    }
    Estimate ref = null;
    for (Estimate e : segments) {
      if (!"ok".equals(e.status()) || e.offsetFrames() == null || e.confidence() == null) {
        continue;
      }
      if (ref == null || e.frames() > ref.frames()
          || (e.frames() == ref.frames() && e.segment() < ref.segment())) {
        ref = e;
      }
    }
    if (ref == null) {
      return 0;
    }
    int off = Math.abs(ref.offsetFrames());
    boolean confident = !rules.on(Rule.SYNC_CONFIDENCE)
        || ref.confidence() >= rules.limit(Rule.SYNC_CONFIDENCE);
    return off > rules.limit(Rule.SYNC_OFFSET) && off <= rules.limit(Rule.SYNC_RETIME)
        && confident ? -ref.offsetFrames() : 0;
  }

  /** Whether frame {@code i} still has audio once the clip's audio is shifted. */
  private static boolean heard(SegmentFacts s, int i) {
    long from = (long) i - s.audioShift();
    return from >= 0 && (s.gridFrames() == null || from < s.gridFrames());
  }

  /** The first frame rule the frame breaks, or a kept verdict. */
  static Verdict frameRule(CurationRules rules, Frame f) {
    int i = f.frameIndex();
    if (rules.on(Rule.FACE_SIZE) && f.facePx() < rules.limit(Rule.FACE_SIZE)) {
      return frame(i, Rule.FACE_SIZE, "face_px < " + n(rules, Rule.FACE_SIZE));
    }
    if (rules.on(Rule.UPSCALE) && f.upscale() > rules.limit(Rule.UPSCALE)) {
      return frame(i, Rule.UPSCALE, "upscale > " + n(rules, Rule.UPSCALE));
    }
    if (rules.on(Rule.SHARPNESS)) {
      if (f.sharpness() == null) {
        return frame(i, Rule.SHARPNESS, "no sharpness measured");
      }
      if (f.sharpness() < rules.limit(Rule.SHARPNESS)) {
        return frame(i, Rule.SHARPNESS, "sharpness < " + n(rules, Rule.SHARPNESS));
      }
    }
    if (rules.on(Rule.YAW)) {
      if (f.yawDeg() == null) {
        return frame(i, Rule.YAW, "no head pose");
      }
      if (Math.abs(f.yawDeg()) > rules.limit(Rule.YAW)) {
        return frame(i, Rule.YAW, "|yaw| > " + n(rules, Rule.YAW) + "°");
      }
    }
    if (rules.on(Rule.PITCH)) {
      if (f.pitchDeg() == null) {
        return frame(i, Rule.PITCH, "no head pose");
      }
      if (Math.abs(f.pitchDeg()) > rules.limit(Rule.PITCH)) {
        return frame(i, Rule.PITCH, "|pitch| > " + n(rules, Rule.PITCH) + "°");
      }
    }
    if (rules.on(Rule.OUTSIDE) && f.outsideFraction() > rules.limit(Rule.OUTSIDE)) {
      return frame(i, Rule.OUTSIDE, "outside_fraction > " + n(rules, Rule.OUTSIDE));
    }
    if (rules.on(Rule.FACES) && f.facesInPicture() > rules.limit(Rule.FACES)) {
      return frame(i, Rule.FACES, "faces_in_picture > " + n(rules, Rule.FACES));
    }
    return new Verdict(i, null, null, null);
  }

  private static Verdict frame(int i, Rule r, String reason) {
    return new Verdict(i, r, Rule.Level.FRAME, reason);
  }

  private static String n(CurationRules rules, Rule r) {
    return CurationRules.number(rules.limit(r));
  }
}
