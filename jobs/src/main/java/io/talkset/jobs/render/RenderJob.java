package io.talkset.jobs.render;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

import io.talkset.core.media.CropVideoWriter;
import io.talkset.jobs.cli.Options;
import io.talkset.jobs.io.HadoopConf;
import io.talkset.jobs.io.OutputNames;
import io.talkset.jobs.io.Sources;
import io.talkset.jobs.io.StageTables;
import io.talkset.jobs.io.TableCommitter;
import io.talkset.jobs.runtime.Job;
import io.talkset.schemas.ClipsSchema;
import io.talkset.schemas.FramesSchemas;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The render job (not a stage of {@code talkset run}): the face crops of ok clips of the frames
 * table as MP4 videos, one {@code CLIP_ID.mp4} per clip, with the clip's audio, so a person can
 * watch what the dataset holds and {@code talkset evaluate --generated} can score them: the
 * "copy" baseline, whose scores are the metrics' upper bound for a model at that size. Video
 * frame i is the crop of frames.frame_index i (the evaluation compares on those numbers), and the
 * audio's sample 0 is frame 0's time, so picture and sound start together. Crops are streamed
 * in frame order through one task per clip; each file is written locally, copied under a hidden
 * name and renamed, so a reader never sees half a video.
 */
public final class RenderJob implements Job {
  /** What one clip gave. */
  public record Rendered(String clipId, String status, String error, int frames, int crops,
      double audioSeconds, String path) implements java.io.Serializable {}

  /** What a run did. */
  public record Result(List<Rendered> clips, String renderOutput) {
    public Map<String, Long> byStatus() {
      Map<String, Long> m = new TreeMap<>();
      clips.forEach(c -> m.merge(c.status(), 1L, Long::sum));
      return m;
    }
  }

  @Override
  public String name() {
    return "render";
  }

  @Override
  public String summary() {
    return "ok clips' face crops as MP4 videos with their audio (RENDERS/CLIP_ID.mp4), for"
        + " watching and as evaluate's copy baseline; not part of run";
  }

  @Override
  public Options options() {
    return RenderConfig.options();
  }

  @Override
  public void validate(Options.Parsed args) {
    RenderConfig.from(args);
  }

  @Override
  public String run(SparkSession spark, Options.Parsed args) throws Exception {
    Result r = process(spark, RenderConfig.from(args));
    long frames = r.clips().stream().mapToLong(Rendered::frames).sum();
    return String.format(Locale.ROOT, "render: %d clip(s), %d frames; by status %s%n"
        + "  videos: %s%n", r.clips().size(), frames, r.byStatus(), r.renderOutput());
  }

  public static Result process(SparkSession spark, RenderConfig cfg) throws Exception {
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    TableCommitter framesClips = new TableCommitter(hconf, cfg.output(),
        FramesSchemas.CLIPS.table());
    TableCommitter framesTable = new TableCommitter(hconf, cfg.output(),
        FramesSchemas.FRAMES.table());
    if (framesTable.batches().isEmpty() || framesClips.batches().isEmpty()) {
      throw new IllegalStateException("render: no frames table under " + cfg.output()
          + ": run the frames stage first");
    }
    Dataset<Row> ok = StageTables.current(spark, cfg.output(), FramesSchemas.CLIPS)
        .filter(col("status").equalTo("ok")).select("clip_id").distinct().orderBy("clip_id");
    if (cfg.clips() > 0) {
      ok = ok.limit(cfg.clips());
    }
    List<String> ids = ok.as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    Path out = new Path(cfg.renderOutput());
    out.getFileSystem(hconf).mkdirs(out);
    if (ids.isEmpty()) {
      return new Result(List.of(), cfg.renderOutput());
    }
    Dataset<Row> clips = spark.read().schema(ClipsSchema.SCHEMA.struct())
        .parquet(TableCommitter.location(cfg.output(), ClipsSchema.SCHEMA.table())
            .toString())
        .filter(col("clip_id").isin(ids.toArray())).select("clip_id", "path", "size");
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<HadoopConf> conf = jsc.broadcast(new HadoopConf(hconf));
    // The clip filter lets Parquet skip row groups; only three narrow columns and the JPEG move.
    List<Rendered> done = StageTables.current(spark, cfg.output(), FramesSchemas.FRAMES)
        .filter(col("clip_id").isin(ids.toArray()).and(cfg.maxFrames() == 0
            ? org.apache.spark.sql.functions.lit(true) : col("frame_index").lt(cfg.maxFrames())))
        .select("clip_id", "frame_index", "jpeg")
        .join(broadcast(clips), "clip_id")
        .select("clip_id", "path", "size", "frame_index", "jpeg")
        .repartition(StageTables.slices(jsc, ids.size(), cfg.partitions()), col("clip_id"))
        .sortWithinPartitions("clip_id", "frame_index")
        .javaRDD()
        .mapPartitions(it -> renderAll(it, cfg, conf.value()))
        .collect();
    List<Rendered> sorted = new ArrayList<>(done);
    sorted.sort(java.util.Comparator.comparing(Rendered::clipId));
    return new Result(sorted, cfg.renderOutput());
  }

