package io.talkset.jobs.frames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.crawl.FileExaminer;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.media.FfmpegProber;
import io.talkset.jobs.crawl.CrawlConfig;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.jobs.runtime.ClipBatch;
import io.talkset.jobs.runtime.Devices;
import io.talkset.jobs.runtime.GpuStages;
import io.talkset.jobs.runtime.SparkSessions;
import io.talkset.testing.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark with a {@code gpu} resource found by a discovery script, as a GPU cluster is set up
 * (spark.{driver,executor,task}.resource.gpu.*). Runs in its own JVM (the surefire execution
 * {@code gpu-resources}): a JVM has one SparkContext and its resources are fixed at start.
 * Only the model tasks ask for it ({@link GpuStages}, stage-level scheduling). This machine has
 * no CUDA build of ONNX Runtime, so the stage must read the assigned address, warn, and run on
 * the CPU.
 */
class FramesGpuSuite {
  @TempDir static Path tmp;
  static SparkSession spark;

  @BeforeAll
  static void start() throws Exception {
    Path script = tmp.resolve("discover-gpus.sh");
    Files.writeString(script, "#!/bin/sh\necho '{\"name\": \"gpu\", \"addresses\": [\"3\"]}'\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    // Local mode offers no resources to tasks; a local cluster (a master, one worker and an
    // executor JVM on this machine) schedules them as a real cluster does.
    String home = System.getenv("SPARK_HOME");
    Path sparkHome = home != null ? Path.of(home) : tmp.resolve("spark-home");
    Files.createDirectories(sparkHome.resolve("jars"));
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    String cache = System.getProperty("talkset.cache");
    spark = SparkSession.builder()
        .master("local-cluster[1,2,2048]")
        .appName("talkset-gpu-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.test.home", sparkHome.toString())
        .config("spark.executor.extraClassPath", classPath)
        .config("spark.executor.extraJavaOptions", "-Dai.djl.offline=true -Dai.djl.onnx.disable_alternative=true"
            + " -Dorg.bytedeco.javacpp.cachedir=" + cache + "/javacpp")
        .config("spark.executorEnv.DJL_CACHE_DIR", cache + "/djl")
        .config("spark.executorEnv.LC_ALL", "C.UTF-8")
        .config("spark.worker.resource.gpu.amount", "1")
        .config("spark.worker.resource.gpu.discoveryScript", script.toString())
        .config("spark.executor.resource.gpu.amount", "1")
        // No spark.task.resource.gpu.amount: only the model tasks ask for the GPU, through
        // stage-level scheduling (GpuStages), as cluster-config/README.md describes.
        .config(GpuStages.TASK_AMOUNT, "0.5")
        .getOrCreate();
    SparkSessions.configure(spark);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void onlyModelTasksAskForTheGpu() {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // Tasks of other stages (crawl, audio) get no gpu, so the GPU count does not limit them.
    assertEquals(List.of(false, false, false), jsc.parallelize(List.of(1, 2, 3), 3).map(i ->
        org.apache.spark.TaskContext.get().resources().contains("gpu")).collect());
    // The same tasks through the model stages' profile are each assigned the worker's gpu.
    assertEquals(List.of("3", "3", "3"), GpuStages.forModelTasks(jsc.parallelize(
        List.of(1, 2, 3), 3), "auto").map(i -> String.join(",",
            org.apache.spark.TaskContext.get().resources().get("gpu").get().addresses()))
        .collect());
    // --device cpu needs no GPU, so it asks for none.
    assertEquals(List.of(false), GpuStages.forModelTasks(jsc.parallelize(List.of(1), 1), "cpu")
        .map(i -> org.apache.spark.TaskContext.get().resources().contains("gpu")).collect());
  }

  @Test
  void theTaskSeesTheAssignedGpuAndFallsBackToTheCpuWithAWarning() throws Exception {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<String> seen = GpuStages.forModelTasks(jsc.parallelize(List.of(1, 2), 2), "auto")
        .map(i -> {
          Devices.Placement p = Devices.placement("auto",
              org.apache.spark.TaskContext.get());
          return p.device() + " | " + p.description();
        }).collect();
    for (String s : seen) {
      assertTrue(s.startsWith("cpu() | cpu (task was assigned gpu 3, but this ONNX Runtime"
          + " build has no CUDA provider"), s);
    }
    // --device cpu ignores the resource.
    assertEquals(List.of("cpu"), jsc.parallelize(List.of(1), 1).map(i -> Devices.placement(
        "cpu", org.apache.spark.TaskContext.get()).description()).collect());
    assertFalse(Devices.cudaAvailable());

    // The whole stage on that cluster: clips come out, on the CPU, saying why.
    Path in = tmp.resolve("in");
    Path out = tmp.resolve("out");
    Files.createDirectories(in);
    Files.copy(Samples.get("video/kphotoalbum/movie.avi"), in.resolve("movie.avi"));
    CrawlJob.crawl(spark, new CrawlConfig(List.of(in.toString()), out.toString(),
        MediaNames.defaults(), FileExaminer.Require.ANY, 30_000,
        FfmpegProber.FrameCount.ESTIMATE, 0, false));
    ClipBatch r = FramesJob.process(spark, FramesJobSuite.config(out));
    assertEquals(java.util.Map.of("ok", 1L), r.byStatus());
    Row s = spark.read().parquet(out.resolve("frames_clips").toString()).first();
    assertTrue(s.getString(s.fieldIndex("device")).contains("assigned gpu 3"),
        s.getString(s.fieldIndex("device")));

    // The face-parameters stage places its networks the same way.
    ClipBatch p = io.talkset.jobs.params.ParamsJob.process(spark,
        io.talkset.jobs.params.ParamsConfig.from(io.talkset.jobs.params.ParamsConfig.options()
            .parse(new String[] {"--output", out.toString(), "--models",
                Samples.models().toString()})));
    assertEquals(java.util.Map.of("ok", 1L), p.byStatus());
    assertEquals(r.frames(), p.frames());
    Row ps = spark.read().parquet(out.resolve("face_params_clips").toString()).first();
    assertTrue(ps.getString(ps.fieldIndex("device")).contains("assigned gpu 3"),
        ps.getString(ps.fieldIndex("device")));
  }
}
