package io.talkset.jobs.crawl;

import io.talkset.core.crawl.ListedEntry;
import io.talkset.core.crawl.LocalTreeWalker;
import io.talkset.core.crawl.MediaNames;
import io.talkset.core.errors.ErrorCodes;
import io.talkset.jobs.cli.UsageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobPattern;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expands the crawl inputs into candidate media files on the driver. Only names, sizes and times
 * are read here; content is read in parallel by the executors. Local folders are walked with
 * {@link LocalTreeWalker} (symbolic links, loops, FIFOs); other file systems through Hadoop.
 */
public final class Listing {
  private static final Logger LOG = LoggerFactory.getLogger(Listing.class);

  private Listing() {}

  /** Every candidate under {@code inputs}, each path once, in path order. */
  public static List<ListedEntry> list(List<String> inputs, MediaNames media, Configuration conf)
      throws IOException {
    Map<String, ListedEntry> byPath = new LinkedHashMap<>();
    for (String input : inputs) {
      List<ListedEntry> found = new ArrayList<>();
      Path path = new Path(input);
      FileSystem fs = path.getFileSystem(conf);
      boolean local = "file".equals(fs.getUri().getScheme());
      List<Path> roots = new ArrayList<>();
      if (new GlobPattern(path.toString()).hasWildcard()) {
        FileStatus[] matches = fs.globStatus(path);
        if (matches == null || matches.length == 0) {
          throw new UsageException("--input " + input + " matches nothing");
        }
        for (FileStatus m : matches) {
          roots.add(m.getPath());
        }
      } else {
        roots.add(path);
      }
      for (Path root : roots) {
        if (local) {
          java.nio.file.Path p = java.nio.file.Path.of(root.toUri().getPath());
          if (!java.nio.file.Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new UsageException("--input " + input + " does not exist");
          }
          new LocalTreeWalker(media, LOG::warn).walk(p, found);
        } else {
          FileStatus status;
          try {
            status = fs.getFileStatus(root);
          } catch (java.io.FileNotFoundException e) {
            throw new UsageException("--input " + input + " does not exist");
          }
          walkHadoop(fs, status, media, found, true);
        }
      }
      for (ListedEntry e : found) {
        byPath.putIfAbsent(e.path(), e);
      }
    }
    List<ListedEntry> all = new ArrayList<>(byPath.values());
    all.sort(java.util.Comparator.comparing(ListedEntry::path));
    return all;
  }

  private static void walkHadoop(FileSystem fs, FileStatus status, MediaNames media,
      List<ListedEntry> out, boolean isRoot) {
    String path = status.getPath().toString();
    if (status.isDirectory()) {
      if (!isRoot && media.matches(path)) {
        out.add(ListedEntry.problem(path, status.getModificationTime(), ErrorCodes.NOT_A_FILE,
            "a directory carries a media file name; its contents are crawled as a folder"));
      }
      FileStatus[] children;
      try {
        children = fs.listStatus(status.getPath());
      } catch (IOException e) {
        out.add(ListedEntry.problem(path, status.getModificationTime(),
            ErrorCodes.UNREADABLE_DIRECTORY,
            "cannot list this folder (" + e.getMessage() + "): media under it are missing"));
        return;
      }
      for (FileStatus child : children) {
        walkHadoop(fs, child, media, out, false);
      }
    } else if (isRoot || media.matches(path)) {
      if (status.isFile()) {
        out.add(ListedEntry.file(path, status.getLen(), status.getModificationTime()));
      } else {
        out.add(ListedEntry.problem(path, status.getModificationTime(), ErrorCodes.NOT_A_FILE,
            "not a regular file although named like media"));
      }
    }
  }
}