  /** Renders every clip of a partition sorted by clip and frame, one clip at a time. */
  static Iterator<Rendered> renderAll(Iterator<Row> in, RenderConfig cfg, HadoopConf conf)
      throws IOException {
    List<Rendered> out = new ArrayList<>();
    Row[] next = {in.hasNext() ? in.next() : null};
    while (next[0] != null) {
      out.add(one(next, in, cfg, conf));
    }
    return out.iterator();
  }

  /** One clip from its first row in {@code next[0]}; leaves the next clip's first row there. */
  static Rendered one(Row[] next, Iterator<Row> in, RenderConfig cfg, HadoopConf conf)
      throws IOException {
    Row first = next[0];
    String clipId = first.getString(0);
    String name = OutputNames.segment("clip id", clipId) + ".mp4";
    Path target = new Path(cfg.renderOutput(), name);
    java.nio.file.Path local = Files.createTempFile("talkset-render-", ".mp4");
    int frames = 0;
    int crops = 0;
    double audioSeconds = 0;
    String error = null;
    try {
      float[] audio = audio(first.getString(1), first.getLong(2), conf, cfg.timeoutMillis());
      try (CropVideoWriter w = new CropVideoWriter(local.toString(), cfg.size(), audio)) {
        for (Row r = first; r != null && r.getString(0).equals(clipId); r = advance(next, in)) {
          byte[] jpeg = (byte[]) r.get(4);
          // Frames before the first crop and between segments show the nearest earlier crop
          // (the first one at the start): frame numbers stay those of the frames table.
          if (w.frames() == 0 && r.getInt(3) > 0) {
            w.add(jpeg);
          }
          while (w.frames() < r.getInt(3)) {
            w.repeat();
          }
          if (w.frames() == r.getInt(3)) {
            w.add(jpeg);
            crops++;
          }
        }
        frames = w.frames();
        audioSeconds = w.audioSamples() / (double) CropVideoWriter.RATE;
      }
      FileSystem fs = target.getFileSystem(conf.get());
      Path tmp = new Path(cfg.renderOutput(), "." + name + ".tmp");
      fs.copyFromLocalFile(false, true, new Path(local.toUri()), tmp);
      fs.delete(target, false);
      if (!fs.rename(tmp, target)) {
        throw new IOException("could not rename " + tmp + " to " + target);
      }
    } catch (Exception e) {
      error = e.getClass().getSimpleName() + ": " + e.getMessage();
      // The rest of a failed clip's rows are skipped.
      while (next[0] != null && next[0].getString(0).equals(clipId)) {
        advance(next, in);
      }
    } finally {
      Files.deleteIfExists(local);
    }
    return new Rendered(clipId, error == null ? "ok" : "failed", error, frames, crops,
        audioSeconds, error == null ? target.toString() : null);
  }

  /** The clip's audio, sample 0 at its video's t = 0 (frame 0), or null without a track. */
  static float[] audio(String path, long size, HadoopConf conf, long timeoutMillis) {
    return Sources.audioOrNull(path, size, conf, CropVideoWriter.RATE, timeoutMillis);
  }

  private static Row advance(Row[] next, Iterator<Row> in) {
    next[0] = in.hasNext() ? in.next() : null;
    return next[0];
  }
}
