package io.talkset.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.media.FfmpegProber;
import io.talkset.jobs.ChildTalkset;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.crawl.CrawlConfig;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.schemas.AudioSchemas;
import io.talkset.testing.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attempts per clip ({@link ClipAttempts}): the bookkeeping on a local file system, and the
 * audio stage run through {@code talkset} in child JVMs on a clip whose read kills the JVM
 * ({@link HaltingFileSystem}), in local mode (the driver dies with it: counted across runs)
 * and on a local cluster (executors die: counted across Spark's task retries in one run).
 */
class ClipAttemptsSuite {
  private final SparkSession spark = SparkTestSession.get();

  private ClipAttempts open(Path out) throws Exception {
    return ClipAttempts.open(spark, out.toString(), "audio", 2,
        JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(
            new HadoopConf(spark.sparkContext().hadoopConfiguration())));
  }

  @Test
  void attemptsAreCountedUntilTheClipFinishesAndTheMaxthRefusesIt(@TempDir Path out)
      throws Exception {
    ClipAttempts a = open(out);
    assertEquals(0, a.suspects());
    assertNull(a.begin("c1"));
    assertNull(a.begin("c1"), "one death is not enough");
    Path c1 = out.resolve("_attempts/audio/c1");
    assertEquals(2, markers(c1).size());
    String refused = a.begin("c1");
    assertTrue(refused.startsWith("started 2 times by the audio stage without finishing"),
        refused);
    assertEquals(2, markers(c1).size(), "a refused clip records no attempt");
    // The poison status keeps the markers until the driver commits it.
    a.end("c1", ErrorCodes.POISON_CLIP);
    assertEquals(2, markers(c1).size());

    // A clip that finishes, whatever its status, clears its attempts: earlier deaths were not
    // its doing.
    assertNull(a.begin("c2"));
    a.end("c2", ErrorCodes.CORRUPT);
    assertFalse(Files.exists(out.resolve("_attempts/audio/c2")));

    // The next run knows c1 as a suspect; ids that are not plain names get a digest folder.
    String odd = "a/b c";
    assertNull(a.begin(odd));
    ClipAttempts next = open(out);
    assertEquals(2, next.suspects());
    assertTrue(next.suspect("c1") && next.suspect(odd) && !next.suspect("c2"));
    String key = ClipAttempts.key(odd);
    assertTrue(key.matches("h-[0-9a-f]{40}"), key);
    assertEquals(1, markers(out.resolve("_attempts/audio/" + key)).size());

    // Suspects share one task, ahead of the others, whether handed out as a list or hashed.
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<List<String>> tasks = next.parallelize(jsc, List.of("c0", "c1", "c3", odd, "c4"),
        s -> s, 2).glom().collect();
    assertEquals(List.of("c1", odd), tasks.get(0));
    assertEquals(List.of(List.of("c0"), List.of("c3", "c4")), tasks.subList(1, 3));
    List<Row> keys = spark.createDataset(List.of("c1", "c3", odd),
        org.apache.spark.sql.Encoders.STRING()).toDF("clip_id")
        .select(next.partitionKey(functions.col("clip_id"))).collectAsList();
    assertEquals(List.of("", "c3", ""), keys.stream().map(r -> r.getString(0)).toList());

    // After the commit, the driver clears what committed clips left; others stay.
    next.clear(List.of("c1", "c9"));
    assertFalse(Files.exists(c1));
    assertEquals(1, open(out).suspects());
    assertFalse(StageTables.retryable(ErrorCodes.POISON_CLIP),
        "a poison clip is not retried by --retry-failed");
  }

  /**
   * A task that fails with its JVM alive: an exception around the clip (its output write, a
   * kill) does not count against the clip in flight; an uncaught Error in the clip counts.
   */
  @Test
  void aTaskFailingAroundAClipDoesNotCountButAnUncaughtErrorDoes(@TempDir Path out)
      throws Exception {
    ClipAttempts a = open(out);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Exception write = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> jsc.parallelize(List.of("w1"), 1).foreach(id -> {
          assertNull(a.begin(id));
          throw new java.io.UncheckedIOException(new java.io.IOException("No space left"));
        }));
    assertTrue(String.valueOf(write.getMessage()).contains("No space left"), write.toString());
    assertEquals(List.of(), markers(out.resolve("_attempts/audio/w1")));
    org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> jsc.parallelize(List.of("e1"), 1).foreach(id -> {
          assertNull(a.begin(id));
          throw new AssertionError("an Error the clip's code does not catch");
        }));
    assertEquals(1, markers(out.resolve("_attempts/audio/e1")).size());
    // The next run knows only the clip whose Error counted.
    ClipAttempts next = open(out);
    assertEquals(1, next.suspects());
    assertTrue(next.suspect("e1") && !next.suspect("w1"));
  }

  /**
   * Local mode: the executor is the driver, so the clip that kills the JVM kills the run. The
   * first two runs die; the third marks the clip poison_clip without opening it and commits
   * the others ok.
   */
  @Test
  void inLocalModeTheRunAfterTheSecondDeathFinishesWithThatClipPoisonAndTheOthersOk(
      @TempDir Path in, @TempDir Path out, @TempDir Path logs) throws Exception {
    String poison = crawl(in, out);
    List<String> local = List.of("-Dspark.master=local[2]");
    ChildTalkset.Run first = talkset(logs.resolve("1.log"), local, "audio", "--output", out.toString());
    assertEquals(HaltingFileSystem.EXIT, first.code(), first.log());
    assertTrue(first.log().contains("HaltingFileSystem: halting the JVM on halt:" + in
        + "/poison.wav"), first.log());
    assertEquals(1, markers(out.resolve("_attempts/audio/" + poison)).size(), first.log());
    assertFalse(Files.exists(out.resolve("audio_clips")), "nothing committed");
    ChildTalkset.Run second = talkset(logs.resolve("2.log"), local, "audio", "--output", out.toString());
    assertEquals(HaltingFileSystem.EXIT, second.code(), second.log());
    assertTrue(second.log().contains("were started by earlier runs whose JVM died"),
        second.log());
    assertEquals(2, markers(out.resolve("_attempts/audio/" + poison)).size(), second.log());

    ChildTalkset.Run third = talkset(logs.resolve("3.log"), local, "audio", "--output", out.toString());
    assertEquals(0, third.code(), third.log());
    assertTrue(third.log().contains("audio: 4 clips processed (0 done before)"), third.log());
    assertPoisonAndOthersOk(out, poison, 2);
  }

  /**
   * A cluster (a master, a worker and executor JVMs on this machine): the driver outlives
   * the executors the clip kills and retries its task (spark.task.maxFailures 4); the third
   * attempt marks it, so one run finishes with that clip poison_clip and the others ok.
   */
  @Test
  void onAClusterOneRunFinishesWithThatClipPoisonAcrossTaskRetries(@TempDir Path in,
      @TempDir Path out, @TempDir Path logs, @TempDir Path sparkHome) throws Exception {
    String poison = crawl(in, out);
    Files.createDirectories(sparkHome.resolve("jars"));
    String cache = System.getProperty("talkset.cache");
    List<String> cluster = List.of("-Dspark.master=local-cluster[1,1,1024]",
        "-Dspark.test.home=" + sparkHome, "-Dspark.executor.extraClassPath=" + classPath(),
        "-Dspark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.cachedir=" + cache
            + "/javacpp",
        "-Dspark.executorEnv.LC_ALL=C.UTF-8");
    ChildTalkset.Run run = talkset(logs.resolve("cluster.log"), cluster, "audio", "--output",
        out.toString(), "--partitions", "2");
    assertEquals(0, run.code(), run.log());
    assertTrue(run.log().contains("audio: 4 clips processed (0 done before)"), run.log());
    assertPoisonAndOthersOk(out, poison, 2);
    // Two executors died on it (their logs, under the worker's folder), the third attempt of
    // its task did not open it.
    List<Path> halted;
    try (Stream<Path> files = Files.walk(sparkHome.resolve("work"))) {
      halted = files.filter(f -> f.getFileName().toString().equals("stderr"))
          .filter(f -> {
            try {
              return Files.readString(f).contains("HaltingFileSystem: halting the JVM");
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }).toList();
    }
    assertEquals(2, halted.size(), run.log());
  }

  private void assertPoisonAndOthersOk(Path out, String poison, int attempts) throws Exception {
    Map<String, Row> byId = new HashMap<>();
    for (Row r : StageTables.current(spark, out.toString(), AudioSchemas.CLIPS)
        .collectAsList()) {
      byId.put(r.getString(r.fieldIndex("clip_id")), r);
    }
    assertEquals(4, byId.size());
    for (Row r : byId.values()) {
      String id = r.getString(r.fieldIndex("clip_id"));
      String status = r.getString(r.fieldIndex("status"));
      if (id.equals(poison)) {
        assertEquals("failed", status);
        assertEquals(ErrorCodes.POISON_CLIP, r.getString(r.fieldIndex("error_code")));
        String message = r.getString(r.fieldIndex("error_message"));
        assertTrue(message.startsWith("started " + attempts + " times by the audio stage"
            + " without finishing: each time the JVM processing it died"), message);
        assertTrue(r.isNullAt(r.fieldIndex("frames")), "no rows for it");
      } else {
        assertEquals("ok", status, r.getString(r.fieldIndex("path")));
        assertTrue(r.getInt(r.fieldIndex("frames")) > 0);
      }
    }
    // Every rows table row belongs to an ok clip.
    assertEquals(0, StageTables.current(spark, out.toString(), AudioSchemas.FRAMES)
        .filter(functions.col("clip_id").equalTo(poison)).count());
    // Committed: nothing is left to count.
    Path attemptsDir = out.resolve("_attempts/audio");
    try (Stream<Path> left = Files.exists(attemptsDir) ? Files.list(attemptsDir)
        : Stream.empty()) {
      assertEquals(List.of(), left.toList());
    }
  }

  /** Four speech clips under {@code halt://}, one named poison; returns its clip id. */
  private String crawl(Path in, Path out) throws Exception {
    String[] names = {"confbridge-begin-glorious-a", "confbridge-begin-glorious-b",
        "confbridge-begin-glorious-c", "confbridge-conf-end"};
    for (int i = 0; i < names.length; i++) {
      Files.copy(Samples.get("speech/allison/" + names[i] + ".wav"),
          in.resolve((i == 2 ? "poison" : "take" + i) + ".wav"));
    }
    org.apache.hadoop.conf.Configuration h = spark.sparkContext().hadoopConfiguration();
    h.set("fs.halt.impl", HaltingFileSystem.class.getName());
    h.setBoolean("fs.halt.impl.disable.cache", true);
    // Crawled in this JVM, without talkset.test.halt-on: every file reads normally here.
    CrawlJob.crawl(spark, new CrawlConfig(List.of("halt://" + in), out.toString(),
        MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
        FfmpegProber.FrameCount.ESTIMATE, 0, false));
    List<Row> p = spark.read().parquet(out.resolve("clips").toString())
        .filter(functions.col("path").endsWith("/poison.wav")).collectAsList();
    assertEquals(1, p.size());
    assertEquals("ok", p.get(0).getString(p.get(0).fieldIndex("status")));
    return p.get(0).getString(p.get(0).fieldIndex("clip_id"));
  }

  private static String classPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  /**
   * {@code talkset ARGS} in a child JVM ({@link ChildTalkset}), with the halting file system
   * set to kill it when poison.wav is opened.
   */
  private static ChildTalkset.Run talkset(Path log, List<String> jvmOptions, String... args)
      throws Exception {
    List<String> options = new ArrayList<>(List.of(
        "-Dspark.hadoop.fs.halt.impl=" + HaltingFileSystem.class.getName(),
        "-Dspark.hadoop.fs.halt.impl.disable.cache=true",
        "-Dspark.hadoop." + HaltingFileSystem.HALT_ON + "=poison"));
    options.addAll(jvmOptions);
    return ChildTalkset.run(log, options, 300, args);
  }

  private static List<String> markers(Path clipDir) throws Exception {
    if (!Files.exists(clipDir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(clipDir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted()
          .toList();
    }
  }
}
