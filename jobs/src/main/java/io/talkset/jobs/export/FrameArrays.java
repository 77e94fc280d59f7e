package io.talkset.jobs.export;

import io.talkset.core.export.Npy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A clip's per-frame arrays, gathered row by row and written as {@code .npy}: one row per
 * video frame of the sample (frames {@code first} .. {@code first + frames - 1} of the clip's
 * 25 fps grid), NaN where a frame has no dataset row or the row has no value, so that array row
 * j, video frame j and audio samples 640 j .. 640 (j + 1) - 1 are the same instant. Fields whose
 * values are null in every row are left out rather than written as NaN.
 */
public final class FrameArrays {
  /** The fields in the order they are written. */
  public static final List<String> FIELDS = List.of("landmarks", "affine", "pose", "expression",
      "params", "mesh", "mesh_confidence", "morph_id", "morph_exp", "morph_pose", "morph_fit",
      "hdtf", "evp", "wav2lip", "samples");

  /** Fields of one value per frame, written (frames,) rather than (frames, 1). */
  static final List<String> SCALARS = List.of("mesh_confidence", "morph_fit");

  /**
   * Per-frame shapes of the flat columns that are matrices (their row-major layout in the
   * schemas): 68 x, y points; the view's 2 x 3 affine map; the mesh's 468 x, y, z points;
   * HDTF's 4 x 15, EVP's 28 x 12 and Wav2Lip's 16 x 80 windows. Others are written (frames, D).
   */
  static final Map<String, int[]> SHAPES = Map.of("landmarks", new int[] {68, 2},
      "affine", new int[] {2, 3}, "mesh", new int[] {468, 3},
      "hdtf", new int[] {4, 15}, "evp", new int[] {28, 12}, "wav2lip", new int[] {16, 80});

  private final int first;
  private final int frames;
  private final byte[] face;
  private final Map<String, float[][]> values = new LinkedHashMap<>();

  /**
   * @param first the clip's first frame in the sample (the grid frame of video frame 0)
   * @param frames video frames of the sample
   */
  public FrameArrays(int first, int frames) {
    if (frames <= 0 || first < 0) {
      throw new IllegalArgumentException("first " + first + ", frames " + frames);
    }
    this.first = first;
    this.frames = frames;
    this.face = new byte[frames];
    FIELDS.forEach(f -> values.put(f, new float[frames][]));
  }

  /** Marks grid frame {@code frameIndex} as having its own crop. */
  public void face(int frameIndex) {
    face[row(frameIndex)] = 1;
  }

  /** Sets a field of grid frame {@code frameIndex}; null values leave the row NaN. */
  public void set(int frameIndex, String field, float[] v) {
    float[][] f = values.get(field);
    if (f == null) {
      throw new IllegalArgumentException("unknown field " + field);
    }
    f[row(frameIndex)] = v;
  }

  /**
   * The arrays as {@code .npy} bytes by field name, in {@link #FIELDS} order after
   * {@code frame_index} (int32, the grid frame of each row) and {@code face} (uint8, 1 where the
   * frame has its own crop); each field (frames, ...) as {@link #SHAPES} says.
   */
  public Map<String, byte[]> npy() {
    Map<String, byte[]> out = new LinkedHashMap<>();
    int[] index = new int[frames];
    for (int j = 0; j < frames; j++) {
      index[j] = first + j;
    }
    out.put("frame_index", Npy.int32(index, frames));
    out.put("face", Npy.uint8(face, frames));
    for (String name : FIELDS) {
      float[][] rows = values.get(name);
      int d = -1;
      for (int j = 0; j < frames; j++) {
        if (rows[j] == null) {
          continue;
        }
        if (d >= 0 && rows[j].length != d) {
          throw new IllegalArgumentException(name + " of frame " + (first + j) + " has "
              + rows[j].length + " values, earlier frames " + d);
        }
        d = rows[j].length;
      }
      if (d <= 0) {
        continue;
      }
      float[] flat = new float[frames * d];
      Arrays.fill(flat, Float.NaN);
      for (int j = 0; j < frames; j++) {
        if (rows[j] != null) {
          System.arraycopy(rows[j], 0, flat, j * d, d);
        }
      }
      int[] m = SHAPES.get(name);
      out.put(name, m != null && m[0] * m[1] == d ? Npy.float32(flat, frames, m[0], m[1])
          : d == 1 && SCALARS.contains(name) ? Npy.float32(flat, frames)
          : Npy.float32(flat, frames, d));
    }
    return out;
  }

  /** Concatenated arrays (3DMM coefficients in Deep3DFaceRecon's order), null if any is null. */
  public static float[] concat(List<float[]> parts) {
    int n = 0;
    for (float[] p : parts) {
      if (p == null) {
        return null;
      }
      n += p.length;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** Doubles as floats (a 2 x 3 map as one row). */
  public static float[] floats(double[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) v[i];
    }
    return out;
  }

  /** Scalars as one row, null if any is null. */
  public static float[] scalars(Float... v) {
    List<Float> l = new ArrayList<>(Arrays.asList(v));
    if (l.contains(null)) {
      return null;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  private int row(int frameIndex) {
    int j = frameIndex - first;
    if (j < 0 || j >= frames) {
      throw new IllegalArgumentException("frame " + frameIndex + " outside " + first + " .. "
          + (first + frames - 1));
    }
    return j;
  }
}
