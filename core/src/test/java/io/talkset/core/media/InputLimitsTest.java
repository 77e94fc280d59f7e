package io.talkset.core.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.audio.AudioDecoder;
import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.video.GridReader;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input limits on real media: the crawl rejects what the container declares over a limit, and the
 * decoders stop what the streams deliver over a limit even when the container declared less.
 */
class InputLimitsTest {
  private static final FfmpegProber PROBER = new FfmpegProber(FfmpegProber.FrameCount.ESTIMATE);
  /** 1280×720, 8.3 s, AAC + H.264. */
  private static final Path HELLO = Samples.get("video/forensics/movie-hello.mp4");
  private static final long FAR = System.nanoTime() + 120_000_000_000L;

  private static FileExaminer.Result examine(Path p, InputLimits limits) throws Exception {
    try (FileExaminer ex = new FileExaminer(PROBER, 30_000, FileExaminer.Require.ANY, limits)) {
      return ex.examine("file:" + p, Files.size(p), () -> new FileSource(p));
    }
  }

  @Test
  void theCrawlRejectsWhatTheContainerDeclaresOverALimit() throws Exception {
    assertEquals(FileExaminer.OK, examine(HELLO, InputLimits.DEFAULTS).status());

    FileExaminer.Result side = examine(HELLO, new InputLimits(1024, 1L << 40, 3600, 0));
    assertEquals(FileExaminer.REJECTED, side.status());
    assertEquals(ErrorCodes.OVER_LIMIT, side.errorCode());
    assertEquals("the video declares 1280×720 pictures, over --max-side 1024",
        side.errorMessage());
    // The probe's numbers are kept, so users can see what was over.
    assertEquals(1280, side.info().width);

    FileExaminer.Result pixels = examine(HELLO, new InputLimits(8192, 640 * 480, 3600, 0));
    assertEquals(ErrorCodes.OVER_LIMIT, pixels.errorCode());
    assertTrue(pixels.errorMessage().contains("921600 pixels"), pixels.errorMessage());

    FileExaminer.Result longer = examine(HELLO, new InputLimits(8192, 1L << 40, 5, 0));
    assertEquals(ErrorCodes.OVER_LIMIT, longer.errorCode());
    assertEquals("the file declares 8.3 s, over --max-duration-s 5", longer.errorMessage());

    long size = Files.size(HELLO);
    FileExaminer.Result big = examine(HELLO, new InputLimits(8192, 1L << 40, 3600, size - 1));
    assertEquals(ErrorCodes.OVER_LIMIT, big.errorCode());
    assertTrue(big.errorMessage().startsWith("the file has " + size + " bytes"));
    assertEquals(FileExaminer.OK,
        examine(HELLO, new InputLimits(8192, 1L << 40, 3600, size)).status());
  }

  /**
   * An MPEG-TS whose first second is 160×120 and whose second is 640×480: FFmpeg's probe (and
   * so the crawl) reports 160×120, the decoder then meets the larger pictures.
   */
  @Test
  void decodingStopsAtAPictureLargerThanTheContainerDeclared(@TempDir Path dir) throws Exception {
    Path small = dir.resolve("a.ts");
    Path large = dir.resolve("b.ts");
    Tools.ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=25:duration=1", "-c:v",
        "libx264", "-pix_fmt", "yuv420p", small.toString());
    Tools.ffmpeg("-f", "lavfi", "-i", "testsrc=size=640x480:rate=25:duration=1", "-c:v",
        "libx264", "-pix_fmt", "yuv420p", "-output_ts_offset", "1", large.toString());
    Path mixed = dir.resolve("mixed.ts");
    try (OutputStream out = Files.newOutputStream(mixed)) {
      Files.copy(small, out);
      Files.copy(large, out);
    }
    InputLimits limits = new InputLimits(320, 1L << 40, 3600, 0);
    FileExaminer.Result r = examine(mixed, limits);
    assertEquals(FileExaminer.OK, r.status(), "the container declares 160×120");
    assertEquals(160, r.info().width);

    int delivered = 0;
    try (FileSource src = new FileSource(mixed);
        GridReader g = GridReader.open(src, "mixed.ts", FAR, -1, 0).limits(limits)) {
      ProbeException e = null;
      try {
        while (g.next()) {
          assertEquals(160, g.width());
          delivered++;
        }
      } catch (ProbeException x) {
        e = x;
      }
      assertTrue(e != null, "decoding went past the larger pictures");
      assertEquals(ErrorCodes.OVER_LIMIT, e.code());
      assertEquals("the video decodes to 640×480 pictures, over --max-side 320", e.getMessage());
    }
    // The small part is delivered before the decoder meets the first large picture.
    assertTrue(delivered >= 23 && delivered <= 25, "delivered " + delivered);

