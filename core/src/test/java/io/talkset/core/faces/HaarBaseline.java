package io.talkset.core.faces;

import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.equalizeHist;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.RectVector;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_objdetect.CascadeClassifier;

/**
 * The baseline many preprocessing scripts use: OpenCV's frontal-face Haar cascade on every frame,
 * largest face first. Keypoints are not given (zeros).
 */
final class HaarBaseline implements FaceDetector, AutoCloseable {
  private final CascadeClassifier cascade;

  HaarBaseline(Path tmp) throws Exception {
    // CascadeClassifier needs a file path, not a class-path resource.
    Path xml = tmp.resolve("haarcascade_frontalface_default.xml");
    try (InputStream in = CascadeClassifier.class.getResourceAsStream(
        "/org/bytedeco/opencv/linux-x86_64/share/opencv4/haarcascades/"
            + "haarcascade_frontalface_default.xml")) {
      Files.copy(in, xml, StandardCopyOption.REPLACE_EXISTING);
    }
    cascade = new CascadeClassifier(xml.toString());
    if (cascade.empty()) {
      throw new IllegalStateException("cascade did not load");
    }
  }

  @Override
  public List<Detection> detect(Mat bgr) {
    List<Detection> out = new ArrayList<>();
    try (Mat gray = new Mat(); RectVector found = new RectVector()) {
      cvtColor(bgr, gray, COLOR_BGR2GRAY);
      equalizeHist(gray, gray);
      cascade.detectMultiScale(gray, found, 1.1, 3, 0, new Size(30, 30), new Size());
      for (long i = 0; i < found.size(); i++) {
        Rect r = found.get(i);
        out.add(new Detection(1, r.x(), r.y(), r.x() + r.width(), r.y() + r.height(),
            new float[12]));
      }
    }
    out.sort(Comparator.comparingDouble(d -> -d.width() * d.height()));
    return out;
  }

  @Override
  public void close() {
    cascade.close();
  }
}
