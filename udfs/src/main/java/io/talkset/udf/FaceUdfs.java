package io.talkset.udf;

import io.talkset.core.metrics.IdentitySimilarity;
import org.apache.spark.sql.api.java.UDF2;
import scala.collection.Seq;

/**
 * Face UDFs over identity descriptors (128-d face-api vectors: e.g. the {@code descriptor} of a
 * {@code face_params_clips} segment). Null in, null out; descriptors of different lengths are an
 * error naming both lengths.
 */
public final class FaceUdfs {
  private FaceUdfs() {}

  /**
   * {@code talkset_identity_similarity(a ARRAY<FLOAT>, b ARRAY<FLOAT>) -> DOUBLE}: cosine of two
   * descriptors (1 = same direction; the CSIM of talking-head papers).
   */
  public static final class IdentitySimilarityUdf implements UDF2<Seq<Object>, Seq<Object>,
      Double> {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "talkset_identity_similarity";

    @Override
    public Double call(Seq<Object> a, Seq<Object> b) {
      if (a == null || b == null) {
        return null;
      }
      return IdentitySimilarity.cosine(AudioUdfs.floats(a), AudioUdfs.floats(b));
    }
  }

  /**
   * {@code talkset_identity_distance(a ARRAY<FLOAT>, b ARRAY<FLOAT>) -> DOUBLE}: Euclidean
   * distance of two descriptors, face-api's own measure (same person below 0.6).
   */
  public static final class IdentityDistanceUdf implements UDF2<Seq<Object>, Seq<Object>,
      Double> {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "talkset_identity_distance";

    @Override
    public Double call(Seq<Object> a, Seq<Object> b) {
      if (a == null || b == null) {
        return null;
      }
      return IdentitySimilarity.compare(AudioUdfs.floats(a), AudioUdfs.floats(b)).distance();
    }
  }
}
