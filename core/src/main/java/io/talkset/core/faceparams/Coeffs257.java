package io.talkset.core.faceparams;

import java.util.Arrays;

/**
 * The 257 coefficients a Deep3DFaceRecon-style regressor outputs for one aligned 224×224 crop
 * (see {@link Align5}), split the way Deep3DFaceRecon_pytorch's {@code split_coeff} does.
 *
 * <pre>
 *   part    range      length  meaning
 *   id      [0, 80)    80      BFM identity (shape) basis weights
 *   exp     [80, 144)  64      expression basis weights
 *   tex     [144, 224) 80      albedo (texture) basis weights
 *   angle   [224, 227) 3       rotation about x, y, z in radians: p ↦ Rz·Ry·Rx·p
 *   gamma   [227, 254) 27      SH lighting, colour-major: r[0..9), g[9..18), b[18..27);
 *                              the renderer adds 0.8 to each colour's first coefficient
 *   trans   [254, 257) 3       translation in model units (camera at z = 10, looking down −z)
 * </pre>
 *
 * <p>The part names are the keys of {@code split_coeff}'s dictionary, so a schema column or a
 * Parquet metadata key written from {@link Part#key()} reads the same in Python.
 */
public final class Coeffs257 {
  /** Values per frame. */
  public static final int LENGTH = 257;
  /** Focal length, in crop pixels, of the renderer's pinhole camera. */
  public static final double FOCAL = 1015.0;
  /** Principal point of that camera, in crop pixels (both axes, y up). */
  public static final double CENTER = 112.0;
  /** Distance from the camera to the model origin when {@code trans} is zero. */
  public static final double CAMERA_DISTANCE = 10.0;

  /** One named slice of the vector. */
  public enum Part {
    ID("id", 0, 80),
    EXP("exp", 80, 64),
    TEX("tex", 144, 80),
    ANGLE("angle", 224, 3),
    GAMMA("gamma", 227, 27),
    TRANS("trans", 254, 3);

    private final String key;
    private final int offset;
    private final int length;

    Part(String key, int offset, int length) {
      this.key = key;
      this.offset = offset;
      this.length = length;
    }

    /** Deep3DFaceRecon's dictionary key for this part. */
    public String key() {
      return key;
    }

    /** First index in the 257-vector. */
    public int offset() {
      return offset;
    }

    public int length() {
      return length;
    }

    /** One past the last index. */
    public int end() {
      return offset + length;
    }

    /** A copy of this part of {@code coeffs}. */
    public float[] of(float[] coeffs) {
      check(coeffs);
      return Arrays.copyOfRange(coeffs, offset, end());
    }
  }

  /** The vector split into its parts (copies). */
  public record Split(float[] id, float[] exp, float[] tex, float[] angle, float[] gamma,
      float[] trans) {
    public Split {
      need(id, Part.ID);
      need(exp, Part.EXP);
      need(tex, Part.TEX);
      need(angle, Part.ANGLE);
      need(gamma, Part.GAMMA);
      need(trans, Part.TRANS);
    }

    private static void need(float[] a, Part p) {
      if (a == null || a.length != p.length()) {
        throw new IllegalArgumentException(p.key() + " needs " + p.length() + " values, got "
            + (a == null ? "null" : a.length));
      }
    }

    /** The part by name. */
    public float[] get(Part p) {
      return switch (p) {
        case ID -> id;
        case EXP -> exp;
        case TEX -> tex;
        case ANGLE -> angle;
        case GAMMA -> gamma;
        case TRANS -> trans;
      };
    }
  }

  private Coeffs257() {}

  public static Split split(float[] coeffs) {
    check(coeffs);
    return new Split(Part.ID.of(coeffs), Part.EXP.of(coeffs), Part.TEX.of(coeffs),
        Part.ANGLE.of(coeffs), Part.GAMMA.of(coeffs), Part.TRANS.of(coeffs));
  }

  /** The inverse of {@link #split}. */
  public static float[] join(Split s) {
    float[] out = new float[LENGTH];
    for (Part p : Part.values()) {
      System.arraycopy(s.get(p), 0, out, p.offset(), p.length());
    }
    return out;
  }

  /**
   * Where the model origin (moved by {@code trans}) projects in the 224×224 crop, as
   * {u, v} pixels with v down: Deep3DFaceRecon's camera gives y-up coordinates
   * {@code CENTER + FOCAL·t/(CAMERA_DISTANCE − tz)}, and its landmarks convention flips them
   * with {@code v = 223 − y}. {@link Align5.Transform#toSource} takes the result back to the
   * video frame.
   */
  public static double[] originInCrop(float[] coeffs) {
    check(coeffs);
    double tx = coeffs[Part.TRANS.offset()];
    double ty = coeffs[Part.TRANS.offset() + 1];
    double tz = coeffs[Part.TRANS.offset() + 2];
    double depth = CAMERA_DISTANCE - tz;
    double x = CENTER + FOCAL * tx / depth;
    double yUp = CENTER + FOCAL * ty / depth;
    return new double[] {x, Align5.SIZE - 1 - yUp};
  }

  private static void check(float[] coeffs) {
    if (coeffs == null || coeffs.length != LENGTH) {
      throw new IllegalArgumentException("expected " + LENGTH + " coefficients, got "
          + (coeffs == null ? "null" : coeffs.length));
    }
  }
}
