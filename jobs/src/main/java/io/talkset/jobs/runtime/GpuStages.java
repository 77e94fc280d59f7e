package io.talkset.jobs.runtime;

import java.util.Locale;
import java.util.Optional;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;

/**
 * Stage-level scheduling of the model stages (frames, params). With
 * {@code spark.talkset.gpu.taskAmount} set (e.g. 0.25), the tasks that run the networks ask
 * Spark for that share of a {@code gpu}, while every other stage's tasks (crawl, audio, the
 * reads and shuffles around the models) ask for none, so they are not limited by the GPU
 * count. Spark runs such a task-only profile on the application's existing executors, which
 * must therefore have GPUs ({@code spark.executor.resource.gpu.amount}); it supports this on
 * standalone, YARN and Kubernetes with dynamic allocation off (SPARK-39853, SPARK-45495). With
 * dynamic allocation on, Spark would start new executors for the profile with no GPU, so that
 * combination is refused here. Unset, nothing changes: tasks take {@code
 * spark.task.resource.gpu.amount} as before.
 */
public final class GpuStages {
  /** The share of a GPU one model task asks for: a whole number, or at most 0.5. */
  public static final String TASK_AMOUNT = "spark.talkset.gpu.taskAmount";

  private GpuStages() {}

  /**
   * The resource profile for model tasks under {@code conf}, or empty when
   * {@link #TASK_AMOUNT} is not set.
   *
   * @throws IllegalArgumentException naming the setting when the cluster cannot honour it
   */
  public static Optional<ResourceProfile> profile(SparkConf conf) {
    if (!conf.contains(TASK_AMOUNT) || conf.get(TASK_AMOUNT).isBlank()) {
      return Optional.empty();
    }
    String raw = conf.get(TASK_AMOUNT).trim();
    double amount;
    try {
      amount = Double.parseDouble(raw);
    } catch (NumberFormatException e) {
      amount = Double.NaN;
    }
    if (!(amount > 0 && (amount <= 0.5 || amount == Math.rint(amount)))) {
      throw new IllegalArgumentException(TASK_AMOUNT + " must be a whole number or a fraction"
          + " up to 0.5 (Spark's rule for sharing a GPU), got '" + raw + "'");
    }
    String master = conf.get("spark.master", "");
    if (master.startsWith("local") && !master.startsWith("local-cluster")) {
      throw new IllegalArgumentException(TASK_AMOUNT + " needs a cluster (standalone, YARN,"
          + " Kubernetes): local mode offers tasks no gpu resource (master " + master + ")");
    }
    if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
      throw new IllegalArgumentException(TASK_AMOUNT + " needs"
          + " spark.dynamicAllocation.enabled=false: the model tasks share the application's"
          + " GPU executors, and Spark would start new executors without GPUs for them");
    }
    double perExecutor = conf.getDouble("spark.executor.resource.gpu.amount", 0);
    if (perExecutor < Math.max(1, amount)) {
      throw new IllegalArgumentException(TASK_AMOUNT + "=" + raw + " needs executors with"
          + " GPUs: set spark.executor.resource.gpu.amount (now "
          + conf.get("spark.executor.resource.gpu.amount", "unset") + ")");
    }
    TaskResourceRequests task = new TaskResourceRequests()
        .cpus(conf.getInt("spark.task.cpus", 1))
        .resource("gpu", amount);
    // No executor requests: Spark builds a task-only profile that runs on the default executors.
    return Optional.of(new ResourceProfileBuilder().require(task).build());
  }

  /**
   * {@code rdd} with the model-task profile when {@link #TASK_AMOUNT} is set and the stage may
   * use a GPU ({@code device} is not {@code cpu}); {@code rdd} itself otherwise. Apply it to the
   * RDD whose tasks run the networks: the stage that computes it takes the profile.
   */
  public static <T> JavaRDD<T> forModelTasks(JavaRDD<T> rdd, String device) {
    if ("cpu".equals(device.toLowerCase(Locale.ROOT))) {
      return rdd;
    }
    Optional<ResourceProfile> p = profile(rdd.context().getConf());
    return p.isPresent() ? rdd.withResources(p.get()) : rdd;
  }
}
