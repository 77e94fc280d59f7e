package io.talkset.jobs;

import io.talkset.jobs.cli.Options;
import io.talkset.jobs.cli.UsageException;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.jobs.io.OutputLock;
import io.talkset.jobs.progress.RunMonitor;
import io.talkset.jobs.runtime.Job;
import io.talkset.jobs.runtime.SparkSessions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * Entry point of the job jar: {@code talkset <job> --input URI [--input URI ...] --output URI
 * [options]}, the same through {@code bin/talkset} and {@code spark-submit --class
 * io.talkset.jobs.Talkset talkset.jar}.
 */
public final class Talkset {
  /** Stages in pipeline order; later issues append to this list. */
  static List<Job> stages() {
    return List.of(new CrawlJob(), new io.talkset.jobs.audio.AudioJob(),
        new io.talkset.jobs.frames.FramesJob(), new io.talkset.jobs.params.ParamsJob(),
        new io.talkset.jobs.morphable.MorphableJob(), new io.talkset.jobs.sync.SyncJob(), new io.talkset.jobs.pairs.PairsJob(),
        new io.talkset.jobs.shards.ShardsJob(), new io.talkset.jobs.eval.EvaluateJob(),
        new io.talkset.jobs.report.ReportJob());
  }

  static Map<String, Job> jobs() {
    Map<String, Job> jobs = new LinkedHashMap<>();
    for (Job j : stages()) {
      jobs.put(j.name(), j);
    }
    // Jobs outside the pipeline, after the stages.
    Job render = new io.talkset.jobs.render.RenderJob();
    jobs.put(render.name(), render);
    Job export = new io.talkset.jobs.export.ExportJob();
    jobs.put(export.name(), export);
    RunJob run = new RunJob(stages());
    jobs.put(run.name(), run);
    return jobs;
  }

