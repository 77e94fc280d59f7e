package io.talkset.core.crawl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.talkset.core.media.FileSource;
import io.talkset.testing.Samples;
import io.talkset.testing.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentIdTest {

  static ContentId.Id id(Path p) throws IOException {
    try (FileSource s = new FileSource(p)) {
      return ContentId.of(s);
    }
  }

  @Test
  void smallFilesAreIdentifiedByTheirWholeSha256() throws IOException {
    Path movie = Samples.get("video/forensics/movie-hello.mp4");
    ContentId.Id id = id(movie);
    String reference = Tools.run("sha256sum", movie.toString()).split(" ")[0];
    assertEquals(ContentId.METHOD_FULL, id.method());
    assertEquals(reference, id.digest());
    assertEquals(reference.substring(0, 32), id.clipId());
  }

  @Test
  void renamedOrMovedCopyKeepsItsIdAndOtherContentDoesNot(@TempDir Path tmp) throws IOException {
    Path movie = Samples.get("video/kphotoalbum/movie.avi");
    Path moved = Files.createDirectories(tmp.resolve("elsewhere/deeper")).resolve("renamed.avi");
    Files.copy(movie, moved);
    assertEquals(id(movie), id(moved));
    assertNotEquals(id(movie).clipId(), id(Samples.get("video/forensics/movie-hello.avi")).clipId());
  }

  @Test
  void largeFilesAreSampledAndASingleChangedSampleByteChangesTheId(@TempDir Path tmp)
      throws IOException {
    byte[] big = new byte[(int) ContentId.FULL_HASH_LIMIT + 5_000_000];
    new Random(1).nextBytes(big);
    Path a = tmp.resolve("a.mp4");
    Files.write(a, big);
    ContentId.Id ida = id(a);
    assertEquals(ContentId.METHOD_SAMPLED, ida.method());
    for (int at : new int[] {10, big.length / 2, big.length - 10}) {
      byte[] copy = big.clone();
      copy[at] ^= 1;
      Path b = tmp.resolve("b" + at + ".mp4");
      Files.write(b, copy);
      assertNotEquals(ida.clipId(), id(b).clipId(), "byte " + at);
    }
    Path shorter = tmp.resolve("short.mp4");
    Files.write(shorter, java.util.Arrays.copyOf(big, big.length - 1));
    assertNotEquals(ida.clipId(), id(shorter).clipId());
  }

  @Test
  void pathIdsDifferFromContentIdsAndFromEachOther() {
    assertNotEquals(ContentId.ofPath("file:/a/x.mp4").clipId(),
        ContentId.ofPath("file:/b/x.mp4").clipId());
    assertEquals(32, ContentId.ofPath("file:/a/x.mp4").clipId().length());
  }
}
