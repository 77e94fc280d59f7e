package io.talkset.bench;

import io.talkset.core.metrics.MetricPictures;
import io.talkset.core.metrics.Pixels;
import io.talkset.core.metrics.Psnr;
import io.talkset.core.metrics.Ssim;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleBiFunction;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * SSIM and PSNR throughput on 512×512 RGB pairs (a benchmark, not a test): the three 512×512
 * face crops of the metric tests against their JPEG q30, Gaussian σ 1.5 and noisy versions (9
 * pairs), written as raw RGB to WORK for scikit-image's side of bin/bench-ssim, then timed here
 * for at least SECONDS each after a warm-up. Prints pairs per second of this thread's CPU time
 * (the build machines are shared: wall time counts other people's work too) and per second of
 * wall time.
 * Usage: SsimBench SAMPLES_DIR SECONDS WORK
 */
public final class SsimBench {
  public static void main(String[] args) throws Exception {
    Path samples = Path.of(args[0]);
    double seconds = Double.parseDouble(args[1]);
    Path work = Path.of(args[2]);
    List<Pixels[]> pairs = new ArrayList<>();
    StringBuilder list = new StringBuilder();
    long seed = 7;
    for (Object[] c : MetricPictures.CROPS) {
      if ((int) c[4] != 512 || (int) c[5] != 512) {
        continue;
      }
      Mat m = MetricPictures.crop(samples, (String) c[1], (int) c[2], (int) c[3], 512, 512);
      Pixels ref = MetricPictures.rgb(m);
      pairs.add(new Pixels[] {ref, MetricPictures.rgb(MetricPictures.jpeg(m, 30))});
      pairs.add(new Pixels[] {ref, MetricPictures.rgb(MetricPictures.blur(m, 1.5))});
      pairs.add(new Pixels[] {ref, MetricPictures.noisy(ref, 10, seed++)});
    }
    for (int i = 0; i < pairs.size(); i++) {
      Path a = work.resolve("pair" + i + ".a.u8");
      Path b = work.resolve("pair" + i + ".b.u8");
      Files.write(a, pairs.get(i)[0].data());
      Files.write(b, pairs.get(i)[1].data());
      list.append(a).append(' ').append(b).append('\n');
    }
    Files.writeString(work.resolve("pairs.txt"), list);
    Ssim skimage = new Ssim(Ssim.SKIMAGE);
    Ssim wang = new Ssim(Ssim.WANG_2004);
    report("ssim-skimage", pairs, skimage::mean, seconds);
    report("ssim-wang-y", pairs, wang::mean, seconds);
    report("psnr-rgb", pairs, Psnr::rgb, seconds);
    report("psnr-y", pairs, Psnr::luma, seconds);
  }

  static void report(String what, List<Pixels[]> pairs, ToDoubleBiFunction<Pixels, Pixels> f,
      double seconds) {
    // Warm up the JIT (executors run for hours): a second's worth of calls.
    long until = System.nanoTime() + 1_000_000_000L;
    while (System.nanoTime() < until) {
      for (Pixels[] p : pairs) {
        f.applyAsDouble(p[0], p[1]);
      }
    }
    double sum = 0;
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long n = 0;
    long t0 = System.nanoTime();
    long c0 = cpu.getCurrentThreadCpuTime();
    long end = c0 + (long) (seconds * 1e9);
    while (cpu.getCurrentThreadCpuTime() < end) {
      for (Pixels[] p : pairs) {
        sum += f.applyAsDouble(p[0], p[1]);
        n++;
      }
    }
    double c = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT,
        "talkset %-13s %9.1f pairs/cpu-s (%d pairs in %.2f cpu-s, %.2f s wall: %.1f/s; mean"
            + " value %.4f)%n", what, n / c, n, c, s, n / s, sum / n);
  }
}
