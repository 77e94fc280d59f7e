package io.talkset.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.jobs.runtime.GpuStages;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The spark-defaults.conf variants in cluster-config/ hold the settings every talkset executor
 * needs, and the README shows a spark-submit line for each. Read as spark-submit reads
 * --properties-file (java.util.Properties); commented GPU settings are checked as text.
 */
class ClusterConfigTest {
  private static final Path ROOT =
      Path.of(System.getProperty("talkset.root", "..")).toAbsolutePath().normalize();

  @ParameterizedTest
  @ValueSource(strings = {"local", "standalone", "yarn", "kubernetes"})
  void everyVariantCarriesTheExecutorSettingsTalksetNeeds(String mode) throws Exception {
    Path file = ROOT.resolve("cluster-config/" + mode + "/spark-defaults.conf");
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    for (String key : p.stringPropertyNames()) {
      assertTrue(key.startsWith("spark."), mode + ": " + key);
      assertTrue(!p.getProperty(key).isBlank(), mode + ": " + key + " has no value");
    }
    assertEquals("org.apache.spark.serializer.KryoSerializer", p.getProperty("spark.serializer"));
    assertEquals("C.UTF-8", p.getProperty("spark.executorEnv.LC_ALL"), mode);
    assertTrue(p.containsKey("spark.executorEnv.DJL_CACHE_DIR"), mode);
    String javaOptions = mode.equals("local") ? "spark.driver.extraJavaOptions"
        : "spark.executor.extraJavaOptions";
    assertTrue(p.getProperty(javaOptions, "").contains("-Dai.djl.offline=true"), mode);
    assertTrue(p.getProperty(javaOptions, "").contains("-Dorg.bytedeco.javacpp.cachedir="), mode);
    String text = Files.readString(file);
    assertTrue(text.contains("#spark.eventLog.enabled"), mode + ": History Server settings");
    if (!mode.equals("local")) {
      for (String key : new String[] {"spark.executor.resource.gpu.amount",
          "spark.task.resource.gpu.amount", GpuStages.TASK_AMOUNT}) {
        assertTrue(text.contains("#" + key + " "), mode + ": " + key);
      }
    }
    if (mode.equals("kubernetes")) {
      assertTrue(text.contains("#spark.executor.resource.gpu.vendor           nvidia.com"));
    }
    String readme = Files.readString(ROOT.resolve("cluster-config/README.md"));
    assertTrue(readme.contains("--properties-file cluster-config/" + mode
        + "/spark-defaults.conf"), "README has no spark-submit line for " + mode);
  }
}
