package io.talkset.jobs.io;

import io.talkset.core.media.FileSource;
import io.talkset.core.media.SeekableSource;
import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Opens a manifest path for streaming reads on an executor. */
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
}
