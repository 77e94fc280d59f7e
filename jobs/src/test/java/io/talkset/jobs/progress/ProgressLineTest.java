package io.talkset.jobs.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProgressLineTest {
  @Test
  void rateIsFramesOverWallTimeAndEtaScalesTheTimePerClip() {
    // 950 frames in 10 s; 12 clips took 10 s, so the other 50 take 50 * 10 / 12 = 41.7 s.
    assertEquals("progress audio: 12/62 clips, 950 frames, 95.0 frames/s, ETA 0:42",
        ProgressLine.format("audio", 12, 62, 950, 10_000));
  }

  @Test
  void noFramesNoRateAndUnknownEtaBeforeTheFirstClip() {
    assertEquals("progress crawl: 0/8 clips, ETA ?", ProgressLine.format("crawl", 0, 8, 0, 3_000));
  }

  @Test
  void clipsCountedTwiceAfterARetryAreCappedAtTheTotal() {
    assertEquals("progress frames: 5/5 clips, 100 frames, 50.0 frames/s, ETA 0:00",
        ProgressLine.format("frames", 7, 5, 100, 2_000));
  }

  @Test
  void longEtasShowHours() {
    // 1 clip in 100 s, 99 left: 9900 s = 2:45:00.
    assertEquals("2:45:00", ProgressLine.eta(1, 100, 100_000));
  }
}
