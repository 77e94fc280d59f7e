package io.talkset.core.curate;

import java.util.Locale;

/**
 * One curation rule, in the order that attributes a removed frame: clip rules first, then
 * segment rules, then frame rules, then the length of what is left. A frame that breaks several
 * rules is counted once, under the first, so removed counts add up to the frames taken out.
 */
public enum Rule {
  /** The sync stage has no estimate for the clip or a segment, or the offset is too large. */
  SYNC_OFFSET(Level.SEGMENT, "curate-sync-max-offset",
      "|sync.offset_frames| at most N 25 fps frames; a segment without a sync estimate is"
          + " removed"),
  /** The sync estimate's confidence is too low. */
  SYNC_CONFIDENCE(Level.SEGMENT, "curate-sync-min-confidence",
      "sync.confidence at least C; a segment without a sync estimate is removed"),
  /** The segment's identity descriptors spread too far: two people, or a face swap. */
  IDENTITY(Level.SEGMENT, "curate-max-identity-spread",
      "face_params_clips.segments.identity_spread at most D (one person per segment)"),
  /**
   * Re-times instead of removing: a clip whose offset is beyond the offset limit but within N
   * frames gets its audio shifted to offset 0; the frames whose shifted audio falls outside the
   * clip's audio are removed under this rule.
   */
  SYNC_RETIME(Level.FRAME, "curate-sync-retime",
      "re-time a clip whose sync offset is beyond --curate-sync-max-offset but within N frames"
          + " (confidence passing) to offset 0 instead of removing it; the frames its shifted"
          + " audio no longer covers are removed; 0 = off"),
  FACE_SIZE(Level.FRAME, "curate-min-face-px", "frames.face_px at least PX source pixels"),
  UPSCALE(Level.FRAME, "curate-max-upscale", "frames.upscale (crop size / window side) at most X"),
  SHARPNESS(Level.FRAME, "curate-min-sharpness",
      "frames.sharpness (variance of the Laplacian at 112 px) at least S"),
  YAW(Level.FRAME, "curate-max-yaw", "|face_params.yaw_deg| at most DEG"),
  PITCH(Level.FRAME, "curate-max-pitch", "|face_params.pitch_deg| at most DEG"),
  OUTSIDE(Level.FRAME, "curate-max-outside",
      "frames.outside_fraction (share of the window padded black) at most F"),
  FACES(Level.FRAME, "curate-max-faces", "frames.faces_in_picture at most N"),
  /** Runs of kept frames shorter than this, after every other rule, are cut. */
  SEGMENT_LENGTH(Level.SEGMENT, "curate-min-segment-s",
      "runs of consecutive kept frames of a segment at least S seconds");

  /** What a rule removes when it is broken. */
  public enum Level {
    CLIP, SEGMENT, FRAME;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Level level;
  private final String option;
  private final String description;

  Rule(Level level, String option, String description) {
    this.level = level;
    this.option = option;
    this.description = description;
  }

  /** The name in tables and dataset.json, e.g. {@code face_size}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The level at which the rule usually removes (sync may also remove a whole clip). */
  public Level level() {
    return level;
  }

  /** The command-line option that sets it, without the dashes. */
  public String option() {
    return option;
  }

  public String description() {
    return description;
  }

  public static Rule of(String label) {
    for (Rule r : values()) {
      if (r.label().equals(label)) {
        return r;
      }
    }
    throw new IllegalArgumentException("no curation rule '" + label + "'");
  }
}
