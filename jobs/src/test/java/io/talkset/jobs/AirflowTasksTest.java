package io.talkset.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.talkset.jobs.runtime.Job;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Airflow DAG's tasks (cluster-config/airflow/talkset_tasks.json) are command lines the job
 * jar accepts, once Airflow has rendered their templates; and the DAG file builds exactly those
 * tasks. Airflow is not installable here: the DAG file is loaded by python3 against stand-ins
 * for the few Airflow names it imports (airflow_dag_probe.py), which record what it built.
 */
class AirflowTasksTest {
  private static final Path ROOT =
      Path.of(System.getProperty("talkset.root", "..")).toAbsolutePath().normalize();
  private static final Path AIRFLOW = ROOT.resolve("cluster-config/airflow");
  private static final Pattern TEMPLATE = Pattern.compile("\\{\\{(.*?)}}");
  private static final Pattern VARIABLE = Pattern.compile("\\s*var\\.value\\.(\\w+)\\s*");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  static JsonNode tasksFile() throws Exception {
    return JSON.readTree(AIRFLOW.resolve("talkset_tasks.json").toFile());
  }

  /** Renders what Airflow would: {{ ds }} and {{ var.value.NAME }}; anything else fails. */
  static String render(String template, String ds) {
    Matcher m = TEMPLATE.matcher(template);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String expr = m.group(1);
      String value;
      Matcher var = VARIABLE.matcher(expr);
      if (expr.strip().equals("ds")) {
        value = ds;
      } else if (var.matches()) {
        value = "/airflow/" + var.group(1);
      } else {
        throw new AssertionError("template {{" + expr + "}} is not one the DAG documents: "
            + template);
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    return m.appendTail(sb).toString();
  }

  static String[] commandLine(JsonNode task, String ds) {
    List<String> line = new ArrayList<>();
    line.add(task.get("job").asText());
    task.get("args").forEach(a -> line.add(render(a.asText(), ds)));
    return line.toArray(String[]::new);
  }

  static String option(String[] line, String name) {
    for (int i = 0; i < line.length - 1; i++) {
      if (line[i].equals(name)) {
        return line[i + 1];
      }
    }
    throw new AssertionError(name + " missing from " + String.join(" ", line));
  }

  @Test
  void everyTaskIsACommandLineTheJarAccepts() throws Exception {
    JsonNode tasks = tasksFile().get("tasks");
    List<String> jobs = new ArrayList<>();
    for (JsonNode task : tasks) {
      String[] line = commandLine(task, "2026-11-22");
      assertEquals(Optional.empty(), Talkset.validate(line), String.join(" ", line));
      jobs.add(task.get("job").asText());
    }
    // One task per stage, in pipeline order.
    assertEquals(Talkset.stages().stream().map(Job::name).toList(), jobs);
  }

  @Test
  void theValidationTheTestReliesOnRejectsABadTask() throws Exception {
    // The same path must say no, or the test above proves nothing.
    JsonNode frames = tasksFile().get("tasks").get(2);
    List<String> bad = new ArrayList<>(List.of(commandLine(frames, "2026-11-22")));
    bad.addAll(List.of("--detector", "64"));
    assertTrue(Talkset.validate(bad.toArray(String[]::new)).orElseThrow()
        .startsWith("talkset frames: --detector"));
    assertEquals(Optional.of("talkset: unknown job 'resize' (jobs: "
        + String.join(", ", Talkset.jobs().keySet()) + "; see talkset --help)"),
        Talkset.validate(new String[] {"resize"}));
    assertTrue(Talkset.validate(new String[] {"audio"}).orElseThrow()
        .startsWith("talkset audio: --output is required"));
  }

  @Test
  void eachRunDateWritesItsOwnDatasetRootInEveryStage() throws Exception {
    for (JsonNode task : tasksFile().get("tasks")) {
      String day1 = option(commandLine(task, "2026-11-22"), "--output");
      String day2 = option(commandLine(task, "2026-11-23"), "--output");
      assertTrue(day1.contains("2026-11-22"), day1);
      assertNotEquals(day1, day2);
      // The same date always gives the same root, so a retried task resumes its own output.
      assertEquals(day1, option(commandLine(task, "2026-11-22"), "--output"));
    }
    // ... and every stage of one date shares it.
    assertEquals(1, tasksFileOutputs("2026-11-22").stream().distinct().count());
  }

  private static List<String> tasksFileOutputs(String ds) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode task : tasksFile().get("tasks")) {
      out.add(option(commandLine(task, ds), "--output"));
    }
    return out;
  }

  @Test
  void theDagBuildsOneSparkSubmitPerListedTaskInOrder() throws Exception {
    Path dag = AIRFLOW.resolve("talkset_dag.py");
    assertTrue(Files.readString(dag).contains("\"talkset_tasks.json\""),
        "the DAG must read the declarative task list");
    Path probe = tmp.resolve("airflow_dag_probe.py");
    try (var in = AirflowTasksTest.class.getResourceAsStream("airflow_dag_probe.py")) {
      Files.copy(in, probe);
    }
    Map<String, String> variables = Map.of(
        "talkset_properties_file", "/etc/talkset/spark-defaults.conf",
        "talkset_spark_conf", "{\"spark.executor.memory\": \"12g\"}",
        "talkset_gpu_conf", "{\"spark.task.resource.gpu.amount\": \"0.25\"}");
    ProcessBuilder pb = new ProcessBuilder(python(), probe.toString(), dag.toString(),
        JSON.writeValueAsString(variables));
    Path err = tmp.resolve("stderr.txt");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python3 did not finish");
    assertEquals(0, p.exitValue(), Files.readString(err));
    JsonNode built = JSON.readTree(out);

    JsonNode listed = tasksFile();
    assertEquals(listed.get("dag_id").asText(), built.get("dag_id").asText());
    assertTrue(Integer.parseInt(built.get("default_args").get("retries").asText()) >= 1);
    assertEquals(1, built.get("max_active_runs").asInt(), "one writer per dataset root");
    List<String> ids = new ArrayList<>();
    List<List<String>> chain = new ArrayList<>();
    for (int i = 0; i < listed.get("tasks").size(); i++) {
      JsonNode want = listed.get("tasks").get(i);
      JsonNode got = built.get("tasks").get(i);
      String id = want.get("task_id").asText();
      assertEquals(id, got.get("task_id").asText());
      assertEquals(Talkset.class.getName(), got.get("java_class").asText());
      assertEquals("{{ var.value.talkset_jar }}", got.get("application").asText());
      assertEquals("/etc/talkset/spark-defaults.conf", got.get("properties_file").asText());
      List<String> args = new ArrayList<>(List.of(want.get("job").asText()));
      want.get("args").forEach(a -> args.add(a.asText()));
      List<String> gotArgs = new ArrayList<>();
      got.get("application_args").forEach(a -> gotArgs.add(a.asText()));
      assertEquals(args, gotArgs, id);
      JsonNode conf = got.get("conf");
      assertEquals("12g", conf.path("spark.executor.memory").asText(), id);
      // Only the model stages ask for GPUs.
      assertEquals(want.get("gpu").asBoolean(), conf.has("spark.task.resource.gpu.amount"), id);
      if (!ids.isEmpty()) {
        chain.add(List.of(ids.get(ids.size() - 1), id));
      }
      ids.add(id);
    }
    assertEquals(listed.get("tasks").size(), built.get("tasks").size());
    assertEquals(Talkset.stages().stream().map(Job::name).toList(), ids);
    List<List<String>> edges = new ArrayList<>();
    built.get("edges").forEach(e -> edges.add(List.of(e.get(0).asText(), e.get(1).asText())));
    assertEquals(chain, edges);
    assertFalse(ids.stream().distinct().count() < ids.size(), "task ids are unique");
  }

  private static String python() {
    Path system = Path.of("/usr/bin/python3");
    return Files.isExecutable(system) ? system.toString() : "python3";
  }
}
