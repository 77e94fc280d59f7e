package io.talkset.jobs.io;

import io.talkset.core.media.FileSource;
import io.talkset.core.media.SeekableSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Opens manifest paths for streaming reads on executors, and small text files users give. */
public final class Sources {
  private Sources() {}

  public static SeekableSource open(String path, long size, HadoopConf conf) throws IOException {
    if (path.startsWith("file:")) {
      // Local files are read directly: no checksum layer, no Hadoop buffering.
      return new FileSource(java.nio.file.Path.of(path.substring("file:".length())));
    }
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf.get());
    return new HadoopSource(fs, p, size);
  }

  /**
   * The lines of a small UTF-8 text file on any Hadoop file system (a mapping a user gives);
   * errors name the option it came from.
   */
  public static List<String> readLines(String uri, Configuration conf, String option) {
    Path p = new Path(uri);
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        p.getFileSystem(conf).open(p), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(option + ": cannot read " + p + ": " + e, e);
    }
    return lines;
  }
}
