package io.talkset.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.talkset.jobs.io.TableCommitter;
import io.talkset.schemas.AudioSchemas;
import io.talkset.schemas.ClipsSchema;
import io.talkset.testing.Samples;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.deploy.history.EventLogFileReader;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerApplicationStart;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.util.JsonProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone cluster ({@code bin/cluster start}: a Master and two Workers, each
 * its own JVM, executors started by the Workers) running the audio stage through
 * {@code bin/talkset} (SparkSubmit, client mode) on 16 speech clips, one clip per task: a clean
 * run (with event logs, read back as the History Server reads them), a run that loses an
 * executor to {@code kill -9} mid-stage, and a run whose driver is killed mid-write and then
 * re-run. Faulted runs must end with exactly the clean run's rows. Runs after {@code package}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  private static final Path ROOT =
      Path.of(System.getProperty("talkset.root", "..")).toAbsolutePath().normalize();
  private static final int CLIPS = 16;
  private static final int DONE_FIRST = 6;
  private static final Pattern PROGRESS =
      Pattern.compile("progress audio: (\\d+)/(\\d+) clips.*");

  @TempDir static Path tmp;
  static Path state;
  static Path events;
  static Path base;
  static SparkSession spark;
  static final ObjectMapper JSON = new ObjectMapper();

  record Run(int code, String out, String err) {}

  @BeforeAll
  static void startCluster() throws Exception {
    state = tmp.resolve("cluster");
    events = Files.createDirectories(tmp.resolve("events"));
    Run start = exec(List.of(ROOT.resolve("bin/cluster").toString(), "start", "--workers", "2",
        "--cores", "1", "--memory", "1536m", "--event-log", events.toString()), 180);
    assertEquals(0, start.code(), start.err());
    assertTrue(start.out().trim().matches("spark://127\\.0\\.0\\.1:\\d+"), start.out());
    // Tables are read back in this JVM, by Spark as a user would.
    spark = SparkSession.builder().master("local[1]").appName("cluster-it-reader")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .getOrCreate();
    Path in = Files.createDirectories(tmp.resolve("in"));
    try (Stream<Path> s = Files.list(Samples.dir().resolve("speech/allison"))) {
      for (Path p : s.filter(f -> f.toString().endsWith(".wav")).sorted().limit(CLIPS).toList()) {
        Files.copy(p, in.resolve(p.getFileName()));
      }
    }
    base = tmp.resolve("base");
    Run crawl = submit("crawl", "--input", in.toString(), "--output", base.toString());
    assertEquals(0, crawl.code(), crawl.err());
    assertTrue(crawl.out().contains("crawl: " + CLIPS + " clips"), crawl.out());
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (spark != null) {
      spark.stop();
    }
    Run stop = exec(List.of(ROOT.resolve("bin/cluster").toString(), "stop"), 60);
    assertEquals(0, stop.code(), stop.err());
    // Nothing the cluster started is left: no JVM names this state folder, no executor of ours.
    List<String> left = ProcessHandle.allProcesses()
        .map(p -> p.info().commandLine().orElse(""))
        .filter(c -> c.contains(state.toString()))
        .toList();
    assertEquals(List.of(), left);
  }

  @Test
  @Order(1)
  void cleanRunOnTheClusterWritesEveryClipAndAnEventLog() throws Exception {
    Path out = withClips("clean", null);
    Run run = submit("audio", "--output", out.toString(), "--partitions",
        String.valueOf(CLIPS));
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().contains("audio: " + CLIPS + " clips processed (0 done before)"),
        run.out());
    JsonNode audio = stage(summary(out), "audio");
    assertEquals(CLIPS, audio.get("clips").get("ok").asLong());
    assertEquals(frames(out), audio.get("frames").asLong());

    // The event log, read by the History Server's own reader and parser.
    String appId = summary(out).get("spark").get("app_id").asText();
    assertTrue(appId.startsWith("app-"), "a standalone application id: " + appId);
    List<SparkListenerEvent> log = eventLog(appId);
    SparkListenerApplicationStart start = (SparkListenerApplicationStart) log.stream()
        .filter(e -> e instanceof SparkListenerApplicationStart).findFirst().orElseThrow();
    assertEquals("talkset audio", start.appName());
    assertEquals(appId, start.appId().get());
    assertTrue(log.get(log.size() - 1) instanceof SparkListenerApplicationEnd);
    long taskEnds = log.stream().filter(e -> e instanceof SparkListenerTaskEnd).count();
    assertTrue(taskEnds >= CLIPS, taskEnds + " task ends");
  }

  @Test
  @Order(2)
  void losingAnExecutorMidStageLeavesExactlyTheCleanRows() throws Exception {
    Path out = withClips("executor-lost", null);
    Process p = talkset("audio", "--output", out.toString(), "--partitions",
        String.valueOf(CLIPS)).start();
    List<String> err = Collections.synchronizedList(new ArrayList<>());
    Thread reader = drain(p.getErrorStream(), err);
    // Mid-stage: some clips done, most not.
    long killed = -1;
    int doneAtKill = -1;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (killed < 0 && System.nanoTime() < deadline && p.isAlive()) {
      int done = lastProgress(err);
      if (done >= 1 && done <= CLIPS / 2) {
        List<ProcessHandle> executors = executors();
        if (!executors.isEmpty()) {
          ProcessHandle victim = executors.get(0);
          assertTrue(victim.destroyForcibly(), "SIGKILL to executor " + victim.pid());
          killed = victim.pid();
          doneAtKill = done;
        }
      }
      Thread.sleep(20);
    }
    assertTrue(killed > 0, "no executor killed mid-stage; stderr:\n" + String.join("\n", err));
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(240, TimeUnit.SECONDS), "the job did not finish");
    reader.join(5_000);
    assertEquals(0, p.exitValue(), String.join("\n", err));
    assertFalse(ProcessHandle.of(killed).map(ProcessHandle::isAlive).orElse(false));
    System.out.printf("executor %d killed at %d/%d clips%n", killed, doneAtKill, CLIPS);
    assertTrue(stdout.contains("audio: " + CLIPS + " clips processed (0 done before)"), stdout);
    assertEquals(CLIPS, lastProgress(err), "progress reached every clip");
    JsonNode audio = stage(summary(out), "audio");
    assertTrue(audio.get("executors_lost").asLong() >= 1, audio.toString());
    assertSameRows(tmp.resolve("clean"), out);
  }

  @Test
  @Order(3)
  void aDriverKilledMidWriteLeavesOnlyWholeClipsAndTheRerunSkipsThem() throws Exception {
    List<String> ids = new ArrayList<>();
    for (Row r : spark.read().parquet(base.resolve("clips").toString()).select("clip_id")
        .orderBy("clip_id").collectAsList()) {
      ids.add(r.getString(0));
    }
    List<String> first = ids.subList(0, DONE_FIRST);
    Path out = withClips("driver-killed", first);
    Run one = submit("audio", "--output", out.toString());
    assertEquals(0, one.code(), one.err());
    assertTrue(one.out().contains("audio: " + DONE_FIRST + " clips processed"), one.out());
    Map<String, Long> committedFiles = files(out.resolve("audio"));

    // Every clip in the manifest now; kill the driver once the new batch's staging exists.
    writeClips(out, null);
    Process p = talkset("audio", "--output", out.toString(), "--partitions",
        String.valueOf(CLIPS)).redirectErrorStream(true).redirectOutput(
            tmp.resolve("driver-killed.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    boolean staging = false;
    while (!staging && p.isAlive() && System.nanoTime() < deadline) {
      staging = !hidden(out.resolve("audio")).isEmpty();
      if (!staging) {
        Thread.sleep(5);
      }
    }
    assertTrue(staging, "no staging batch seen; log:\n"
        + Files.readString(tmp.resolve("driver-killed.log")));
    p.toHandle().destroyForcibly();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(137, p.exitValue(), "killed by SIGKILL");

    // Readers see the first run's clips, whole, and nothing of the killed batch.
    assertEquals(set(first), clipIds(out.resolve("audio_clips")));
    assertEquals(set(first), clipIds(out.resolve("audio")));
    assertEquals(rows(tmp.resolve("clean"), "audio", first), rows(out, "audio", first));
    assertEquals(rows(tmp.resolve("clean"), "audio", first), rows(out, "audio", null));
    assertEquals(committedFiles, files(out.resolve("audio")));

    Run rerun = submit("audio", "--output", out.toString());
    assertEquals(0, rerun.code(), rerun.err());
    assertTrue(rerun.out().contains("audio: " + (CLIPS - DONE_FIRST) + " clips processed ("
        + DONE_FIRST + " done before)"), rerun.out());
    JsonNode audio = stage(summary(out), "audio");
    assertEquals(DONE_FIRST, audio.get("clips_done_before").asLong());
    assertEquals(CLIPS - DONE_FIRST, audio.get("clips_processed").asLong());
    // The first run's batch is untouched (same files, same times); no staging is left.
    Map<String, Long> after = files(out.resolve("audio"));
    for (Map.Entry<String, Long> e : committedFiles.entrySet()) {
      assertEquals(e.getValue(), after.get(e.getKey()), e.getKey());
    }
    assertEquals(List.of(), hidden(out.resolve("audio")));
    assertSameRows(tmp.resolve("clean"), out);
  }

  // ---- helpers ----

  static java.util.Set<String> set(List<String> l) {
    return new java.util.TreeSet<>(l);
  }

  /** A dataset root holding the base crawl's manifest, or only the given clips of it. */
  static Path withClips(String name, List<String> only) throws Exception {
    Path out = Files.createDirectories(tmp.resolve(name));
    writeClips(out, only);
    return out;
  }

  static void writeClips(Path out, List<String> only) throws Exception {
    Dataset<Row> clips = spark.read().schema(ClipsSchema.SCHEMA.struct())
        .parquet(base.resolve("clips").toString());
    if (only != null) {
      clips = clips.filter(functions.col("clip_id").isin(only.toArray()));
    }
    new TableCommitter(spark.sparkContext().hadoopConfiguration(), out.toUri().toString(),
        "clips").write(clips.coalesce(1), "{}");
  }

  static long frames(Path out) {
    return spark.read().parquet(out.resolve("audio").toString()).count();
  }

  static java.util.Set<String> clipIds(Path table) {
    return spark.read().parquet(table.toString()).select("clip_id").distinct().collectAsList()
        .stream().map(r -> r.getString(0)).collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  /** A table's rows as sorted text, without the batch id and the per-run timings. */
  static List<String> rows(Path out, String table, List<String> only) {
    Dataset<Row> d = spark.read().parquet(out.resolve(table).toString())
        .drop("batch", "processed_at", "elapsed_ms");
    if (only != null) {
      d = d.filter(functions.col("clip_id").isin(only.toArray()));
    }
    List<String> rows = new ArrayList<>(d.toJSON().collectAsList());
    Collections.sort(rows);
    return rows;
  }

  static void assertSameRows(Path expected, Path actual) {
    for (String table : new String[] {AudioSchemas.FRAMES.table(), AudioSchemas.CLIPS.table()}) {
      List<String> e = rows(expected, table, null);
      List<String> a = rows(actual, table, null);
      assertEquals(e.size(), a.size(), table + " rows");
      assertEquals(e.size(), a.stream().distinct().count(), table + ": duplicated rows");
      assertTrue(e.equals(a), table + ": rows differ from the clean run's");
    }
    // One row per (clip, frame) and every clip's frames present.
    long keys = spark.read().parquet(actual.resolve("audio").toString())
        .select("clip_id", "frame_index").distinct().count();
    assertEquals(frames(actual), keys);
    assertEquals(CLIPS, clipIds(actual.resolve("audio_clips")).size());
  }

  static JsonNode summary(Path out) throws Exception {
    Path newest;
    try (Stream<Path> s = Files.list(out.resolve("_runs"))) {
      newest = s.filter(p -> p.getFileName().toString().endsWith(".json")
              && !p.getFileName().toString().startsWith("."))
          .max((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
          .orElseThrow();
    }
    return JSON.readTree(newest.toFile());
  }

  static JsonNode stage(JsonNode summary, String name) {
    assertEquals("succeeded", summary.get("status").asText(), summary.toString());
    for (JsonNode s : summary.get("stages")) {
      if (s.get("stage").asText().equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no stage " + name + " in " + summary);
  }

  /**
   * An application's event log as the History Server reads it: Spark 4 writes a rolling log
   * folder ({@code eventlog_v2_APP/events_N_APP.zstd}); its reader lists and decompresses the
   * files and {@code JsonProtocol} parses each line.
   */
  static List<SparkListenerEvent> eventLog(String appId) throws Exception {
    Path entry;
    try (Stream<Path> s = Files.list(events)) {
      entry = s.filter(p -> p.getFileName().toString().contains(appId)).findFirst()
          .orElseThrow(() -> new AssertionError("no event log for " + appId + " in " + events));
    }
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(entry.toUri());
    FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
    EventLogFileReader reader = EventLogFileReader.apply(fs, path).get();
    assertTrue(reader.completed(), "the log says the application ended");
    List<SparkListenerEvent> out = new ArrayList<>();
    for (org.apache.hadoop.fs.FileStatus f
        : scala.jdk.javaapi.CollectionConverters.asJava(reader.listEventLogFiles())) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(
          EventLogFileReader.openEventLog(f.getPath(), fs), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          out.add(JsonProtocol.sparkEventFromJson(line));
        }
      }
    }
    return out;
  }

  /** Committed files of a batch table: path → modification time. */
  static Map<String, Long> files(Path table) throws Exception {
    Map<String, Long> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(table)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String rel = table.relativize(p).toString();
        if (!rel.startsWith(".")) {
          m.put(rel, Files.getLastModifiedTime(p).toMillis());
        }
      }
    }
    return m;
  }

  /** Hidden (staging) entries directly under a table. */
  static List<String> hidden(Path table) throws Exception {
    if (!Files.isDirectory(table)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(table)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
    }
  }

  /** Executor JVMs the Workers started (children running CoarseGrainedExecutorBackend). */
  static List<ProcessHandle> executors() throws Exception {
    List<ProcessHandle> out = new ArrayList<>();
    try (Stream<Path> pids = Files.list(state)) {
      for (Path f : pids.filter(p -> p.getFileName().toString().matches("worker-\\d+\\.pid"))
          .toList()) {
        long pid = Long.parseLong(Files.readString(f).trim());
        ProcessHandle.of(pid).ifPresent(w -> w.children()
            .filter(c -> c.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
            .forEach(out::add));
      }
    }
    return out;
  }

  static int lastProgress(List<String> err) {
    synchronized (err) {
      for (int i = err.size() - 1; i >= 0; i--) {
        Matcher m = PROGRESS.matcher(err.get(i));
        if (m.matches()) {
          return Integer.parseInt(m.group(1));
        }
      }
    }
    return -1;
  }

  static Thread drain(InputStream in, List<String> lines) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in,
          StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          lines.add(line);
        }
      } catch (java.io.IOException ignored) {
        // The process ended.
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** bin/talkset against the cluster, progress printed at every task end. */
  static ProcessBuilder talkset(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ROOT.resolve("bin/talkset").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    try {
      env.put("TALKSET_MASTER", Files.readString(state.resolve("master.url")).trim());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cluster not started", e);
    }
    env.put("SPARK_CONF_DIR", state.resolve("conf").toString());
    env.put("TALKSET_DRIVER_MEMORY", "1g");
    env.put("TALKSET_SUBMIT_ARGS", "--conf spark.talkset.progress.intervalMs=0");
    return pb;
  }

  /** bin/talkset against the cluster, run to its end. */
  static Run submit(String... args) throws Exception {
    return run(talkset(args), 300);
  }

  static Run exec(List<String> cmd, int seconds) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("TALKSET_CLUSTER_DIR", state.toString());
    return run(pb, seconds);
  }

  static Run run(ProcessBuilder pb, int seconds) throws Exception {
    Path err = Files.createTempFile(tmp, "err", ".txt");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "did not finish: " + pb.command());
    return new Run(p.exitValue(), out, Files.readString(err));
  }
}
