package io.talkset.core.faces;

import org.bytedeco.opencv.opencv_core.Mat;

/** Finds faces in one BGR image, best first, in that image's pixels. */
@FunctionalInterface
public interface FaceDetector {
  java.util.List<Detection> detect(Mat bgr) throws Exception;
}