  public static void main(String[] args) throws Exception {
    int code = execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Between commands of one command line: {@code talkset A ARGS --then B ARGS ...} runs them
   * in order in one JVM and one Spark session, as separate commands would run one after
   * another (each takes its root's lock and writes its own run summary; the first that fails
   * stops the rest and gives the exit code). Every command is checked before anything starts.
   * Saves each later command the JVM's and Spark's start and a cold JIT (bin/demo: six
   * commands).
   */
  static final String THEN = "--then";

  /** Runs a command line; returns the process exit code. */
  static int execute(String[] args) throws Exception {
    Map<String, Job> jobs = jobs();
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")
        || args[0].equals("help")) {
      System.out.print(usage(jobs));
      return args.length == 0 ? 2 : 0;
    }
    List<String[]> commands = new ArrayList<>();
    int from = 0;
    for (int i = 0; i <= args.length; i++) {
      if (i == args.length || args[i].equals(THEN)) {
        if (i == from) {
          System.err.println("talkset: " + THEN + " needs a command on both sides");
          return 2;
        }
        commands.add(Arrays.copyOfRange(args, from, i));
        from = i + 1;
      }
    }
    List<Job> chain = new ArrayList<>();
    List<String[]> rests = new ArrayList<>();
    List<Options.Parsed> parsed = new ArrayList<>();
    for (String[] command : commands) {
      Job job = jobs.get(command[0]);
      if (job == null) {
        System.err.println(unknownJob(jobs, command[0]));
        return 2;
      }
      String[] rest = Arrays.copyOfRange(command, 1, command.length);
      if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
        System.out.print(jobHelp(job));
        return 0;
      }
      try {
        // Validate before a session starts, so argument errors cost no Spark start-up.
        parsed.add(parseAndValidate(job, rest));
      } catch (UsageException e) {
        System.err.println("talkset " + job.name() + ": " + e.getMessage());
        return 2;
      }
      chain.add(job);
      rests.add(rest);
    }
    SparkSession spark = null;
    try {
      for (int i = 0; i < chain.size(); i++) {
        Job job = chain.get(i);
        OutputLock lock;
        try {
          // Before the session: a second writer on the root is refused at once, touching
          // nothing.
          lock = OutputLock.forRoot(parsed.get(i).get("output"), job.name());
        } catch (UsageException e) {
          System.err.println("talkset " + job.name() + ": " + e.getMessage());
          return 2;
        }
        if (spark == null) {
          try {
            spark = SparkSessions.getOrCreate("talkset " + job.name());
          } catch (RuntimeException | Error e) {
            lock.close();
            throw e;
          }
        }
        int code = runOne(spark, job, rests.get(i), parsed.get(i), lock);
        if (code != 0) {
          return code;
        }
      }
      return 0;
    } finally {
      if (spark != null) {
        spark.stop();
      }
    }
  }

  /** One command on a started session; releases its lock. */
  private static int runOne(SparkSession spark, Job job, String[] rest, Options.Parsed parsed,
      OutputLock lock) throws Exception {
    Throwable failure = null;
    RunMonitor monitor = null;
    try {
      // Progress on stderr and the run summary OUTPUT/_runs/RUN_ID.json.
      monitor = RunMonitor.attach(spark, job.name(), Arrays.asList(rest), parsed.get("output"));
      System.out.print(job instanceof RunJob ? job.run(spark, parsed)
          : RunMonitor.stage(job.name(), () -> job.run(spark, parsed)));
      return 0;
    } catch (UsageException e) {
      failure = e;
      System.err.println("talkset " + job.name() + ": " + e.getMessage());
      return 2;
    } catch (Exception | Error e) {
      failure = e;
      throw e;
    } finally {
      if (monitor != null) {
        monitor.close(failure);
      }
      lock.close();
    }
  }

  /**
   * Checks a command line ({@code <job> [options]}) exactly as {@link #execute} does before a
   * session starts: the job exists, its options parse, and the job accepts them. Starts nothing,
   * prints nothing; for schedulers and tests that check task arguments ahead of a run.
   *
   * @return the one-line error {@code execute} would print, or empty when the line is accepted
   */
  public static Optional<String> validate(String[] args) {
    if (args.length == 0) {
      return Optional.of("talkset: no job given (see talkset --help)");
    }
    Map<String, Job> jobs = jobs();
    Job job = jobs.get(args[0]);
    if (job == null) {
      return Optional.of(unknownJob(jobs, args[0]));
    }
    try {
      parseAndValidate(job, Arrays.copyOfRange(args, 1, args.length));
      return Optional.empty();
    } catch (UsageException e) {
      return Optional.of("talkset " + job.name() + ": " + e.getMessage());
    }
  }

  private static String unknownJob(Map<String, Job> jobs, String name) {
    return "talkset: unknown job '" + name + "' (jobs: " + String.join(", ", jobs.keySet())
        + "; see talkset --help)";
  }

  private static Options.Parsed parseAndValidate(Job job, String[] rest) {
    Options.Parsed parsed = job.options().parse(rest);
    job.validate(parsed);
    return parsed;
  }

  static String usage(Map<String, Job> jobs) {
    StringBuilder sb = new StringBuilder();
    sb.append("usage: talkset <job> --input URI [--input URI ...] --output URI [options]\n\n");
    sb.append("jobs:\n");
    for (Job j : jobs.values()) {
      sb.append(String.format("  %-8s %s%n", j.name(), j.summary()));
    }
    sb.append("\n'talkset <job> --help' lists a job's options. --output is a dataset root:\n")
        .append("each stage writes its own table under it (clips/, ...).\n")
        .append("'talkset <job> [options] --then <job> [options] ...' runs several commands in\n")
        .append("one JVM and Spark session, in order, stopping at the first that fails.\n");
    return sb.toString();
  }

  static String jobHelp(Job job) {
    return "usage: talkset " + job.name() + " --input URI [--input URI ...] --output URI"
        + " [options]\n\n" + job.summary() + "\n\noptions:\n" + job.options().help();
  }
}
