package io.talkset.jobs.io;

import io.talkset.core.errors.ErrorCodes;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.util.TaskFailureListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attempts per clip of a per-clip stage, so that a clip that kills the JVM processing it (a
 * native crash in a decoder, an out-of-memory kill, {@code Runtime.halt}) cannot block the
 * stage forever. Such a clip leaves no status row, so without a count every run, and every
 * Spark retry of its task, would start it again and die again.
 *
 * <p>Before a task starts a clip it writes a small marker file,
 * {@code OUTPUT/_attempts/STAGE/CLIP/TIME-TASK-RANDOM} ({@link #begin}); when the clip's status
 * row is produced, whatever the status, the clip's folder is deleted ({@link #end}), and the
 * driver deletes what is left for every clip of a committed batch ({@link #clear}); a task that
 * fails with an exception around the clip (its output write, a kill) removes its marker too,
 * while an uncaught {@code Error} in the clip keeps it ({@link #failed}). So markers survive
 * exactly the attempts whose JVM died mid-clip, or that the clip's own code brought down. A clip that already has
 * {@code --max-attempts} markers is not started again: the task gives it a {@code failed} status
 * with {@code poison_clip} and goes on with its other clips. The markers live on the dataset's
 * own (Hadoop) file system, which every executor and every later run sees: one create and one
 * delete per clip, nothing read on the happy path but a listing of a folder that is empty.
 *
 * <p>The count works across Spark's task retries within a run as across runs: on a cluster
 * the driver survives an executor's death and retries the task ({@code spark.task.maxFailures},
 * 4 by default), whose new attempt finds the markers of the earlier ones; with the default of
 * two ({@code --max-attempts}, {@code RetryOptions}) the third attempt marks the clip and the
 * run finishes with the others ok. In local mode the executor is the driver, so a clip that
 * kills its JVM kills the run; the count carries over, and the run after the {@code max}-th
 * death finishes.
 *
 * <p>A clip that was merely in flight beside the culprit (another task of the same JVM) gets a
 * marker too. Because a finished clip clears its own markers, it only counts against a clip
 * that never finishes; and clips with markers from earlier runs ("suspects") are processed
 * first and one at a time, in one task of their own ({@link #parallelize},
 * {@link #partitionKey}), so a suspect is only ever in flight beside fresh clips and the
 * culprit dies alone among the suspects. The stages also give suspects commit groups of their
 * own, ahead of the fresh clips ({@link CommitGroups#plan}), so no fresh clip is in flight at
 * all while a suspect runs.
 */
public final class ClipAttempts implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ClipAttempts.class);
  /** The folder under the dataset root. */
  public static final String FOLDER = "_attempts";
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_-]{1,100}");

  private final String dir;
  private final String stage;
  private final int max;
  /** The stage's broadcast configuration: not a second copy in every task's closure. */
  private final Broadcast<HadoopConf> conf;
  private final Set<String> suspects;
  // Per task (each task deserializes its own copy): the marker of the clip in flight.
  private transient volatile Path inFlight;
  private transient boolean listening;

  private ClipAttempts(String dir, String stage, int max, Broadcast<HadoopConf> conf,
      Set<String> suspects) {
    this.dir = dir;
    this.stage = stage;
    this.max = max;
    this.conf = conf;
    this.suspects = suspects;
  }

  /**
   * On the driver, before the stage's tasks: the stage's attempts folder under {@code output},
   * and the clips that have markers left by runs whose JVM died.
   *
   * @param conf the Hadoop configuration the stage broadcasts to its tasks
   */
  public static ClipAttempts open(SparkSession spark, String output, String stage,
      int maxAttempts, Broadcast<HadoopConf> conf) throws IOException {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("max attempts must be at least 1, got " + maxAttempts);
    }
    Path dir = new Path(new Path(output), FOLDER + "/" + OutputNames.segment("stage", stage));
    Set<String> suspects = new TreeSet<>();
    Map<String, Integer> counts = counts(dir.getFileSystem(
        spark.sparkContext().hadoopConfiguration()), dir);
    suspects.addAll(counts.keySet());
    if (!counts.isEmpty()) {
      LOG.warn("{}: {} clip(s) were started by earlier runs whose JVM died before finishing them"
          + " (attempts by clip folder under {}: {}); they run first, one at a time, and a clip"
          + " started {} times is marked failed/poison_clip", stage, counts.size(), dir, counts,
          maxAttempts);
    }
    String master = spark.sparkContext().master();
    int taskFailures = spark.sparkContext().conf().getInt("spark.task.maxFailures", 4);
    if (!master.startsWith("local") && maxAttempts >= taskFailures) {
      LOG.warn("{}: --max-attempts {} is not below spark.task.maxFailures {}: a clip that kills"
          + " its executor fails the run before it is marked poison_clip (the next run marks"
          + " it)", stage, maxAttempts, taskFailures);
    }
    return new ClipAttempts(dir.toString(), stage, maxAttempts, conf, suspects);
  }

  /** The most attempts a clip gets. */
  public int max() {
    return max;
  }

  /** Whether earlier runs left attempt markers for this clip. */
  public boolean suspect(String clipId) {
    return suspects.contains(key(clipId));
  }

  /** How many clips earlier runs left attempt markers for. */
  public int suspects() {
    return suspects.size();
  }

  /**
   * {@code todo} as an RDD of {@code slices} tasks plus, when some clips are suspects, one
   * task before them that holds every suspect, so suspects run one at a time.
   */
  public <T> JavaRDD<T> parallelize(JavaSparkContext jsc, List<T> todo, Function<T, String> id,
      int slices) throws Exception {
    List<T> first = new ArrayList<>();
    List<T> rest = new ArrayList<>();
    for (T t : todo) {
      (suspect(id.call(t)) ? first : rest).add(t);
    }
    if (first.isEmpty()) {
      return jsc.parallelize(todo, slices);
    }
    JavaRDD<T> alone = jsc.parallelize(first, 1);
    return rest.isEmpty() ? alone : alone.union(jsc.parallelize(rest, slices));
  }

  /**
   * A key to hash-partition rows by clip with: the clip id, except that every suspect gets the
   * same key, so all suspects land in one task and run one at a time.
   */
  public Column partitionKey(Column clipId) {
    List<String> ids = new ArrayList<>(suspects);
    if (ids.isEmpty()) {
      return clipId;
    }
    // Keys, not ids, are known here; a clip's key is its id unless the id is not plain.
    Column key = functions.when(clipId.rlike("^" + PLAIN.pattern() + "$"), clipId)
        .otherwise(functions.concat(functions.lit("h-"),
            functions.substring(functions.sha2(clipId, 256), 1, 40)));
    return functions.when(key.isin(ids.toArray()), functions.lit("")).otherwise(clipId);
  }

  /**
   * On an executor, before a clip is started: null when it may run (its attempt is then
   * recorded), else why it must not, for its {@code poison_clip} status. A file system that
   * cannot take the marker does not stop the clip: the count is a safety net, logged when it
   * fails.
   */
  public String begin(String clipId) {
    Path clipDir = new Path(dir, key(clipId));
    try {
      FileSystem fs = clipDir.getFileSystem(conf.value().get());
      List<String> earlier = markers(fs, clipDir);
      if (earlier.size() >= max) {
        return "started " + earlier.size() + " times by the " + stage + " stage without"
            + " finishing: each time the JVM processing it died (a native crash, an"
            + " out-of-memory kill), so it is not started again (--max-attempts " + max
            + "; attempts " + earlier + " under " + clipDir + ")";
      }
      TaskContext task = TaskContext.get();
      String taskId = task == null ? "driver" : task.stageId() + "." + task.stageAttemptNumber()
          + "." + task.partitionId() + "." + task.attemptNumber();
      String name = System.currentTimeMillis() + "-" + taskId + "-"
          + UUID.randomUUID().toString().substring(0, 6);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("clip_id", clipId);
      m.put("stage", stage);
      m.put("task", taskId);
      m.put("executor", org.apache.spark.SparkEnv.get() == null ? null
          : org.apache.spark.SparkEnv.get().executorId());
      m.put("host", java.net.InetAddress.getLocalHost().getHostName());
      m.put("started_at", Instant.now().toString());
      Path marker = new Path(clipDir, name);
      try (OutputStream out = fs.create(marker, false)) {
        out.write(Json.write(m).getBytes(StandardCharsets.UTF_8));
      }
      inFlight = marker;
      if (task != null && !listening) {
        listening = true;
        task.addTaskFailureListener((TaskFailureListener) (ctx, error) -> failed(error));
      }
    } catch (IOException e) {
      LOG.warn("{}: could not record an attempt of clip {} under {} ({}); it runs uncounted",
          stage, clipId, clipDir, e.toString());
    }
    return null;
  }

  /**
   * On an executor, once a clip's status row is produced: its attempts are over. A
   * {@code poison_clip} status ({@code errorCode}) keeps its markers until the driver commits
   * it ({@link #clear}), so a run that dies before then still knows the clip.
   */
  public void end(String clipId, String errorCode) {
    inFlight = null;
    if (ErrorCodes.POISON_CLIP.equals(errorCode)) {
      return;
    }
    Path clipDir = new Path(dir, key(clipId));
    try {
      clipDir.getFileSystem(conf.value().get()).delete(clipDir, true);
    } catch (IOException e) {
      LOG.warn("{}: could not clear the attempts of clip {} under {} ({}); the driver clears"
          + " them after the commit", stage, clipId, clipDir, e.toString());
    }
  }

  /**
   * The task failed while a clip was in flight, its JVM alive. An {@code Error} counts as a
   * death would: the stages catch every {@code Exception} (and out-of-memory) of a clip's own
   * processing, so an uncaught {@code Error} (a stack overflow, a linkage error) is the clip's
   * doing and would fail every attempt. An {@code Exception} is not: the task failed around the
   * clip (its output write on a full disk, a shuffle fetch, a kill when Spark cancels the job),
   * so this attempt's marker goes, lest those failures condemn the clips they interrupt.
   */
  private void failed(Throwable error) {
    Path marker = inFlight;
    if (marker == null || !(error instanceof Exception)) {
      return;
    }
    inFlight = null;
    try {
      marker.getFileSystem(conf.value().get()).delete(marker, false);
    } catch (IOException e) {
      LOG.warn("{}: could not remove attempt {} of a task that failed ({})", stage, marker,
          e.toString());
    }
  }

  /**
   * On the driver, after the status batch committed: removes whatever markers are left for
   * {@code committed} clips (those marked {@code poison_clip}, and any whose end was lost).
   */
  public void clear(Collection<String> committed) throws IOException {
    Path d = new Path(dir);
    FileSystem fs = d.getFileSystem(conf.value().get());
    Map<String, Integer> left = counts(fs, d);
    if (left.isEmpty()) {
      return;
    }
    Set<String> keys = new TreeSet<>();
    for (String id : committed) {
      keys.add(key(id));
    }
    for (String k : left.keySet()) {
      if (keys.contains(k)) {
        fs.delete(new Path(d, k), true);
      }
    }
  }

  /** Marker counts by clip folder under a stage's attempts folder (none when it is absent). */
  static Map<String, Integer> counts(FileSystem fs, Path dir) throws IOException {
    Map<String, Integer> counts = new TreeMap<>();
    FileStatus[] clips;
    try {
      clips = fs.listStatus(dir);
    } catch (FileNotFoundException e) {
      return counts;
    }
    for (FileStatus c : clips) {
      if (c.isDirectory()) {
        int n = markers(fs, c.getPath()).size();
        if (n > 0) {
          counts.put(c.getPath().getName(), n);
        }
      }
    }
    return counts;
  }

  private static List<String> markers(FileSystem fs, Path clipDir) throws IOException {
    List<String> names = new ArrayList<>();
    try {
      for (FileStatus s : fs.listStatus(clipDir)) {
        // Local file systems add hidden .crc files beside the markers.
        if (s.isFile() && !s.getPath().getName().startsWith(".")) {
          names.add(s.getPath().getName());
        }
      }
    } catch (FileNotFoundException e) {
      return names;
    }
    java.util.Collections.sort(names);
    return names;
  }

  /** A clip's folder name: its id when that is a plain name, else a digest of it. */
  static String key(String clipId) {
    if (PLAIN.matcher(clipId).matches()) {
      return clipId;
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest(clipId.getBytes(StandardCharsets.UTF_8));
      return "h-" + HexFormat.of().formatHex(d).substring(0, 40);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
