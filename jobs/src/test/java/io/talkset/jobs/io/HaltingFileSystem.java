package io.talkset.jobs.io;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A fault-injecting Hadoop file system over the local disk, scheme {@code halt:}: opening a
 * file whose name contains the Hadoop setting {@link #HALT_ON} kills the JVM on the spot
 * ({@code Runtime.halt}, exit status {@link #EXIT}: no shutdown hooks, no finally blocks, no
 * status row), as a native crash in a decoder or an out-of-memory kill does. Without the
 * setting it reads like the local file system. Register with {@code fs.halt.impl}.
 */
public final class HaltingFileSystem extends RawLocalFileSystem {
  public static final String HALT_ON = "talkset.test.halt-on";
  public static final int EXIT = 86;

  @Override
  public URI getUri() {
    return URI.create("halt:///");
  }

  @Override
  public String getScheme() {
    return "halt";
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    String marker = getConf() == null ? null : getConf().get(HALT_ON);
    if (marker != null && !marker.isEmpty() && f.getName().contains(marker)) {
      System.err.println("HaltingFileSystem: halting the JVM on " + f);
      Runtime.getRuntime().halt(EXIT);
    }
    return super.open(f, bufferSize);
  }
}
