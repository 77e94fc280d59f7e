package io.talkset.core.audio;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every audio feature of one clip, per 25 fps video frame ({@link FrameAlignment}), from its
 * 16 kHz mono track. One instance per task (the extractors reuse FFT buffers).
 */
public final class AudioFeatures {
  private final Mfcc evpMfcc = new Mfcc(Mfcc.Params.evp(FrameAlignment.SAMPLE_RATE));
  private final Mfcc hdtfMfcc = new Mfcc(HDTF_MFCC);
  private final LogMel logMel = new LogMel();
  private final Pyin pyin;

  /** librosa-mode MFCC at 100 Hz used by the hdtf convention. */
  public static final Mfcc.Params HDTF_MFCC = Mfcc.Params.librosa(16000, 512, 160, 40, 13);
  private static final int SAMPLES = FrameAlignment.SAMPLES_PER_FRAME;

  /** The per-frame features of one clip. */
  public record Frames(int frames, int paddedSamples, int trimmedSamples, float[][] evp,
      float[][] wav2lip, float[][] hdtf, float[][] samples) {}

  public AudioFeatures(Pyin.Params pitch) {
    this.pyin = new Pyin(pitch);
  }

  /**
   * Features for {@code videoFrames} frames (or as many as the audio covers when negative).
   *
   * @param keepSamples also return each frame's 640 samples
   */
  public Frames compute(float[] y16k, int videoFrames, boolean keepSamples) {
    Stream s = stream(TrackReader.of(y16k), y16k.length, videoFrames, keepSamples,
        Integer.MAX_VALUE);
    if (!s.hasNext()) {
      return new Frames(0, s.paddedSamples(), s.trimmedSamples(), new float[0][],
          new float[0][], new float[0][], keepSamples ? new float[0][] : null);
    }
    Chunk c = s.next();
    return new Frames(s.frames(), s.paddedSamples(), s.trimmedSamples(), c.evp(), c.wav2lip(),
        c.hdtf(), c.samples());
  }

  /** The features of frames [firstFrame, firstFrame + frames()) of a clip. */
  public record Chunk(int firstFrame, float[][] evp, float[][] wav2lip, float[][] hdtf,
      float[][] samples) {
    public int frames() {
      return evp.length;
    }
  }

  /**
   * The features of a track that is read, not held: {@code chunkFrames} frames at a time, each
   * chunk computed from its own samples and a margin, equal to the whole track's values to the
   * bit (every row of every convention depends on at most a few hundred milliseconds around it;
   * the margin covers that). Two things need the whole track and are taken in a first pass: the
   * top_db floor of the hdtf MFCC (the track's loudest mel value) and the pitch track (the
   * Viterbi path; 17 bytes per 10 ms step are kept, 6 MB an hour).
   *
   * @param decodedSamples samples the reader holds; the grid's end pads them with silence or
   *     trims them to 640 × frames
   */
  public Stream stream(TrackReader track, long decodedSamples, int videoFrames,
      boolean keepSamples, int chunkFrames) {
    return new Stream(track, decodedSamples, videoFrames, keepSamples, chunkFrames);
  }

  /** Chunks of a clip's features, in frame order. */
  public final class Stream implements java.util.Iterator<Chunk> {
    /**
     * Samples read on either side of a chunk: more than any row of any convention reaches
     * beyond its frames (EVP's 28-row window: 2800 after, 1921 before; Wav2Lip's 16 mel rows:
     * 2760 after; a window moved back at the track's end: 3401 before the last frame's start).
     */
    static final int MARGIN = 4800;
    private final TrackReader track;
    private final long decoded;
    private final int frames;
    private final long total;
    private final boolean keepSamples;
    private final int chunkFrames;
    private final int pitchRows;
    private Pyin.Result pitch;
    private double hdtfMax = Double.NEGATIVE_INFINITY;
    private int next;

    private Stream(TrackReader track, long decoded, int videoFrames, boolean keepSamples,
        int chunkFrames) {
      this.track = track;
      this.decoded = decoded;
      this.frames = videoFrames >= 0 ? videoFrames
          : (int) ((decoded + SAMPLES - 1) / SAMPLES);
      this.total = (long) frames * SAMPLES;
      this.keepSamples = keepSamples;
      this.chunkFrames = Math.max(1, chunkFrames);
      this.pitchRows = hdtfMfcc.frames((int) total);
    }

    /** Frames of the clip on the 25 fps grid. */
    public int frames() {
      return frames;
    }

