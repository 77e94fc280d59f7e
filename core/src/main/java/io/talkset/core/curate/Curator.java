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
 * {@link CurationRules#minRunFrames()} are cut. A value a rule needs but the pipeline did not
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
   */
  public record SegmentFacts(String syncClipStatus, String syncClipCode, String syncStatus,
      String syncCode, Integer offsetFrames, Double confidence, Double identitySpread) {}

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
      out.add(frameRule(rules, f));
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
      if (offset && Math.abs(s.offsetFrames()) > rules.limit(Rule.SYNC_OFFSET)) {
        return new Verdict(-1, Rule.SYNC_OFFSET, Rule.Level.SEGMENT, String.format(Locale.ROOT,
            "audio offset %+d frames, beyond ±%s", s.offsetFrames(),
            CurationRules.number(rules.limit(Rule.SYNC_OFFSET))));
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
