package io.talkset.core.crawl;

import io.talkset.core.errors.ErrorCodes;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Lists media files under a local folder with the care a collection of downloads needs: symbolic
 * links are followed, but a folder reached twice (a link back up the tree) is walked once; links
 * that loop or dangle, folders named like videos, FIFOs and unreadable folders become problem
 * entries instead of exceptions; names that are not valid UTF-8 are reported, since the JVM
 * cannot hand them on to another process by name.
 */
public final class LocalTreeWalker {
  private final MediaNames media;
  private final Consumer<String> warn;

  public LocalTreeWalker(MediaNames media, Consumer<String> warn) {
    this.media = media;
    this.warn = warn;
  }

  /** Lists {@code root} (a file or a folder) into {@code out}. */
  public void walk(Path root, List<ListedEntry> out) {
    Set<Object> visited = new HashSet<>();
    visit(root.toAbsolutePath().normalize(), out, visited, true);
  }

  private void visit(Path p, List<ListedEntry> out, Set<Object> visited, boolean isRoot) {
    String uri = uri(p);
    BasicFileAttributes own;
    try {
      own = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      if (isRoot || media.matches(uri)) {
        out.add(ListedEntry.problem(uri, 0, ErrorCodes.IO_ERROR, "cannot stat: " + e));
      }
      return;
    }
    BasicFileAttributes attrs = own;
    if (own.isSymbolicLink()) {
      try {
        attrs = Files.readAttributes(p, BasicFileAttributes.class);
      } catch (FileSystemException e) {
        if (isRoot || media.matches(uri)) {
          out.add(linkProblem(p, uri, own, e));
        }
        return;
      } catch (IOException e) {
        if (isRoot || media.matches(uri)) {
          out.add(ListedEntry.problem(uri, mtime(own), ErrorCodes.IO_ERROR, e.toString()));
        }
        return;
      }
    }
    if (attrs.isDirectory()) {
      if (!isRoot && media.matches(uri)) {
        out.add(ListedEntry.problem(uri, mtime(attrs), ErrorCodes.NOT_A_FILE,
            "a directory carries a media file name; its contents are crawled as a folder"));
      }
      Object key = attrs.fileKey() != null ? attrs.fileKey() : p.toString();
      if (!visited.add(key)) {
        warn.accept("skipping " + uri + ": this folder was already crawled through another path"
            + " (a symbolic link back up the tree)");
        return;
      }
      try (DirectoryStream<Path> children = Files.newDirectoryStream(p)) {
        for (Path child : children) {
          visit(child, out, visited, false);
        }
      } catch (AccessDeniedException e) {
        out.add(ListedEntry.problem(uri, mtime(attrs), ErrorCodes.UNREADABLE_DIRECTORY,
            "permission denied listing this folder: media under it are missing from the manifest"));
      } catch (IOException | java.nio.file.DirectoryIteratorException e) {
        out.add(ListedEntry.problem(uri, mtime(attrs), ErrorCodes.UNREADABLE_DIRECTORY,
            "cannot list this folder (" + e + "): media under it are missing from the manifest"));
      }
      return;
    }
    if (!isRoot && !media.matches(uri)) {
      return;
    }
    if (uri.indexOf('\uFFFD') >= 0) {
      out.add(ListedEntry.problem(uri, mtime(attrs), ErrorCodes.INVALID_NAME_ENCODING,
          "the file name is not valid UTF-8 (shown here with U+FFFD); rename it to UTF-8, e.g."
              + " with convmv, and crawl again"));
      return;
    }
    if (!attrs.isRegularFile()) {
      out.add(ListedEntry.problem(uri, mtime(attrs), ErrorCodes.NOT_A_FILE,
          "not a regular file (a FIFO, socket or device) although named like media"));
      return;
    }
    out.add(ListedEntry.file(uri, attrs.size(), mtime(attrs)));
  }

  private static ListedEntry linkProblem(
      Path p, String uri, BasicFileAttributes own, FileSystemException e) {
    String reason = String.valueOf(e.getReason());
    if (reason.toLowerCase(java.util.Locale.ROOT).contains("too many levels")) {
      return ListedEntry.problem(uri, mtime(own), ErrorCodes.SYMLINK_LOOP,
          "symbolic link loop: resolving it leads back to itself (" + target(p) + ")");
    }
    if (e instanceof NoSuchFileException) {
      return ListedEntry.problem(uri, mtime(own), ErrorCodes.BROKEN_SYMLINK,
          "symbolic link to a missing target (" + target(p) + ")");
    }
    return ListedEntry.problem(uri, mtime(own), ErrorCodes.IO_ERROR,
        "cannot follow symbolic link: " + e);
  }

  private static String target(Path p) {
    try {
      return "-> " + Files.readSymbolicLink(p);
    } catch (IOException e) {
      return "target unreadable";
    }
  }

  private static long mtime(BasicFileAttributes a) {
    return a.lastModifiedTime().toMillis();
  }

  /** The Hadoop-style URI string of a local path: {@code file:/abs/path} (not percent-encoded). */
  public static String uri(Path p) {
    return "file:" + p.toAbsolutePath();
  }
}