    // Under a pixel limit the larger pictures never reach our code: FFmpeg's decoder refuses
    // them (max_pixels) before allocating them, and the decode stops there with over_limit.
    InputLimits pixels = new InputLimits(8192, 320 * 240, 3600, 0);
    delivered = 0;
    try (FileSource src = new FileSource(mixed);
        GridReader g = GridReader.open(src, "mixed.ts", FAR, -1, 0).limits(pixels)) {
      ProbeException e = null;
      try {
        while (g.next()) {
          assertEquals(160, g.width());
          delivered++;
        }
      } catch (ProbeException x) {
        e = x;
      }
      assertTrue(e != null, "decoding went past the larger pictures");
      assertEquals(ErrorCodes.OVER_LIMIT, e.code());
      assertEquals("the video holds 640×480 pictures (307200 pixels), over --max-frame-pixels"
          + " 76800: FFmpeg's decoder refused them before allocating", e.getMessage());
    }
    // The pictures the decoder still held when it refused are lost with the stream.
    assertTrue(delivered >= 20 && delivered <= 25, "delivered " + delivered);

    // Without the limit the same file decodes to the end (both parts).
    int all = 0;
    try (FileSource src = new FileSource(mixed);
        GridReader g = GridReader.open(src, "mixed.ts", FAR, -1, 0)) {
      while (g.next()) {
        all++;
      }
    }
    assertTrue(all >= 48, "frames " + all);
  }

  @Test
  void decodingStopsAtTheDurationLimitWhateverWasDeclared() throws Exception {
    InputLimits oneSecond = new InputLimits(8192, 1L << 40, 1.0, 0);
    int delivered = 0;
    try (FileSource src = new FileSource(HELLO);
        GridReader g = GridReader.open(src, "movie-hello.mp4", FAR, -1, 0).limits(oneSecond)) {
      ProbeException e = assertThrows(ProbeException.class, () -> {
        while (g.next()) {
          // drain
        }
      });
      assertEquals(ErrorCodes.OVER_LIMIT, e.code());
      assertEquals("the video stream runs past --max-duration-s 1 (the container declared less)",
          e.getMessage());
      delivered = g.index() + 1;
    }
    assertEquals(25, delivered, "exactly one second of grid frames");

    Path speech = Samples.get("speech/allison/confbridge-begin-glorious-a.wav");
    AudioDecoder limited = new AudioDecoder(16_000).limits(new InputLimits(8192, 1L << 40, 1.0,
        0));
    try (FileSource src = new FileSource(speech)) {
      ProbeException e = assertThrows(ProbeException.class,
          () -> limited.decodeAll(src, "a.wav", FAR, null));
      assertEquals(ErrorCodes.OVER_LIMIT, e.code());
    }
    try (FileSource src = new FileSource(speech)) {
      float[] y = new AudioDecoder(16_000).decodeAll(src, "a.wav", FAR, null);
      assertEquals(3.57275, y.length / 16_000.0, 1e-3, "all 3.57 s (soxi -D) at the default limits");
    }
    assertNull(InputLimits.DEFAULTS.pictureExceeded(7680, 4320, "declares"));
  }

  /**
   * One 2048×2048 picture (made here with FFmpeg) under a 1920×1080 pixel limit: FFmpeg's decoder
   * refuses it before allocating it, both while the stream information is read and while
   * decoding, and the decode ends with over_limit; the same file decodes without the limit.
   */
  @Test
  void aPictureOverThePixelLimitIsRefusedByTheDecoderBeforeItIsAllocated(@TempDir Path dir)
      throws Exception {
    Path big = dir.resolve("big.mkv");
    Tools.ffmpeg("-f", "lavfi", "-i", "color=c=gray:size=2048x2048:rate=25", "-frames:v", "1",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", big.toString());
    InputLimits hd = new InputLimits(8192, 1920L * 1080, 3600, 0);
    assertEquals(1920L * 1080 + 1920L * 1080 / 8, hd.decoderMaxPixels());
    try (FileSource src = new FileSource(big)) {
      ProbeException e = assertThrows(ProbeException.class, () -> {
        try (GridReader g = GridReader.open(src, "big.mkv", FAR, -1, 0, hd)) {
          while (g.next()) {
            // drain
          }
        }
      });
      assertEquals(ErrorCodes.OVER_LIMIT, e.code());
      assertEquals("the video holds 2048×2048 pictures (4194304 pixels), over --max-frame-pixels"
          + " 2073600: FFmpeg's decoder refused them before allocating", e.getMessage());
    }
    try (FileSource src = new FileSource(big);
        GridReader g = GridReader.open(src, "big.mkv", FAR, -1, 0, InputLimits.DEFAULTS)) {
      assertTrue(g.next());
      assertEquals(2048, g.width());
      assertEquals(2048, g.height());
      assertEquals(false, g.next());
    }
  }
}
