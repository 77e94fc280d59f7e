package io.talkset.udf;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import io.talkset.core.metrics.Psnr;
import io.talkset.core.metrics.Sharpness;
import io.talkset.core.metrics.Ssim;
import java.util.Locale;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF3;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Image-quality UDFs over encoded pictures (JPEG, PNG: e.g. the {@code jpeg} column of the
 * frames table, or a generated frame). Null in, null out; a picture that does not decode, or two
 * of different sizes, is an error naming the problem.
 */
public final class ImageUdfs {
  private ImageUdfs() {}

  static Mat decode(byte[] bytes, String which) {
    try (BytePointer p = new BytePointer(bytes);
        Mat buf = new Mat(1, bytes.length, opencv_core.CV_8U, p)) {
      Mat m = imdecode(buf, IMREAD_COLOR);
      if (m == null || m.empty()) {
        throw new IllegalArgumentException(which + " (" + bytes.length
            + " bytes) is not a decodable image");
      }
      return m;
    }
  }

  static void sameSize(Mat a, Mat b) {
    if (a.cols() != b.cols() || a.rows() != b.rows()) {
      throw new IllegalArgumentException("pictures differ in size: " + a.cols() + "x" + a.rows()
          + " and " + b.cols() + "x" + b.rows());
    }
  }

  /**
   * {@code talkset_ssim(a BINARY, b BINARY, convention STRING) -> DOUBLE}: mean SSIM;
   * convention {@code skimage} (scikit-image's Gaussian defaults, per RGB channel) or
   * {@code wang} (the 2004 paper's constants on BT.601 luma).
   */
  public static final class SsimUdf implements UDF3<byte[], byte[], String, Double> {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "talkset_ssim";

    @Override
    public Double call(byte[] a, byte[] b, String convention) {
      if (a == null || b == null || convention == null) {
        return null;
      }
      String c = convention.trim().toLowerCase(Locale.ROOT);
      Ssim ssim = switch (c) {
        case "skimage" -> new Ssim(Ssim.SKIMAGE);
        case "wang" -> new Ssim(Ssim.WANG_2004);
        default -> throw new IllegalArgumentException(
            "talkset_ssim convention must be skimage or wang, got '" + convention + "'");
      };
      try (Mat x = decode(a, "first picture"); Mat y = decode(b, "second picture")) {
        sameSize(x, y);
        return ssim.mean(x, y);
      }
    }
  }

  /**
   * {@code talkset_psnr(a BINARY, b BINARY, channel STRING) -> DOUBLE}: PSNR in dB, data range
   * 255, channel {@code rgb} or {@code y} (BT.601 luma); identical pictures give +Infinity.
   */
  public static final class PsnrUdf implements UDF3<byte[], byte[], String, Double> {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "talkset_psnr";

    @Override
    public Double call(byte[] a, byte[] b, String channel) {
      if (a == null || b == null || channel == null) {
        return null;
      }
      String c = channel.trim().toLowerCase(Locale.ROOT);
      if (!c.equals("rgb") && !c.equals("y")) {
        throw new IllegalArgumentException("talkset_psnr channel must be rgb or y, got '"
            + channel + "'");
      }
      try (Mat x = decode(a, "first picture"); Mat y = decode(b, "second picture")) {
        sameSize(x, y);
        return c.equals("rgb") ? Psnr.rgb(x, y) : Psnr.luma(x, y);
      }
    }
  }

  /** {@code talkset_cpbd(a BINARY) -> DOUBLE}: CPBD no-reference sharpness, 0 (blurred) to 1. */
  public static final class CpbdUdf implements UDF1<byte[], Double> {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "talkset_cpbd";

    @Override
    public Double call(byte[] a) {
      if (a == null) {
        return null;
      }
      try (Mat x = decode(a, "picture")) {
        return Sharpness.cpbd(x);
      }
    }
  }
}
