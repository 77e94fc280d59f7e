package io.talkset.jobs;

import io.talkset.jobs.cli.Options;
import io.talkset.jobs.progress.RunMonitor;
import io.talkset.jobs.runtime.Job;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** {@code talkset run}: every stage that exists, in pipeline order, on one session. */
public final class RunJob implements Job {
  private final List<Job> stages;

  public RunJob(List<Job> stages) {
    this.stages = stages;
  }

  @Override
  public String name() {
    return "run";
  }

  @Override
  public String summary() {
    return "run every stage in order: " + String.join(" -> ",
        stages.stream().map(Job::name).toList());
  }

  @Override
  public Options options() {
    Options all = new Options();
    for (Job s : stages) {
      all.addAll(s.options());
    }
    return all;
  }

  @Override
  public void validate(Options.Parsed args) {
    for (Job s : stages) {
      s.validate(args);
    }
  }

  @Override
  public String run(SparkSession spark, Options.Parsed args) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (Job s : stages) {
      String out = RunMonitor.stage(s.name(), () -> s.run(spark, args));
      System.out.print(out);
      sb.append(out);
    }
    return "run: " + stages.size() + " stage(s) done; dataset root " + args.get("output") + "\n";
  }
}
