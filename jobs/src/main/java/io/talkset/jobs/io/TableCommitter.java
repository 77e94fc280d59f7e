package io.talkset.jobs.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a table under a dataset root so that readers never see it half-written: the new version
 * is written whole into a hidden staging folder ({@code .NAME.staging-ID}, which Spark, pyarrow
 * and pandas skip), described by {@code _talkset.json}, and then swapped in with renames:
 * the old table moves aside to {@code .NAME.old-ID}, the new one takes its name, the old one is
 * deleted. A reader sees the old table or the new one, or for the instant between the two renames
 * no table; never a mix. A crash between the renames is repaired by the next run, which moves
 * the old table back. On HDFS and local file systems a folder rename is atomic; on S3A it is a
 * copy, so there point {@code --output} at HDFS or use a committer-backed table format.
 * One writer per table at a time.
 */
public final class TableCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(TableCommitter.class);
  public static final String DESCRIPTION_FILE = "_talkset.json";

  private final FileSystem fs;
  private final Path root;
  private final String name;

  public TableCommitter(Configuration conf, String rootUri, String name) throws IOException {
    this.root = new Path(rootUri);
    this.fs = root.getFileSystem(conf);
    this.name = OutputNames.segment("table name", name);
  }

  /** The table's name (its folder under the dataset root). */
  public String name() {
    return name;
  }

  /** The committed table's location. */
  public Path table() {
    return new Path(root, name);
  }

  /**
   * Where table {@code name} of the dataset root {@code rootUri} lives, for reading it: the
   * name checked as the committer checks it, no file system opened.
   */
  public static Path location(String rootUri, String name) {
    return new Path(new Path(rootUri), OutputNames.segment("table name", name));
  }

  /** Repairs an interrupted swap and removes staging folders of runs that died. */
  public void recover() throws IOException {
    if (!fs.exists(root)) {
      return;
    }
    FileStatus[] leftovers = fs.globStatus(new Path(root, "." + name + ".*"));
    if (leftovers == null) {
      return;
    }
    for (FileStatus s : leftovers) {
      String n = s.getPath().getName();
      if (n.startsWith("." + name + ".old-") && !fs.exists(table())) {
        LOG.warn("restoring {} from an interrupted commit ({})", table(), n);
        fs.rename(s.getPath(), table());
      } else {
        LOG.info("removing leftover {}", s.getPath());
        fs.delete(s.getPath(), true);
      }
    }
  }

  /** The committed batches of a batch-written table ({@code batch=ID} folders), by id. */
  public java.util.List<String> batches() throws IOException {
    java.util.List<String> ids = new java.util.ArrayList<>();
    if (!fs.exists(table())) {
      return ids;
    }
    for (FileStatus s : fs.listStatus(table())) {
      String n = s.getPath().getName();
      if (s.isDirectory() && n.startsWith("batch=")) {
        ids.add(n.substring("batch=".length()));
      }
    }
    java.util.Collections.sort(ids);
    return ids;
  }

  /** Removes a committed batch (a batch whose companion table never committed). */
  public void dropBatch(String id) throws IOException {
    fs.delete(new Path(table(), "batch=" + OutputNames.segment("batch id", id)), true);
  }

  /**
   * Parquet writer settings that turn the dictionary off for these columns (leaf paths, e.g.
   * {@code mesh.list.element}): for columns whose values hardly repeat, where Parquet would fill
   * or reject a dictionary in every file and fall back to plain pages after hashing and
   * re-encoding what it had buffered. The pages written are the same.
   */
  public static java.util.Map<String, String> withoutDictionary(java.util.List<String> columns) {
    java.util.Map<String, String> o = new java.util.LinkedHashMap<>();
    for (String c : columns) {
      o.put("parquet.enable.dictionary#" + c, "false");
    }
    return java.util.Collections.unmodifiableMap(o);
  }

  /**
   * Adds {@code rows} to a batch-written table as one new {@code batch=ID} folder: written whole
   * under a hidden staging name inside the table, then renamed into place, so readers of the
   * table (hive partitioning) see every committed batch and never a partial one.
   */
  public void appendBatch(Dataset<Row> rows, String id, String description) throws IOException {
    appendBatch(rows, id, description, java.util.Map.of());
  }

  /**
   * As above with Parquet writer settings for this write only (e.g. {@link #withoutDictionary}).
   */
  public void appendBatch(Dataset<Row> rows, String id, String description,
      java.util.Map<String, String> parquetOptions) throws IOException {
    OutputNames.segment("batch id", id);
    Path staging = new Path(table(), ".batch=" + id + ".staging");
    fs.delete(staging, true);
    rows.write().options(parquetOptions).parquet(staging.toString());
    try (OutputStream out = fs.create(new Path(staging, DESCRIPTION_FILE), true)) {
      out.write(description.getBytes(StandardCharsets.UTF_8));
    }
    Path target = new Path(table(), "batch=" + id);
    if (!fs.rename(staging, target)) {
      throw new IOException("could not rename " + staging + " to " + target);
    }
  }

  /** Removes staging folders left inside a batch-written table by runs that died. */
  public void recoverBatches() throws IOException {
    if (!fs.exists(table())) {
      return;
    }
    FileStatus[] leftovers = fs.globStatus(new Path(table(), ".batch=*.staging"));
    if (leftovers != null) {
      for (FileStatus s : leftovers) {
        LOG.info("removing leftover {}", s.getPath());
        fs.delete(s.getPath(), true);
      }
    }
  }

  /** Writes {@code rows} as Parquet with {@code description} beside it, then swaps it in. */
  public void write(Dataset<Row> rows, String description) throws IOException {
    Path staging = newStaging();
    rows.write().parquet(staging.toString());
    swapIn(staging, description, fs);
  }

  /**
   * Writes plain files (a report: a page and its pictures) as the folder's whole new content,
   * {@code description} beside them, then swaps it in as {@link #write} does.
   *
   * @param files by plain file name (no '/'), in writing order
   */
  public void writeFiles(java.util.Map<String, byte[]> files, String description)
      throws IOException {
    Path staging = newStaging();
    fs.mkdirs(staging);
    // Local file systems would add a hidden .crc beside each file: clutter in a folder people
    // open in a browser or copy around, and these files are read whole, never in splits.
    FileSystem plain = fs instanceof org.apache.hadoop.fs.ChecksumFileSystem c
        ? c.getRawFileSystem() : fs;
    for (java.util.Map.Entry<String, byte[]> f : files.entrySet()) {
      try (OutputStream out = plain.create(new Path(staging, OutputNames.segment("file name",
          f.getKey())), true)) {
        out.write(f.getValue());
      }
    }
    swapIn(staging, description, plain);
  }

  private void swapIn(Path staging, String description, FileSystem writer) throws IOException {
    try (OutputStream out = writer.create(new Path(staging, DESCRIPTION_FILE), true)) {
      out.write(description.getBytes(StandardCharsets.UTF_8));
    }
    swapIn(staging);
  }

  /**
   * A new, empty hidden staging folder beside the table, after repairing what an interrupted
   * commit left; fill it (a folder of several tables, say) and hand it to {@link #swapIn}.
   */
  public Path newStaging() throws IOException {
    recover();
    Path staging = new Path(root, "." + name + ".staging-"
        + UUID.randomUUID().toString().substring(0, 8));
    fs.delete(staging, true);
    return staging;
  }

  /** Replaces the table with a filled staging folder from {@link #newStaging}, by renames. */
  public void swapIn(Path staging) throws IOException {
    String id = staging.getName().substring(staging.getName().lastIndexOf('-') + 1);
    Path old = new Path(root, "." + name + ".old-" + id);
    boolean hadOld = fs.exists(table());
    if (hadOld && !fs.rename(table(), old)) {
      throw new IOException("could not move " + table() + " aside to " + old);
    }
    if (!fs.rename(staging, table())) {
      if (hadOld) {
        fs.rename(old, table());
      }
      throw new IOException("could not rename " + staging + " to " + table());
    }
    if (hadOld) {
      fs.delete(old, true);
    }
  }
}
