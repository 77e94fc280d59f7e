package io.talkset.core.media;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.FloatBuffer;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Writes square face crops (JPEG bytes, one per 25 fps frame, in order) as an MP4: H.264
 * (FFmpeg's OpenH264 encoder, the one the bundled LGPL build has), 25 fps, yuv420p, with an
 * optional 16 kHz mono AAC track whose sample 0 is the first picture's time. Frames are
 * streamed: one decoded crop is held (to repeat it over gaps), and audio is handed to the
 * encoder frame by frame (640 samples per picture) so the file interleaves both streams.
 */
public final class CropVideoWriter implements AutoCloseable {
  public static final int FPS = 25;
  public static final int RATE = 16000;
  public static final int SAMPLES_PER_FRAME = RATE / FPS;

  private final FFmpegFrameRecorder recorder;
  private final OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
  private final int side;
  private final float[] audio;
  private Mat last;
  private int frames;
  private int audioWritten;
  private boolean closed;

  /**
   * @param file a local path ending in .mp4
   * @param side output width and height (crops are resized: area when shrinking, bicubic when
   *     enlarging, as the evaluation resizes real crops)
   * @param audio 16 kHz mono samples, sample 0 at the first frame, or null for no audio track;
   *     samples past the last frame are left out
   */
  public CropVideoWriter(String file, int side, float[] audio) throws FrameRecorder.Exception {
    if (side < 16 || side > 4096 || side % 2 != 0) {
      throw new IllegalArgumentException("side must be even, 16 .. 4096, got " + side);
    }
    this.side = side;
    this.audio = audio;
    recorder = new FFmpegFrameRecorder(file, side, side, audio == null ? 0 : 1);
    recorder.setFormat("mp4");
    recorder.setVideoCodec(avcodec.AV_CODEC_ID_H264);
    recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
    recorder.setFrameRate(FPS);
    recorder.setGopSize(FPS);
    // About 2 bits per pixel: crops stay close to their JPEGs (the "copy" baseline of an
    // evaluation should lose little to the encoder).
    recorder.setVideoBitrate((int) Math.min(50_000_000L, 2L * side * side * FPS));
    if (audio != null) {
      recorder.setAudioCodec(avcodec.AV_CODEC_ID_AAC);
      recorder.setSampleRate(RATE);
      recorder.setAudioChannels(1);
      recorder.setAudioBitrate(96_000);
    }
    try {
      recorder.start();
    } catch (FrameRecorder.Exception | RuntimeException e) {
      recorder.release();
      throw e;
    }
  }

  /** Appends one frame: the crop, decoded and resized to the output side. */
  public void add(byte[] jpeg) throws FrameRecorder.Exception {
    Mat img;
    try (BytePointer p = new BytePointer(jpeg); Mat buf = new Mat(1, jpeg.length,
        org.bytedeco.opencv.global.opencv_core.CV_8U, p)) {
      img = imdecode(buf, IMREAD_COLOR);
    }
    if (img == null || img.empty()) {
      if (img != null) {
        img.close();
      }
      throw new IllegalArgumentException("crop " + frames + " is not a readable JPEG");
    }
    take(img);
  }

  /** Appends one frame given as an 8-bit BGR picture (copied), resized as {@link #add(byte[])}. */
  public void add(Mat bgr) throws FrameRecorder.Exception {
    take(bgr.clone());
  }

  private void take(Mat img) throws FrameRecorder.Exception {
    if (img.cols() != side || img.rows() != side) {
      Mat out = new Mat();
      resize(img, out, new Size(side, side), 0, 0, img.cols() > side ? INTER_AREA : INTER_CUBIC);
      img.close();
      img = out;
    }
    if (last != null) {
      last.close();
    }
    last = img;
    repeat();
  }

  /** Appends the previous frame again (a frame without a crop); needs an earlier {@link #add}. */
  public void repeat() throws FrameRecorder.Exception {
    if (last == null) {
      throw new IllegalStateException("no frame to repeat yet");
    }
    Frame f = converter.convert(last);
    recorder.record(f, avutil.AV_PIX_FMT_BGR24);
    frames++;
    writeAudio((long) frames * SAMPLES_PER_FRAME);
  }

  public int frames() {
    return frames;
  }

  /** Audio samples written so far. */
  public int audioSamples() {
    return audioWritten;
  }

  private void writeAudio(long until) throws FrameRecorder.Exception {
    if (audio == null) {
      return;
    }
    int end = (int) Math.min(audio.length, until);
    if (end > audioWritten) {
      float[] chunk = java.util.Arrays.copyOfRange(audio, audioWritten, end);
      recorder.recordSamples(RATE, 1, FloatBuffer.wrap(chunk));
      audioWritten = end;
    }
  }

  /** Finishes the file (flushes both encoders, writes the index). */
  @Override
  public void close() throws FrameRecorder.Exception {
    if (closed) {
      return;
    }
    closed = true;
    try {
      recorder.stop();
    } finally {
      recorder.release();
      converter.close();
      if (last != null) {
        last.close();
      }
    }
  }
}
