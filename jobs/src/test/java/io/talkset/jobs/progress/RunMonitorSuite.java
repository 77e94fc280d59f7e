package io.talkset.jobs.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.talkset.jobs.RunJob;
import io.talkset.jobs.SparkTestSession;
import io.talkset.jobs.audio.AudioJob;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.crawl.CrawlJob;
import io.talkset.jobs.runtime.Job;
import io.talkset.testing.Samples;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run monitor on a real crawl + audio run (six speech files, one per task): the progress
 * lines count up to the clips and frames the tables hold, and the run summary's counters are
 * those of the committed tables, read back independently.
 */
class RunMonitorSuite {
  private final SparkSession spark = SparkTestSession.get();
  private static final Pattern LINE =
      Pattern.compile("progress audio: (\\d+)/6 clips(?:, (\\d+) frames, [0-9.]+ frames/s)?, ETA .*");

  @Test
  void progressLinesAndRunSummaryMatchTheCommittedTables(@TempDir Path tmp) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    List<Path> speech;
    try (Stream<Path> s = Files.list(Samples.dir().resolve("speech/allison"))) {
      speech = s.filter(p -> p.toString().endsWith(".wav")).sorted().limit(6).toList();
    }
    for (Path p : speech) {
      Files.copy(p, in.resolve(p.getFileName()));
    }
    Path out = tmp.resolve("out");
    List<String> args = List.of("--input", in.toString(), "--output", out.toString(),
        "--partitions", "6");
    RunJob run = new RunJob(List.<Job>of(new CrawlJob(), new AudioJob()));
    Options.Parsed parsed = run.options().parse(args.toArray(new String[0]));
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    RunMonitor monitor = RunMonitor.attach(spark, "run", args, out.toString(),
        new PrintStream(console, true, StandardCharsets.UTF_8), 0);
    try {
      run.run(spark, parsed);
    } finally {
      monitor.close(null);
    }

    long frames = spark.read().parquet(out.resolve("audio").toString()).count();
    long framesByStatus = 0;
    for (Row r : spark.read().parquet(out.resolve("audio_clips").toString())
        .selectExpr("sum(frames)").collectAsList()) {
      framesByStatus = r.getLong(0);
    }
    assertEquals(frames, framesByStatus);

    // Progress: every task end prints (interval 0); the counts only grow, pass through the
    // middle, and end at the table's clips and frames.
    List<Long> clips = new ArrayList<>();
    long lastFrames = -1;
    for (String line : console.toString(StandardCharsets.UTF_8).split("\n")) {
      Matcher m = LINE.matcher(line);
      if (m.matches()) {
        clips.add(Long.parseLong(m.group(1)));
        lastFrames = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
      }
    }
    assertTrue(clips.size() >= 2, console.toString(StandardCharsets.UTF_8));
    for (int i = 1; i < clips.size(); i++) {
      assertTrue(clips.get(i) >= clips.get(i - 1), clips.toString());
    }
    assertTrue(clips.stream().anyMatch(c -> c > 0 && c < 6), clips.toString());
    assertEquals(6L, clips.get(clips.size() - 1));
    assertEquals(frames, lastFrames);

    List<Path> summaries;
    try (Stream<Path> s = Files.list(out.resolve(RunMonitor.RUNS))) {
      summaries = s.filter(p -> p.toString().endsWith(".json")
          && !p.getFileName().toString().startsWith(".")).toList();
    }
    assertEquals(List.of(monitor.summaryPath().getName()),
        summaries.stream().map(p -> p.getFileName().toString()).toList());
    JsonNode summary = new ObjectMapper().readTree(summaries.get(0).toFile());
    assertEquals("succeeded", summary.get("status").asText());
    assertEquals("run", summary.get("job").asText());
    assertEquals(spark.sparkContext().applicationId(),
        summary.get("spark").get("app_id").asText());
    JsonNode crawl = summary.get("stages").get(0);
    assertEquals("crawl", crawl.get("stage").asText());
    assertEquals(6, crawl.get("clips_processed").asLong());
    assertEquals(6, crawl.get("clips").get("ok").asLong());
    JsonNode audio = summary.get("stages").get(1);
    assertEquals("audio", audio.get("stage").asText());
    assertEquals("succeeded", audio.get("status").asText());
    assertEquals(6, audio.get("clips_todo").asLong());
    assertEquals(0, audio.get("clips_done_before").asLong());
    assertEquals(6, audio.get("clips_processed").asLong());
    assertEquals(6, audio.get("clips").get("ok").asLong());
    assertEquals(0, audio.get("clips").get("failed").asLong());
    assertEquals(frames, audio.get("frames").asLong());
    assertTrue(audio.get("seconds").asDouble() > 0);
    assertTrue(summary.get("seconds").asDouble() >= audio.get("seconds").asDouble()
        + crawl.get("seconds").asDouble() - 0.05);
  }
}
