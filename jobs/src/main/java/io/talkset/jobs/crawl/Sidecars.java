package io.talkset.jobs.crawl;

import io.talkset.core.datasets.Transcripts;
import io.talkset.jobs.io.HadoopConf;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads a clip's sidecar files (its transcript, {@link Transcripts#sidecars}) only when they are
 * regular files inside the input tree: a sidecar that is a symbolic link leading outside every
 * input folder (say {@code clip.txt -> /home/me/.ssh/id_rsa}) would copy a private file into
 * the manifest's {@code transcript} column, and a FIFO or device named {@code clip.txt} would
 * block the read. On local folders a link is followed only when its target lies under the real
 * path of an input; other file systems are read without following links at all. The read itself
 * runs under the crawl's per-file watchdog ({@link ClipRows}).
 */
final class Sidecars implements Serializable {
  /** What was found: the transcript or null, and why a sidecar that exists was not read. */
  record Transcript(String text, String skipped) {}

  /** Real paths of the local input folders (a glob's fixed leading folders), as strings. */
  private final List<String> localRoots;

  private Sidecars(List<String> localRoots) {
    this.localRoots = localRoots;
  }

  /** The tree the crawl reads: its local inputs, resolved to their real paths. */
  static Sidecars under(List<String> inputs) {
    List<String> roots = new ArrayList<>();
    for (String input : inputs) {
      Path p = new Path(input);
      String scheme = p.toUri().getScheme();
      if (scheme != null && !scheme.equals("file")) {
        continue;
      }
      java.nio.file.Path local = java.nio.file.Path.of(p.toUri().getPath());
      // A glob's tree is the folder above its first wildcard.
      java.nio.file.Path fixed = local.getRoot();
      for (java.nio.file.Path part : local) {
        if (part.toString().matches(".*[*?\\[{].*")) {
          break;
        }
        fixed = fixed == null ? part : fixed.resolve(part);
      }
      try {
        java.nio.file.Path real = fixed.toRealPath();
        // An input that names one file: its tree is the folder holding it.
        roots.add((Files.isDirectory(real) || real.getParent() == null ? real
            : real.getParent()).toString());
      } catch (IOException e) {
        roots.add(fixed.toAbsolutePath().normalize().toString());
      }
    }
    return new Sidecars(roots);
  }

  /**
   * The clip's transcript from its first sidecar that exists, or null: a missing, unreadable,
   * oversized or non-UTF-8 sidecar is no transcript, never a failed clip. {@code skipped} says
   * why a sidecar that exists was not read (a link out of the tree, not a regular file).
   */
  Transcript transcript(String mediaPath, HadoopConf conf) {
    for (String candidate : Transcripts.sidecars(mediaPath)) {
      Path p = new Path(candidate);
      try {
        FileSystem fs = p.getFileSystem(conf.get());
        if ("file".equals(fs.getUri().getScheme())) {
          java.nio.file.Path local = java.nio.file.Path.of(p.toUri().getPath());
          if (!Files.exists(local, LinkOption.NOFOLLOW_LINKS)) {
            continue;
          }
          return readLocal(local);
        }
        FileStatus st = fs.getFileLinkStatus(p);
        if (st.isSymlink()) {
          return skipped(candidate, "a symbolic link (followed only on local folders)");
        }
        if (!st.isFile()) {
          return skipped(candidate, "not a regular file");
        }
        if (st.getLen() > Transcripts.MAX_BYTES) {
          return new Transcript(null, null);
        }
        try (InputStream in = fs.open(p)) {
          return new Transcript(Transcripts.decode(in.readNBytes(Transcripts.MAX_BYTES + 1)),
              null);
        }
      } catch (java.io.FileNotFoundException e) {
        // No sidecar of this name: try the next.
      } catch (IOException | IllegalArgumentException | UnsupportedOperationException e) {
        return new Transcript(null, null);
      }
    }
    return new Transcript(null, null);
  }

  private Transcript readLocal(java.nio.file.Path sidecar) throws IOException {
    java.nio.file.Path real;
    try {
      real = sidecar.toRealPath();
    } catch (IOException e) {
      return skipped(sidecar.toString(), "a broken symbolic link");
    }
    boolean link = Files.isSymbolicLink(sidecar);
    // A plain file beside the clip is in the tree however the crawl reached its folder; a link
    // is followed only into an input folder.
    if (link && localRoots.stream().noneMatch(r -> real.startsWith(r))) {
      return skipped(sidecar.toString(), "a symbolic link to " + real
          + ", outside the input folders");
    }
    if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
      return skipped(sidecar.toString(), "not a regular file (a FIFO, device or folder)");
    }
    if (Files.size(real) > Transcripts.MAX_BYTES) {
      return new Transcript(null, null);
    }
    // NOFOLLOW_LINKS: the file checked is the file read, even if a link replaced it since.
    try (InputStream in = Channels.newInputStream(Files.newByteChannel(real,
        StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
      return new Transcript(Transcripts.decode(in.readNBytes(Transcripts.MAX_BYTES + 1)), null);
    }
  }

  private static Transcript skipped(String sidecar, String why) {
    String name = sidecar.substring(sidecar.lastIndexOf('/') + 1);
    return new Transcript(null, "sidecar " + name + " not read: " + why);
  }
}
