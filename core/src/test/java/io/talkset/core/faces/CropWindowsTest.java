package io.talkset.core.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.talkset.core.faces.CropWindows.Outside;
import io.talkset.core.faces.CropWindows.Params;
import io.talkset.core.faces.CropWindows.Policy;
import io.talkset.core.faces.CropWindows.Run;
import io.talkset.core.faces.CropWindows.Window;
import java.util.List;
import org.junit.jupiter.api.Test;

class CropWindowsTest {

  static Detection box(float x0, float y0, float x1, float y1) {
    return new Detection(1, x0, y0, x1, y1, new float[12]);
  }

  @Test
  void clipPolicyIsTheZoomedUnionOfTheFaces() {
    Detection[] faces = {box(100, 100, 200, 220), box(140, 90, 230, 200)};
    List<Run> runs = CropWindows.windows(faces, 640, 480, Params.defaults(Policy.CLIP));
    assertEquals(1, runs.size());
    // Union 100..230 × 90..220: 130 square, × 1.2 = 156, centred on (165, 155).
    for (Window w : runs.get(0).windows()) {
      assertEquals(156, w.side(), 1e-9);
      assertEquals(165, w.cx(), 1e-9);
      assertEquals(155, w.cy(), 1e-9);
    }
  }

  @Test
  void smoothPolicyAveragesWithoutLag() {
    Detection[] faces = new Detection[21];
    for (int i = 0; i < faces.length; i++) {
      // A face moving right at 2 px a frame with ±3 px of jitter.
      float j = i % 2 == 0 ? 3 : -3;
      faces[i] = box(100 + 2 * i + j, 100, 200 + 2 * i + j, 200);
    }
    Params p = new Params(Policy.SMOOTH, 1.5, 9, Outside.PAD, 0);
    Window[] w = CropWindows.windows(faces, 640, 480, p).get(0).windows();
    // A centred average of a linear motion is the motion itself: no lag; the ±3 alternation
    // averages to ±3/9.
    assertEquals(150 + 2 * 10, w[10].cx(), 3.0 / 9 + 1e-9);
    assertEquals(150, w[10].side(), 1e-9);
    double[] jit = CropWindows.jitter(w);
    assertEquals(2.0 / 150, jit[0], 0.003);
  }

  @Test
  void outsideShareAndItsPolicies() {
    Window w = new Window(-50, 0, 100);
    assertEquals(0.5, w.outside(640, 480), 1e-12);
    Window shifted = CropWindows.shiftInside(w, 640, 480);
    assertEquals(0, shifted.x0(), 1e-12);
    assertEquals(100, shifted.side(), 1e-12);
    Window big = CropWindows.shiftInside(new Window(10, -100, 600), 640, 480);
    assertEquals(480, big.side(), 1e-12);
    assertEquals(0, big.y0(), 1e-12);
    assertEquals(10 + 300 - 240, big.x0(), 1e-12);

    // Reject: frames whose window leaves the picture are dropped and split the run.
    Detection[] faces = new Detection[10];
    for (int i = 0; i < faces.length; i++) {
      float x = i >= 4 && i < 6 ? -40 : 100;
      faces[i] = box(x, 100, x + 100, 200);
    }
    List<Run> runs = CropWindows.windows(faces, 640, 480,
        new Params(Policy.SMOOTH, 1.0, 1, Outside.REJECT, 0.0));
    assertEquals(2, runs.size());
    assertEquals(0, runs.get(0).offset());
    assertEquals(4, runs.get(0).windows().length);
    assertEquals(6, runs.get(1).offset());
    assertEquals(4, runs.get(1).windows().length);
  }
}
