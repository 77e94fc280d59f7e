package io.talkset.core.audio;

import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLT;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_uninit;
import static org.bytedeco.ffmpeg.global.swresample.swr_alloc_set_opts2;
import static org.bytedeco.ffmpeg.global.swresample.swr_convert;
import static org.bytedeco.ffmpeg.global.swresample.swr_free;
import static org.bytedeco.ffmpeg.global.swresample.swr_init;

import org.bytedeco.ffmpeg.avutil.AVChannelLayout;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/** Resamples a mono float array with libswresample, as the decoder does for whole tracks. */
public final class Resample {
  private Resample() {}

  public static float[] resample(float[] x, int fromRate, int toRate) {
    if (fromRate <= 0 || toRate <= 0) {
      throw new IllegalArgumentException("rates must be positive: " + fromRate + " -> " + toRate);
    }
    if (fromRate == toRate || x.length == 0) {
      return x.clone();
    }
    AVChannelLayout mono = new AVChannelLayout();
    av_channel_layout_default(mono, 1);
    PointerPointer<SwrContext> pp = new PointerPointer<>(1);
    pp.put(0, (Pointer) null);
    swr_alloc_set_opts2(pp, mono, AV_SAMPLE_FMT_FLT, toRate, mono, AV_SAMPLE_FMT_FLT, fromRate, 0,
        (Pointer) null);
    av_channel_layout_uninit(mono);
    SwrContext swr = pp.get(SwrContext.class, 0);
    if (swr == null || swr.isNull() || swr_init(swr) < 0) {
      throw new IllegalStateException("cannot resample " + fromRate + " -> " + toRate);
    }
    int capacity = (int) ((long) x.length * toRate / fromRate) + 256;
    float[] y = new float[capacity];
    int total = 0;
    try (FloatPointer in = new FloatPointer(x);
        FloatPointer out = new FloatPointer(capacity);
        PointerPointer<FloatPointer> inP = new PointerPointer<>(1);
        PointerPointer<FloatPointer> outP = new PointerPointer<>(1)) {
      inP.put(0, in);
      outP.put(0, out);
      int got = swr_convert(swr, outP, capacity, inP, x.length);
      while (got > 0 && total + got <= capacity) {
        out.get(y, total, got);
        total += got;
        // Drain what the filter still holds (null input = flush).
        got = swr_convert(swr, outP, capacity - total, (PointerPointer<?>) null, 0);
      }
      return java.util.Arrays.copyOf(y, total);
    } finally {
      swr_free(swr);
    }
  }
}
