package io.talkset.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.jobs.runtime.GpuStages;
import org.apache.spark.SparkConf;
import org.apache.spark.resource.ResourceProfile;
import org.junit.jupiter.api.Test;

/**
 * When the model stages may ask for GPUs per task, and the errors that name the setting when
 * the cluster cannot honour it (no Spark started; FramesGpuSuite runs the profile on a cluster).
 */
class GpuStagesTest {
  static SparkConf gpuCluster() {
    return new SparkConf(false).set("spark.master", "spark://127.0.0.1:7077")
        .set("spark.executor.resource.gpu.amount", "1");
  }

  static String refusal(SparkConf conf) {
    return assertThrows(IllegalArgumentException.class, () -> GpuStages.profile(conf))
        .getMessage();
  }

  @Test
  void withoutTheSettingNothingChanges() {
    assertTrue(GpuStages.profile(gpuCluster()).isEmpty());
    assertTrue(GpuStages.profile(new SparkConf(false).set("spark.master", "local[*]")).isEmpty());
  }

  @Test
  void modelTasksAskForTheirShareOfAGpuAndNoExecutorResources() {
    ResourceProfile p = GpuStages.profile(gpuCluster().set(GpuStages.TASK_AMOUNT, "0.25"))
        .orElseThrow();
    assertEquals(0.25, p.taskResources().get("gpu").get().amount());
    assertEquals(1.0, p.taskResources().get("cpus").get().amount());
    // Task-only: Spark runs it on the application's existing (GPU) executors.
    assertTrue(p.executorResources().isEmpty(), p.toString());
  }

  @Test
  void refusesWhatSparkCannotSchedule() {
    assertTrue(refusal(gpuCluster().set(GpuStages.TASK_AMOUNT, "0.7"))
        .startsWith("spark.talkset.gpu.taskAmount must be a whole number or a fraction up to"
            + " 0.5"));
    assertTrue(refusal(gpuCluster().set(GpuStages.TASK_AMOUNT, "half")).endsWith("got 'half'"));
    assertTrue(refusal(gpuCluster().set(GpuStages.TASK_AMOUNT, "0.5")
        .set("spark.master", "local[4]")).contains("local mode offers tasks no gpu"));
    assertTrue(refusal(gpuCluster().set(GpuStages.TASK_AMOUNT, "0.5")
        .set("spark.dynamicAllocation.enabled", "true"))
        .contains("needs spark.dynamicAllocation.enabled=false"));
    assertTrue(refusal(gpuCluster().set(GpuStages.TASK_AMOUNT, "2"))
        .contains("set spark.executor.resource.gpu.amount (now 1)"));
    assertTrue(refusal(new SparkConf(false).set("spark.master", "yarn")
        .set(GpuStages.TASK_AMOUNT, "1")).contains("(now unset)"));
  }
}
