package io.talkset.core.crawl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.talkset.core.errors.ErrorCodes;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTreeWalkerTest {

  @Test
  void oddEntriesBecomeProblemsAndEveryGoodFileIsListedOnce(@TempDir Path tmp) throws Exception {
    Path movie = Samples.get("video/kphotoalbum/movie.avi");
    Files.copy(movie, tmp.resolve("good.avi"));
    Files.copy(movie, tmp.resolve("with space é.avi"));
    Files.createDirectories(tmp.resolve("x.mp4"));
    Files.copy(movie, tmp.resolve("x.mp4/inner.avi"));
    Files.createSymbolicLink(tmp.resolve("loop.mp4"), Path.of("loop.mp4"));
    Files.createSymbolicLink(tmp.resolve("broken.mp4"), Path.of("missing.mp4"));
    Files.createDirectories(tmp.resolve("sub"));
    Files.createSymbolicLink(tmp.resolve("sub/back"), Path.of(".."));
    Files.createSymbolicLink(tmp.resolve("sub/alias.avi"), Path.of("../good.avi"));
    Tools.run("mkfifo", tmp.resolve("pipe.mp4").toString());
    Tools.run("bash", "-c", "touch \"$1/$(printf 'caf\\351.mp4')\"", "-", tmp.toString());
    Files.writeString(tmp.resolve("notes.txt"), "not media");

    List<ListedEntry> out = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    new LocalTreeWalker(MediaNames.defaults(), warnings::add).walk(tmp, out);
    Map<String, String> byName = new TreeMap<>();
    for (ListedEntry e : out) {
      String rel = e.path().substring(("file:" + tmp).length() + 1);
      byName.put(rel, e.examinable() ? "file:" + e.size() : e.problemCode());
    }
    long size = Files.size(movie);
    Map<String, String> expected = new TreeMap<>(Map.of(
        "good.avi", "file:" + size,
        "with space é.avi", "file:" + size,
        "x.mp4", ErrorCodes.NOT_A_FILE,
        "x.mp4/inner.avi", "file:" + size,
        "loop.mp4", ErrorCodes.SYMLINK_LOOP,
        "broken.mp4", ErrorCodes.BROKEN_SYMLINK,
        "sub/alias.avi", "file:" + size,
        "pipe.mp4", ErrorCodes.NOT_A_FILE,
        "caf\uFFFD.mp4", ErrorCodes.INVALID_NAME_ENCODING));
    assertEquals(expected, byName);
    assertTrue(warnings.stream().anyMatch(w -> w.contains("already crawled")), warnings.toString());
  }

  @Test
  void aRootThatIsAFileIsListedWhateverItsExtension(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("clip.bin");
    Files.writeString(f, "x");
    List<ListedEntry> out = new ArrayList<>();
    new LocalTreeWalker(MediaNames.defaults(), w -> { }).walk(f, out);
    assertEquals(List.of(ListedEntry.file("file:" + f, 1, Files.getLastModifiedTime(f).toMillis())),
        out);
  }
}
