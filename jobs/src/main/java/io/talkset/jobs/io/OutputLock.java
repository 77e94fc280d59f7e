package io.talkset.jobs.io;

import io.talkset.jobs.cli.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer per dataset root: {@code ROOT/_talkset.lock}, created atomically
 * ({@code FileSystem.create(path, false)}, which HDFS refuses atomically when the file exists;
 * on local disks an exclusive create, because Hadoop's local create looks first; S3A has no
 * atomic create, so keep the root on HDFS there, as for the commits), holding the holder's host,
 * pid, process start time, job and a random token. A second job on the same root is refused
 * with a {@link UsageException} naming the holder, before it touches anything (a writer's first
 * step, {@link TableCommitter#recover}, deletes staging folders it takes for leftovers: the live
 * writer's, without this lock).
 *
 * <p>Stale locks. A lock whose holder died must not block the root for ever, and a live
 * holder's lock must never be taken. The holder touches the lock's modification time every
 * {@code HEARTBEAT} (a daemon thread). A lock is stale when either
 * <ul>
 *   <li>it names this host and its pid is not running, or is running but started at another
 *       time (the pid was reused): certain, so it is taken at once; or
 *   <li>its modification time is older than {@code spark.talkset.lock.staleSeconds} (default
 *       600: twenty missed heartbeats; allow for clock skew between hosts): a holder on another
 *       host cannot be asked, so silence is the only evidence.
 * </ul>
 * Taking a stale lock is a rename to a private name (one contender wins; on HDFS and local
 * disks the rename is atomic), a check that the renamed file is still the stale holder's (its
 * token), then an atomic create of our own. A contender whose rename caught a fresh lock puts
 * it back and is refused. Release deletes the lock only while it still holds our token.
 */
public final class OutputLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OutputLock.class);
  public static final String FILE = "_talkset.lock";
  public static final String STALE_SECONDS = "spark.talkset.lock.staleSeconds";
  static final long HEARTBEAT_MS = 30_000;

  private final FileSystem fs;
  private final Path lock;
  private final String token;
  private final ScheduledExecutorService beat;

  private OutputLock(FileSystem fs, Path lock, String token) {
    this.fs = fs;
    this.lock = lock;
    this.token = token;
    if (fs == null) {
      beat = null;
      return;
    }
    beat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "talkset-lock-heartbeat");
      t.setDaemon(true);
      return t;
    });
    beat.scheduleWithFixedDelay(this::touch, HEARTBEAT_MS, HEARTBEAT_MS, TimeUnit.MILLISECONDS);
  }

  /** No lock, for a job without a dataset root. */
  public static OutputLock none() {
    return new OutputLock(null, null, null);
  }

  /**
   * The lock of a job's dataset root ({@code --output}; none when the job has none), taken
   * before any Spark session starts: the file system settings are Spark's {@code spark.hadoop.*}
   * ones as {@code spark-submit} passes them, over the Hadoop files on the class path.
   */
  public static OutputLock forRoot(String rootUri, String job) throws IOException {
    if (rootUri == null || rootUri.isBlank()) {
      return none();
    }
    org.apache.spark.SparkConf spark = new org.apache.spark.SparkConf();
    Configuration conf = new Configuration();
    for (scala.Tuple2<String, String> kv : spark.getAll()) {
      if (kv._1().startsWith("spark.hadoop.")) {
        conf.set(kv._1().substring("spark.hadoop.".length()), kv._2());
      }
    }
    conf.set(STALE_SECONDS, spark.get(STALE_SECONDS, "600"));
    return acquire(conf, rootUri, job);
  }

  /**
   * Takes the lock of dataset root {@code rootUri} for {@code job}, creating the root if need
   * be; throws a {@link UsageException} naming the holder when another live run holds it.
   */
  public static OutputLock acquire(Configuration conf, String rootUri, String job)
      throws IOException {
    Path root = new Path(rootUri);
    FileSystem fs = root.getFileSystem(conf);
    Path lock = new Path(root, FILE);
    long staleMs = conf.getLong(STALE_SECONDS, 600) * 1000;
    fs.mkdirs(root);
    Map<String, Object> me = holder(job);
    String token = (String) me.get("token");
    for (int attempt = 0; attempt < 3; attempt++) {
      if (create(fs, lock, Json.write(me))) {
        return new OutputLock(fs, lock, token);
      }
      Map<String, String> held = read(fs, lock);
      if (held == null) {
        continue; // released between our create and our read: try again
      }
      String why = staleReason(fs, lock, held, staleMs);
      if (why == null) {
        throw new UsageException("dataset root " + root + " is being written by another run: "
            + describe(held) + "; one writer per root at a time (wait for it to finish, or if"
            + " that run is dead, delete " + lock + ")");
      }
      if (!takeOver(fs, lock, held.get("token"))) {
        continue; // someone else took it first: look again
      }
      LOG.warn("taking over a stale lock on {} ({}): {}", root, why, describe(held));
    }
    throw new UsageException("dataset root " + root + ": could not take " + lock
        + " (other runs keep taking it); one writer per root at a time");
  }

  private static boolean create(FileSystem fs, Path lock, String text) throws IOException {
    if (fs instanceof org.apache.hadoop.fs.LocalFileSystem local) {
      // Hadoop's local create(path, false) looks, then opens: not atomic. O_EXCL is.
      try {
        java.nio.file.Files.write(local.pathToFile(lock).toPath(),
            text.getBytes(StandardCharsets.UTF_8), java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE);
        return true;
      } catch (java.nio.file.FileAlreadyExistsException e) {
        return false;
      }
    }
    try (OutputStream out = fs.create(lock, false)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      // Some file systems say "exists" with a plain IOException.
      if (fs.exists(lock)) {
        return false;
      }
      throw e;
    }
  }

  /** Why the lock's holder is certainly or probably dead, or null when it may be alive. */
  static String staleReason(FileSystem fs, Path lock, Map<String, String> held, long staleMs)
      throws IOException {
    if (thisHost().equals(held.get("host")) && held.get("pid") != null) {
      long pid;
      try {
        pid = Long.parseLong(held.get("pid"));
      } catch (NumberFormatException e) {
        pid = -1;
      }
      java.util.Optional<ProcessHandle> p = ProcessHandle.of(pid);
      if (p.isEmpty() || !p.get().isAlive()) {
        return "its process " + pid + " on this host is not running";
      }
      String started = p.get().info().startInstant().map(Instant::toString).orElse(null);
      if (started != null && held.get("process_started") != null
          && !started.equals(held.get("process_started"))) {
        return "process " + pid + " on this host is another process (started " + started + ")";
      }
    }
    FileStatus s;
    try {
      s = fs.getFileStatus(lock);
    } catch (java.io.FileNotFoundException e) {
      return "released";
    }
    long silent = System.currentTimeMillis() - s.getModificationTime();
    if (silent > staleMs) {
      return "no heartbeat for " + silent / 1000 + " s (" + STALE_SECONDS + " "
          + staleMs / 1000 + ")";
    }
    return null;
  }

  private static boolean takeOver(FileSystem fs, Path lock, String staleToken)
      throws IOException {
    Path aside = new Path(lock.getParent(), "." + FILE + ".stale-"
        + UUID.randomUUID().toString().substring(0, 8));
    if (!fs.rename(lock, aside)) {
      return false;
    }
    Map<String, String> moved = read(fs, aside);
    if (moved == null || !java.util.Objects.equals(staleToken, moved.get("token"))) {
      // A new holder's lock, created since we judged the old one: give it back.
      if (!fs.rename(aside, lock)) {
        LOG.error("could not put back {} (moved to {})", lock, aside);
      }
      return false;
    }
    fs.delete(aside, false);
    return true;
  }

  private static Map<String, String> read(FileSystem fs, Path p) throws IOException {
    try (InputStream in = fs.open(p)) {
      Map<String, String> m = new LinkedHashMap<>();
      new com.fasterxml.jackson.databind.ObjectMapper().readTree(in).fields()
          .forEachRemaining(e -> m.put(e.getKey(),
          e.getValue().isNull() ? null : e.getValue().asText()));
      return m;
    } catch (java.io.FileNotFoundException e) {
      return null;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // Half-written by a holder that died while creating it: no token, no pid.
      return new LinkedHashMap<>();
    }
  }

  private static Map<String, Object> holder(String job) {
    ProcessHandle self = ProcessHandle.current();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job", job);
    m.put("host", thisHost());
    m.put("pid", String.valueOf(self.pid()));
    m.put("process_started", self.info().startInstant().map(Instant::toString).orElse(null));
    m.put("user", System.getProperty("user.name"));
    m.put("since", Instant.now().toString());
    m.put("token", UUID.randomUUID().toString());
    return m;
  }

  static String thisHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String describe(Map<String, String> h) {
    return "talkset " + h.getOrDefault("job", "?") + " on host " + h.getOrDefault("host", "?")
        + ", pid " + h.getOrDefault("pid", "?") + ", user " + h.getOrDefault("user", "?")
        + ", since " + h.getOrDefault("since", "?");
  }

  private void touch() {
    try {
      fs.setTimes(lock, System.currentTimeMillis(), -1);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not refresh {}: {}", lock, e.toString());
    }
  }

  /** Releases the lock: deletes it while it is still ours. */
  @Override
  public void close() {
    if (fs == null) {
      return;
    }
    beat.shutdownNow();
    try {
      Map<String, String> held = read(fs, lock);
      if (held != null && token.equals(held.get("token"))) {
        fs.delete(lock, false);
      } else {
        LOG.warn("{} is no longer this run's lock; left as it is", lock);
      }
    } catch (IOException e) {
      LOG.warn("could not release {}: {}", lock, e.toString());
    }
  }
}