    /** Silence added at the end to fill the last frame or the video's length. */
    public int paddedSamples() {
      return (int) Math.max(0, total - decoded);
    }

    /** Decoded samples beyond the video's last frame, left out. */
    public int trimmedSamples() {
      return (int) Math.max(0, decoded - total);
    }

    @Override
    public boolean hasNext() {
      return next < frames;
    }

    /**
     * Runs the first pass now (otherwise the first {@link #next} does), so that a caller can
     * fail a clip before any of its rows is out.
     *
     * @throws ProbeException {@code probe_timeout} when {@code deadlineNanos} passes meanwhile
     */
    public void prepare(long deadlineNanos) throws ProbeException, java.io.IOException {
      if (pitch == null && frames > 0) {
        firstPass(deadlineNanos);
      }
    }

    @Override
    public Chunk next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      try {
        if (pitch == null) {
          firstPass(Long.MAX_VALUE);
        }
        int f0 = next;
        int f1 = end(f0);
        Signal y = window(f0, f1);
        float[][] evp = FrameAlignment.evp(y, f0, f1, evpMfcc);
        float[][] w2l = FrameAlignment.wav2lip(y, f0, f1, logMel);
        int first = Math.min(4 * f0, pitchRows - 1);
        int end = Math.max(first + 1, Math.min(pitchRows, 4 * (f1 - 1) + 4));
        float[][] mfcc = hdtfMfcc.librosaCepstra(hdtfMfcc.librosaLogMel(y, first, end),
            hdtfMax);
        float[][] hdtf = FrameAlignment.hdtf(mfcc, first, pitchRows, pitch, f0, f1);
        float[][] samples = null;
        if (keepSamples) {
          samples = new float[f1 - f0][SAMPLES];
          for (int i = f0; i < f1; i++) {
            for (int k = 0; k < SAMPLES; k++) {
              samples[i - f0][k] = y.at((long) i * SAMPLES + k);
            }
          }
        }
        next = f1;
        return new Chunk(f0, evp, w2l, hdtf, samples);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (ProbeException e) {
        throw new IllegalStateException(e);
      }
    }

    private int end(int f0) {
      return (int) Math.min(frames, (long) f0 + chunkFrames);
    }

    /** The loudest hdtf mel value and the pitch track, chunk by chunk over the whole track. */
    private void firstPass(long deadlineNanos) throws java.io.IOException, ProbeException {
      Pyin.Tracker pitchTrack = pyin.tracker(total);
      for (int f0 = 0; f0 < frames; f0 = end(f0)) {
        if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos > 0) {
          throw new ProbeException(ErrorCodes.PROBE_TIMEOUT,
              "audio features exceeded the clip's time limit");
        }
        int f1 = end(f0);
        Signal y = window(f0, f1);
        int first = 4 * f0;
        int end = f1 == frames ? pitchRows : 4 * f1;
        hdtfMax = Mfcc.max(hdtfMfcc.librosaLogMel(y, first, end), hdtfMax);
        pitchTrack.advance(y, end);
      }
      pitch = pitchTrack.finish();
    }

    /** Samples of frames [f0, f1) and the margin around them, silence past the decoded end. */
    private Signal window(int f0, int f1) throws java.io.IOException {
      long lo = Math.max(0, (long) f0 * SAMPLES - MARGIN);
      long hi = Math.min(total, (long) f1 * SAMPLES + MARGIN);
      float[] buf = new float[(int) (hi - lo)];
      long readable = Math.min(hi, decoded) - lo;
      if (readable > 0) {
        track.read(lo, buf, (int) readable);
      }
      return Signal.window(buf, lo, buf.length, total);
    }
  }

  /** Every parameter of every convention, for the dataset's metadata. */
  public Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("frame", "25 fps; frame i = samples [640 i, 640 (i + 1)) at 16 kHz from the video's t=0");
    m.put("evp", "python_speech_features MFCC (" + evpMfcc.params().describe()
        + "), 0.12 s zero padding each side, window rows [4i, 4i+28), coefficients 1..12");
    m.put("wav2lip", "log-mel (" + LogMel.describe() + "), rows [int(80 i / 25), +16)");
    m.put("hdtf", "librosa MFCC (" + hdtfMfcc.params().describe() + ") + pYIN ("
        + pyin.params().describe() + "), rows [4i, 4i+4), 13 MFCC + F0 + voiced_prob per row");
    return m;
  }
}
