package io.talkset.jobs;

import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.media.FfmpegProber;
import io.talkset.jobs.crawl.CrawlConfig;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.jobs.frames.FramesConfig;
import io.talkset.jobs.frames.FramesJob;
import io.talkset.jobs.params.ParamsConfig;
import io.talkset.jobs.params.ParamsJob;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A small real talking-face dataset, built once per test JVM and shared by the suites that read
 * it (sync, evaluate): movie-hello.mp4 (a webcam talking face with speech, 8.3 s) and two copies
 * whose audio track Debian's ffmpeg moved by a known number of 25 fps frames (picture copied
 * untouched), through crawl, frames and params.
 */
public final class TalkingDataset {
  /** Audio shifts of the copies, in frames (positive: audio later). */
  public static final int[] SHIFTS = {5, -2};
  private static TalkingDataset built;

  /** The dataset root. */
  public final Path root;
  /** The input folder. */
  public final Path input;
  /** File name to clip id. */
  public final Map<String, String> clipIds;

  private TalkingDataset(Path root, Path input, Map<String, String> clipIds) {
    this.root = root;
    this.input = input;
    this.clipIds = clipIds;
  }

  /** The file name of the copy with audio shifted by {@code frames} (0: the original). */
  public static String name(int frames) {
    return frames == 0 ? "hello.mp4" : "hello_audio" + (frames > 0 ? "+" : "") + frames + ".mp4";
  }

  public static synchronized TalkingDataset get() throws Exception {
    if (built == null) {
      Path tmp = Files.createTempDirectory("talkset-talking-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(tmp)));
      Path in = Files.createDirectories(tmp.resolve("in"));
      Path out = tmp.resolve("out");
      Path src = Samples.get("video/forensics/movie-hello.mp4");
      Files.copy(src, in.resolve(name(0)));
      for (int k : SHIFTS) {
        // -itsoffset moves the second input's timestamps; the picture is copied as is.
        Tools.ffmpeg("-i", src.toString(), "-itsoffset", String.valueOf(k / 25.0), "-i",
            src.toString(), "-map", "0:v", "-map", "1:a", "-c", "copy",
            in.resolve(name(k)).toString());
      }
      SparkSession spark = SparkTestSession.get();
      CrawlJob.crawl(spark, new CrawlConfig(List.of(in.toString()), out.toString(),
          MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
          FfmpegProber.FrameCount.ESTIMATE, 0, false));
      String models = Samples.models().toString();
      FramesJob.process(spark, FramesConfig.from(FramesConfig.options().parse(
          new String[] {"--output", out.toString(), "--models", models})));
      ParamsJob.process(spark, ParamsConfig.from(ParamsConfig.options().parse(
          new String[] {"--output", out.toString(), "--models", models})));
      Map<String, String> ids = new HashMap<>();
      for (Row r : spark.read().parquet(out.resolve("clips").toString())
          .select("path", "clip_id").collectAsList()) {
        String p = r.getString(0);
        ids.put(p.substring(p.lastIndexOf('/') + 1), r.getString(1));
      }
      built = new TalkingDataset(out, in, ids);
    }
    return built;
  }

  private static void deleteTree(Path p) {
    try (var s = Files.walk(p)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (Exception e) {
      // Best effort at JVM exit.
    }
  }
}
