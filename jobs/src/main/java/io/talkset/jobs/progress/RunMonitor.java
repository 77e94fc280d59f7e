package io.talkset.jobs.progress;

import io.talkset.jobs.io.Json;
import io.talkset.jobs.io.OutputNames;
import io.talkset.jobs.runtime.Version;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options.Rename;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Watches one talkset command on the driver: a SparkListener that turns the stages' progress
 * accumulators ({@link StageProgress}) into a console line on stderr (clips done/total,
 * frames/s, ETA; at most every {@value #INTERVAL_KEY} ms, default 2000; {@code \r}-updated on a
 * terminal, plain lines otherwise; off with {@code spark.talkset.progress=false}), and keeps the
 * run summary {@code OUTPUT/_runs/RUN_ID.json}: the command, its arguments, Spark's settings,
 * and per stage the seconds, clips processed / done before, clips by status, frames, failed
 * tasks and lost executors. The summary is rewritten (atomically: a hidden temporary file
 * renamed over it) at the start, after each stage and at the end, so a run that dies leaves
 * it at {@code "status": "running"} with the stages it finished.
 */
public final class RunMonitor extends SparkListener {
  private static final Logger LOG = LoggerFactory.getLogger(RunMonitor.class);
  public static final String ENABLED_KEY = "spark.talkset.progress";
  public static final String INTERVAL_KEY = "spark.talkset.progress.intervalMs";
  /** Folder of run summaries under the dataset root. */
  public static final String RUNS = "_runs";

  private static volatile RunMonitor current;

  private final SparkContext sc;
  private final PrintStream console;
  private final boolean showProgress;
  private final boolean terminal;
  private final long intervalMs;
  private final Path summary;
  private final Configuration hconf;
  private final Map<String, Object> run = new LinkedHashMap<>();
  private final List<Map<String, Object>> stages = new ArrayList<>();
  private final long runStart = System.nanoTime();

  // The running stage (null between stages) and its live counters.
  private Map<String, Object> stage;
  private long stageStart;
  private long workStart;
  private long todo = -1;
  private final Map<Long, long[]> running = new HashMap<>();
  private long doneClips;
  private long doneFrames;
  private long failedTasks;
  private long lostExecutors;
  private long lastPrint;
  private String lastLine = "";
  private long lastClips = -1;
  private long lastFrames = -1;

  private RunMonitor(SparkSession spark, String job, List<String> arguments, String output,
      PrintStream console, long intervalMs) throws IOException {
    this.sc = spark.sparkContext();
    SparkConf conf = sc.getConf();
    this.console = console;
    this.showProgress = conf.getBoolean(ENABLED_KEY, true);
    this.terminal = console == System.err && System.console() != null;
    this.intervalMs = intervalMs;
    this.hconf = sc.hadoopConfiguration();
    String started = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
        .format(Instant.now().atOffset(ZoneOffset.UTC));
    String runId = OutputNames.segment("run id",
        started + "-" + sc.applicationId().replaceAll("[^A-Za-z0-9._=-]", "_"));
    this.summary = output == null ? null : new Path(new Path(output, RUNS), runId + ".json");
    run.put("run_id", runId);
    run.put("job", job);
    run.put("arguments", arguments);
    run.put("status", "running");
    run.put("started_at", Instant.now().toString());
    run.put("finished_at", null);
    run.put("seconds", null);
    run.put("talkset_version", Version.get());
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("version", sc.version());
    s.put("master", sc.master());
    s.put("app_id", sc.applicationId());
    s.put("app_name", sc.appName());
    s.put("default_parallelism", sc.defaultParallelism());
    for (String key : new String[] {"spark.executor.cores", "spark.executor.memory",
        "spark.driver.memory", "spark.task.maxFailures", "spark.eventLog.enabled",
        "spark.eventLog.dir", "spark.talkset.gpu.taskAmount"}) {
      s.put(key, conf.contains(key) ? conf.get(key) : null);
    }
    run.put("spark", s);
    run.put("stages", stages);
  }

  /**
   * Starts watching: registers the listener on the session's context and writes the summary's
   * first version under {@code output} (none when output is null).
   */
  public static RunMonitor attach(SparkSession spark, String job, List<String> arguments,
      String output) throws IOException {
    return attach(spark, job, arguments, output, System.err,
        spark.sparkContext().getConf().getLong(INTERVAL_KEY, 2000));
  }

  /** {@link #attach(SparkSession, String, List, String)} printing to {@code console}. */
  public static synchronized RunMonitor attach(SparkSession spark, String job,
      List<String> arguments, String output, PrintStream console, long intervalMs)
      throws IOException {
    RunMonitor m = new RunMonitor(spark, job, arguments, output, console, intervalMs);
    spark.sparkContext().addSparkListener(m);
    current = m;
    m.writeSummary();
    return m;
  }

  /** The monitor of the command running in this JVM, or null. */
  static RunMonitor current() {
    return current;
  }

  /**
   * Runs one stage ({@code name}) under the current monitor, timing it; without a monitor just
   * runs it.
   */
  public static <T> T stage(String name, Callable<T> body) throws Exception {
    RunMonitor m = current;
    if (m == null) {
      return body.call();
    }
    m.stageStarted(name);
    try {
      T out = body.call();
      m.stageEnded(null);
      return out;
    } catch (Exception | Error e) {
      m.stageEnded(e);
      throw e;
    }
  }

  /** Ends watching: the summary's final version; the listener is removed. */
  public synchronized void close(Throwable error) {
    run.put("status", error == null ? "succeeded" : "failed");
    if (error != null) {
      run.put("error", String.valueOf(error));
    }
    run.put("finished_at", Instant.now().toString());
    run.put("seconds", seconds(runStart));
    writeSummary();
    sc.removeSparkListener(this);
    if (current == this) {
      current = null;
    }
  }

  /** Where the summary is written (null without an output root). */
  public Path summaryPath() {
    return summary;
  }

  private synchronized void stageStarted(String name) {
    stage = new LinkedHashMap<>();
    stage.put("stage", name);
    stage.put("status", "running");
    stage.put("started_at", Instant.now().toString());
    stageStart = System.nanoTime();
    workStart = stageStart;
    todo = -1;
    running.clear();
    doneClips = 0;
    doneFrames = 0;
    failedTasks = 0;
    lostExecutors = 0;
    lastPrint = 0;
    lastLine = "";
    lastClips = -1;
    lastFrames = -1;
    stages.add(stage);
  }

  synchronized void work(long clipsToDo, long before) {
    if (stage == null) {
      return;
    }
    todo = clipsToDo;
    workStart = System.nanoTime();
    stage.put("clips_todo", clipsToDo);
    stage.put("clips_done_before", before);
    running.clear();
    doneClips = 0;
    doneFrames = 0;
  }

  synchronized void committed(long processed, long before, long frames,
      Map<String, Long> byStatus) {
    if (stage == null) {
      return;
    }
    stage.put("clips_processed", processed);
    stage.put("clips_done_before", before);
    Map<String, Long> clips = new TreeMap<>();
    for (String s : new String[] {"ok", "rejected", "failed"}) {
      clips.put(s, 0L);
    }
    clips.putAll(byStatus);
    stage.put("clips", clips);
    stage.put("frames", frames);
  }

  private synchronized void stageEnded(Throwable error) {
    if (stage == null) {
      return;
    }
    double seconds = seconds(stageStart);
    stage.put("status", error == null ? "succeeded" : "failed");
    if (error != null) {
      stage.put("error", String.valueOf(error));
    }
    stage.put("seconds", seconds);
    Object frames = stage.get("frames");
    double workSeconds = seconds(workStart);
    stage.put("frames_per_s", frames instanceof Long f && workSeconds > 0
        ? Math.round(f / workSeconds * 10) / 10.0 : null);
    stage.put("tasks_failed", failedTasks);
    stage.put("executors_lost", lostExecutors);
    if (showProgress && todo > 0) {
      print(true);
    }
    stage = null;
    writeSummary();
  }

  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    // Heartbeats carry running tasks' accumulator values: progress within long tasks.
    for (var t : CollectionConverters.asJava(update.accumUpdates())) {
      long[] counts = counts(t._4());
      if (counts != null) {
        synchronized (this) {
          running.put((Long) t._1(), counts);
        }
      }
    }
    maybePrint();
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    long[] counts = counts(end.taskInfo().accumulables());
    synchronized (this) {
      running.remove(end.taskInfo().taskId());
      if (end.taskInfo().successful()) {
        if (counts != null) {
          doneClips += counts[0];
          doneFrames += counts[1];
        }
      } else if (stage != null) {
        failedTasks++;
      }
    }
    maybePrint();
  }

  @Override
  public synchronized void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
    if (stage != null) {
      lostExecutors++;
    }
  }

  /** This task's {clips, frames}, or null when it carries neither counter. */
  private static long[] counts(scala.collection.Seq<AccumulableInfo> infos) {
    long[] c = null;
    for (AccumulableInfo a : CollectionConverters.asJava(infos)) {
      if (a.name().isEmpty() || a.update().isEmpty()) {
        continue;
      }
      String name = a.name().get();
      int i = name.equals(StageProgress.CLIPS) ? 0 : name.equals(StageProgress.FRAMES) ? 1 : -1;
      if (i >= 0 && a.update().get() instanceof Number n) {
        c = c == null ? new long[2] : c;
        c[i] = n.longValue();
      }
    }
    return c;
  }

  private synchronized void maybePrint() {
    if (showProgress && stage != null && todo > 0
        && System.nanoTime() / 1_000_000 - lastPrint >= intervalMs) {
      print(false);
    }
  }

  private void print(boolean last) {
    long clips = doneClips;
    long frames = doneFrames;
    for (long[] c : running.values()) {
      clips += c[0];
      frames += c[1];
    }
    if (last && stage.get("clips_processed") instanceof Long p) {
      clips = p;
    }
    if (last && stage.get("frames") instanceof Long f) {
      frames = f;
    }
    long now = System.nanoTime() / 1_000_000;
    // Into a log (not a terminal), a line only when a count moved, else every 30 s.
    if (!last && !terminal && clips == lastClips && frames == lastFrames
        && now - lastPrint < 30_000) {
      return;
    }
    String line = ProgressLine.format((String) stage.get("stage"), clips, todo, frames,
        (System.nanoTime() - workStart) / 1_000_000);
    if (line.equals(lastLine) && !last) {
      return;
    }
    lastPrint = now;
    lastLine = line;
    lastClips = clips;
    lastFrames = frames;
    if (terminal) {
      console.print("\r" + line + "\u001b[K" + (last ? "\n" : ""));
    } else {
      console.println(line);
    }
    console.flush();
  }

  private static double seconds(long sinceNanos) {
    return Math.round((System.nanoTime() - sinceNanos) / 1e7) / 100.0;
  }

  private synchronized void writeSummary() {
    if (summary == null) {
      return;
    }
    try {
      byte[] json = Json.write(run).getBytes(StandardCharsets.UTF_8);
      FileSystem fs = summary.getFileSystem(hconf);
      if (fs instanceof LocalFileSystem local) {
        // Written through java.nio: Hadoop's local file system forks chmod (and FileContext's
        // rename readlink) for every file when no native Hadoop library is loaded, and the
        // summary is rewritten after each stage.
        writeLocal(local.pathToFile(summary).toPath(), json);
        return;
      }
      FileContext fc = FileContext.getFileContext(summary.toUri(), hconf);
      fc.mkdir(summary.getParent(), null, true);
      Path tmp = new Path(summary.getParent(), "." + summary.getName() + ".tmp");
      try (OutputStream out = fc.create(tmp,
          java.util.EnumSet.of(org.apache.hadoop.fs.CreateFlag.CREATE,
              org.apache.hadoop.fs.CreateFlag.OVERWRITE))) {
        out.write(json);
      }
      fc.rename(tmp, summary, Rename.OVERWRITE);
    } catch (IOException | RuntimeException e) {
      // The summary is a report: a failure to write it must not fail the run.
      LOG.warn("could not write the run summary {}: {}", summary, e.toString());
    }
  }

  /** The same atomic replace on a local path: a hidden temporary file moved over it. */
  private static void writeLocal(java.nio.file.Path to, byte[] json) throws IOException {
    Files.createDirectories(to.getParent());
    java.nio.file.Path tmp = to.resolveSibling("." + to.getFileName() + ".tmp");
    Files.write(tmp, json);
    Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
