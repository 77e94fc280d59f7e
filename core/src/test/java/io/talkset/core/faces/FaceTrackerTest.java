package io.talkset.core.faces;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.faces.FaceTracker.Segment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tracking rules on hand-made detections, where the right answer is known exactly. */
class FaceTrackerTest {

  static Detection face(float cx, float cy, float size) {
    float h = size / 2;
    float[] kp = {cx - 0.2f * size, cy - 0.1f * size, cx + 0.2f * size, cy - 0.1f * size,
        cx, cy + 0.05f * size, cx, cy + 0.25f * size, cx - 0.45f * size, cy,
        cx + 0.45f * size, cy};
    return new Detection(0.9f, cx - h, cy - h, cx + h, cy + h, kp);
  }

  static List<List<Detection>> frames(int n) {
    List<List<Detection>> f = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      f.add(null);
    }
    return f;
  }

  static final FaceTracker.Params P = FaceTracker.Params.defaults().withMinFrames(10);

  @Test
  void detectionsEveryFifthFrameAreInterpolatedWithoutGaps() {
    List<List<Detection>> f = frames(41);
    for (int i = 0; i <= 40; i += 5) {
      f.set(i, List.of(face(100 + i, 100, 80)));
    }
    List<Segment> s = new FaceTracker(P).segments(f, new boolean[41]);
    assertEquals(1, s.size());
    assertEquals(0, s.get(0).start());
    assertEquals(41, s.get(0).length());
    for (int i = 0; i <= 40; i++) {
      assertEquals(100 + i, s.get(0).faces()[i].centerX(), 1e-3, "frame " + i);
      assertEquals(i % 5 == 0, s.get(0).detected()[i]);
    }
  }

  @Test
  void aLongGapEndsTheSegment() {
    List<List<Detection>> f = frames(60);
    for (int i = 0; i < 60; i++) {
      f.set(i, i >= 20 && i < 33 ? List.of() : List.of(face(200, 200, 90)));
    }
    List<Segment> s = new FaceTracker(P).segments(f, new boolean[60]);
    // 13 frames without a face is more than the 12 that are interpolated.
    assertEquals(2, s.size());
    assertEquals(0, s.get(0).start());
    assertEquals(20, s.get(0).end());
    assertEquals(33, s.get(1).start());
    assertEquals(60, s.get(1).end());
    f.set(20, List.of(face(200, 200, 90)));
    s = new FaceTracker(P).segments(f, new boolean[60]);
    assertEquals(1, s.size(), "a 12-frame gap is bridged");
    assertFalse(s.get(0).detected()[25]);
  }

  @Test
  void aShotCutEndsEveryTrack() {
    List<List<Detection>> f = frames(40);
    boolean[] cuts = new boolean[40];
    for (int i = 0; i < 40; i++) {
      f.set(i, List.of(face(150, 150, 100)));
    }
    cuts[17] = true;
    List<Segment> s = new FaceTracker(P).segments(f, cuts);
    assertEquals(2, s.size());
    assertEquals(17, s.get(0).end());
    assertEquals(17, s.get(1).start());
  }

  @Test
  void aFaceOfAnotherSizeInThePlaceIsAnotherIdentity() {
    List<List<Detection>> f = frames(40);
    for (int i = 0; i < 40; i++) {
      f.set(i, List.of(face(150, 150, i < 20 ? 100 : 180)));
    }
    List<Segment> s = new FaceTracker(P).segments(f, new boolean[40]);
    assertEquals(2, s.size());
    assertEquals(20, s.get(0).end());
    assertEquals(20, s.get(1).start());
    assertTrue(s.get(0).track() != s.get(1).track());
  }

  @Test
  void theLargestPersistentFaceIsTheSubject() {
    List<List<Detection>> f = frames(50);
    for (int i = 0; i < 50; i++) {
      // A small face throughout, a big one for the middle 30 frames.
      List<Detection> d = new ArrayList<>();
      d.add(face(60, 60, 40));
      if (i >= 10 && i < 40) {
        d.add(face(300, 200, 150));
      }
      f.set(i, d);
    }
    List<Segment> s = new FaceTracker(P).segments(f, new boolean[50]);
    assertEquals(1, s.size(), "the small face overlaps the subject in time, so it is not kept");
    assertEquals(10, s.get(0).start());
    assertEquals(40, s.get(0).end());
    assertEquals(300, s.get(0).faces()[5].centerX(), 1e-3);
    s = new FaceTracker(P.withSubject(FaceTracker.Subject.LONGEST)).segments(f,
        new boolean[50]);
    assertEquals(1, s.size());
    assertEquals(60, s.get(0).faces()[5].centerX(), 1e-3);
    assertArrayEquals(new int[] {0, 50}, new int[] {s.get(0).start(), s.get(0).end()});
  }

  @Test
  void twoFacesSideBySideKeepTheirTracks() {
    List<List<Detection>> f = frames(30);
    for (int i = 0; i < 30; i++) {
      // Listed in alternating order: matching must not depend on the detector's order.
      Detection a = face(100 + i, 100, 80);
      Detection b = face(300 - i, 100, 80);
      f.set(i, i % 2 == 0 ? List.of(a, b) : List.of(b, a));
    }
    FaceTracker t = new FaceTracker(P);
    List<FaceTracker.Track> tracks = t.track(f, new boolean[30]);
    assertEquals(2, tracks.size());
    for (FaceTracker.Track tr : tracks) {
      assertEquals(30, tr.dets.size());
      float dir = tr.dets.get(29).centerX() - tr.dets.get(0).centerX();
      assertEquals(29, Math.abs(dir), 1e-3);
    }
  }
}
