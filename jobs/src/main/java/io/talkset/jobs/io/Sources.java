package io.talkset.jobs.io;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.core.errors.ProbeException;
import io.talkset.core.media.FileSource;
import io.talkset.core.media.SeekableSource;
import io.talkset.core.media.Watchdog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
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
   * A clip's audio decoded whole at {@code rate} Hz mono as the audio stage decodes it (sample 0
   * at the video's t = 0, frame 0), or null when it has no readable audio track: a video without
   * sound is still worth rendering or exporting, and the caller says it has none.
   */
  public static float[] audioOrNull(String path, long size, HadoopConf conf, int rate,
      long timeoutMillis) {
    try (SeekableSource s = open(path, size, conf)) {
      return new io.talkset.core.audio.AudioDecoder(rate).decodeAll(s, new Path(path).getName(),
          System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(timeoutMillis),
          null);
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * As {@link #open(String, long, HadoopConf)}, under the {@link Watchdog} until
   * {@code deadlineNanos}: opening a file on a hung mount or store blocks like a read does, and
   * is abandoned the same way, as {@code probe_timeout}. A source the abandoned call opens
   * after all is closed by it.
   */
  public static SeekableSource open(String path, long size, HadoopConf conf, long deadlineNanos)
      throws IOException, ProbeException {
    AtomicBoolean abandoned = new AtomicBoolean();
    try {
      return Watchdog.call(() -> {
        SeekableSource s = open(path, size, conf);
        if (abandoned.get()) {
          s.close();
        }
        return s;
      }, deadlineNanos);
    } catch (Watchdog.Expired e) {
      abandoned.set(true);
      throw new ProbeException(ErrorCodes.PROBE_TIMEOUT, e.stalled()
          ? "opening the file was still blocked at the time limit: abandoned"
          : "the time limit had passed before the file was opened");
    }
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
