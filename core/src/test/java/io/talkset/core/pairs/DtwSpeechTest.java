package io.talkset.core.pairs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Known warps recovered on real speech, with the pipeline's MFCC per 25 fps frame and the
 * default parameters: a recording against its own time-stretched copy (same pitch) must give a
 * path whose slope is the stretch; takes of one sentence must cost less than other sentences.
 */
class DtwSpeechTest {
  private static final String SPEECH =
      "speech/librivox/sense_and_sensibility_01_austen_64kb-0870.wav";
  private static final String[] LIBRIVOX = {"0870", "0880", "0890", "0920", "0930"};

  /**
   * Theil–Sen slope (median of pairwise slopes) of the reference map over reference frames
   * [from, to): robust to the few frames where silence or a plosive lets the path wander.
   */
  static double slope(int[] map, int from, int to) {
    List<Double> s = new ArrayList<>();
    for (int a = from; a < to; a++) {
      for (int b = a + 1; b < to; b++) {
        s.add((map[b] - map[a]) / (double) (b - a));
      }
    }
    double[] v = s.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  static Dtw.Result align(Path reference, Path other) throws Exception {
    return new Dtw(Dtw.Params.defaults()).align(Speech.mfcc(reference), Speech.mfcc(other));
  }

  static Stream<Arguments> tempoCases() {
    return Stream.of("sox", "ffmpeg").flatMap(tool -> Stream.of(LIBRIVOX)
        .map(id -> Arguments.of(tool, "speech/librivox/sense_and_sensibility_01_austen_64kb-" + id
            + ".wav")));
  }

  /**
   * sox's WSOLA {@code tempo -s 0.8} and ffmpeg's {@code atempo=0.8} (1.25× longer, same pitch)
   * on each LibriVox recording (3-7 s).
   */
  @ParameterizedTest
  @MethodSource("tempoCases")
  void tempoPoint8IsRecoveredAsSlope125(String tool, String sample, @TempDir Path tmp)
      throws Exception {
    Path in = Samples.get(sample);
    Path slow = tmp.resolve("slow.wav");
    if (tool.equals("sox")) {
      Tools.run("sox", in.toString(), slow.toString(), "tempo", "-s", "0.8");
    } else {
      Tools.ffmpeg("-i", in.toString(), "-af", "atempo=0.8", slow.toString());
    }
    Dtw.Result r = align(in, slow);
    int n = r.referenceMap().length;
    // The ends are excluded: leading and trailing silence matches anything.
    double s = slope(r.referenceMap(), n / 10, n - n / 10);
    System.out.printf(Locale.ROOT, "dtw %s tempo 0.8 %s: %d -> %d frames, slope %.4f%n", tool,
        sample.substring(sample.length() - 8), n, r.other()[r.length() - 1] + 1, s);
    assertEquals(1.25, s, 0.02, tool);
  }

  /**
   * First half of the longest recording (7.1 s) sped up to 0.7 of its duration, second half
   * slowed to 1.3 (ffmpeg atempo per segment, concatenated): the two halves of the path have
   * those slopes, with every metric, raw or normalized. Measured: within 0.008 (cosine on raw
   * MFCC the worst); on the 3 s recordings a half is ~12 fitted frames and slopes are off by up
   * to 0.035, so the longest one is used.
   */
  @Test
  void piecewiseWarpRecoversBothSlopes(@TempDir Path tmp) throws Exception {
    Path in = Samples.get(SPEECH);
    float[] y = Speech.decode(in);
    int half = y.length / 2;
    Path warped = tmp.resolve("warped.wav");
    Tools.ffmpeg("-i", in.toString(), "-filter_complex", String.format(Locale.ROOT,
        "[0:a]asplit[x][y];"
            + "[x]atrim=end_sample=%d,asetpts=PTS-STARTPTS,atempo=%.6f[a];"
            + "[y]atrim=start_sample=%d,asetpts=PTS-STARTPTS,atempo=%.6f[b];"
            + "[a][b]concat=n=2:v=0:a=1[out]", half, 1 / 0.7, half, 1 / 1.3),
        "-map", "[out]", warped.toString());
    float[][] a = Speech.mfcc(in);
    float[][] b = Speech.mfcc(warped);
    double worst = 0;
    for (Dtw.Metric metric : Dtw.Metric.values()) {
      for (Dtw.Normalization norm : Dtw.Normalization.values()) {
        Dtw.Result r = new Dtw(Dtw.Params.defaults().withMetric(metric)
            .withNormalization(norm)).align(a, b);
        int n = r.referenceMap().length;
        double first = slope(r.referenceMap(), n / 10, 4 * n / 10);
        double second = slope(r.referenceMap(), 6 * n / 10, 9 * n / 10);
        System.out.printf(Locale.ROOT, "dtw piecewise 0.7/1.3 %s %s: %d -> %d frames, slopes"
            + " %.4f %.4f%n", metric, norm, n, r.other()[r.length() - 1] + 1, first, second);
        assertEquals(0.7, first, 0.01, metric + " " + norm);
        assertEquals(1.3, second, 0.01, metric + " " + norm);
        worst = Math.max(worst, Math.max(Math.abs(first - 0.7), Math.abs(second - 1.3)));
      }
    }
    System.out.printf(Locale.ROOT, "dtw piecewise: worst slope error %.4f%n", worst);
  }

  /**
   * Allison's prompts: three takes of one sentence, two recordings of another, two of a third,
   * and rising/falling-intonation pairs of the same words. Every same-sentence pair costs less
   * (length-normalized) than every pair of different sentences.
   */
  @Test
  void sameSentenceTakesCostLessThanDifferentSentences() throws Exception {
    String[][] groups = {
      {"confbridge-begin-glorious-a", "confbridge-begin-glorious-b",
          "confbridge-begin-glorious-c"},
      {"invalid", "pbx-invalid"},
      {"conf-onlyone", "confbridge-only-one"},
      {"confbridge-lock-in", "confbridge-lock-out"},
      {"confbridge-mute-in", "confbridge-mute-out"},
      {"confbridge-remove-last-in", "confbridge-remove-last-out"},
    };
    List<float[][]> feats = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Integer> group = new ArrayList<>();
    for (int g = 0; g < groups.length; g++) {
      for (String name : groups[g]) {
        feats.add(Speech.mfcc("speech/allison/" + name + ".wav"));
        names.add(name);
        group.add(g);
      }
    }
    for (Dtw.Metric metric : Dtw.Metric.values()) {
      Dtw dtw = new Dtw(Dtw.Params.defaults().withMetric(metric));
      double worstSame = 0;
      double bestDifferent = Double.POSITIVE_INFINITY;
      String worstSamePair = "";
      String bestDifferentPair = "";
      List<Double> same = new ArrayList<>();
      List<Double> different = new ArrayList<>();
      for (int a = 0; a < feats.size(); a++) {
        for (int b = a + 1; b < feats.size(); b++) {
          double c = dtw.align(feats.get(a), feats.get(b)).normalizedCost();
          String pair = names.get(a) + " / " + names.get(b);
          if (group.get(a).equals(group.get(b))) {
            same.add(c);
            if (c > worstSame) {
              worstSame = c;
              worstSamePair = pair;
            }
          } else {
            different.add(c);
            if (c < bestDifferent) {
              bestDifferent = c;
              bestDifferentPair = pair;
            }
          }
        }
      }
      System.out.printf(Locale.ROOT, "dtw allison %s: same sentence %d pairs %s (worst %s),"
          + " different %d pairs median %.3f, lowest %.3f (%s)%n", metric, same.size(),
          range(same), worstSamePair, different.size(), median(different), bestDifferent,
          bestDifferentPair);
      assertTrue(worstSame < bestDifferent, metric + ": worst same-sentence pair "
          + worstSamePair + " " + worstSame + " vs best different pair " + bestDifferentPair
          + " " + bestDifferent);
    }
  }

  private static String range(List<Double> v) {
    double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return String.format(Locale.ROOT, "%.3f..%.3f", s[0], s[s.length - 1]);
  }

  private static double median(List<Double> v) {
    double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return s[s.length / 2];
  }

  @Test
  void theilSenSlopeOfAKnownLineIsItsSlope() {
    int[] map = new int[100];
    for (int i = 0; i < map.length; i++) {
      map[i] = (int) Math.floor(1.25 * i) + (i == 50 ? 30 : 0);
    }
    assertEquals(1.25, slope(map, 0, 100), 0.01);
    assertEquals(1.25, slope(Arrays.copyOf(map, 40), 0, 40), 0.02);
  }
}
