package io.talkset.jobs.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.talkset.core.export.Npy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The export's plain logic: shard cutting, sample names and spans, per-frame arrays. */
class ExportPlanTest {
  private static ShardPlan.Sample sample(String key, long bytes) {
    return new ShardPlan.Sample(key, key + ".tar", bytes);
  }

  @Test
  void shardsCloseBeforeASampleThatWouldPassTheLimitAndNeverSplitOne() {
    List<ShardPlan.Sample> s = List.of(sample("train/a", 4096), sample("train/b", 4096),
        sample("train/c", 20_480), sample("train/d", 512));
    // 1024 end bytes + 4096 + 4096 = 9216 fits 10 000; c alone passes the limit and gets its
    // own shard; d starts the next one.
    List<ShardPlan.Shard> cut = ShardPlan.cut("train", s, 10_000);
    assertEquals(List.of("train-000000.tar", "train-000001.tar", "train-000002.tar"),
        cut.stream().map(ShardPlan.Shard::name).toList());
    assertEquals(List.of(2, 1, 1), cut.stream().map(x -> x.samples().size()).toList());
    assertEquals(9216, cut.get(0).bytes());
    assertEquals(List.of(), ShardPlan.cut("val", List.of(), 10_000));
  }

  @Test
  void keysHoldNoDotAndAudioIsCutToTheSampleFramesWithZerosPastTheEnd() {
    assertEquals("train/0a1b", SampleNames.key("train", "0a1b"));
    assertThrows(IllegalArgumentException.class, () -> SampleNames.key("train", "a.b"));
    assertEquals("00007.jpg", SampleNames.frame(7));
    assertEquals("123456.jpg", SampleNames.frame(123456));
    float[] clip = new float[640 * 3 + 10];
    for (int i = 0; i < clip.length; i++) {
      clip[i] = i;
    }
    float[] a = SampleNames.audio(clip, 2, 2);
    assertEquals(1280, a.length);
    assertEquals(1280f, a[0]);
    assertEquals(1280f + 649, a[649]);
    assertEquals(0f, a[650], "past the decoded audio");
    assertEquals(640, SampleNames.audio(clip, 9, 1).length);
    // A clip re-timed by -1 frame (audio a frame late): frame 1 hears grid frame 2's samples.
    float[] late = SampleNames.audio(clip, 1, 2, -1);
    assertEquals(1280f, late[0]);
    assertEquals(0f, late[650], "past the decoded audio");
    // Re-timed by +2 (audio early): frames 0 and 1 hear nothing, frame 2 grid frame 0.
    float[] early = SampleNames.audio(clip, 0, 3, 2);
    assertEquals(0f, early[0]);
    assertEquals(0f, early[1279], "before the decoded audio");
    assertEquals(0f, early[1280]);
    assertEquals(639f, early[1919]);
    assertEquals(640 * 4, SampleNames.audio(clip, 0, 4, 9).length);
  }

  @Test
  void arraysHaveOneRowPerVideoFrameWithNanWhereAFrameHasNoRow() {
    FrameArrays f = new FrameArrays(10, 3);
    f.face(10);
    f.set(10, "pose", FrameArrays.scalars(1f, 2f, 3f, 4f, 5f, 6f));
    f.face(12);
    f.set(12, "pose", FrameArrays.scalars(7f, 8f, 9f, 10f, 11f, 12f));
    f.set(12, "hdtf", new float[60]);
    Map<String, byte[]> npy = f.npy();
    assertEquals(List.of("frame_index", "face", "pose", "hdtf"), List.copyOf(npy.keySet()),
        "fields null in every row are left out");
    assertArrayEquals(Npy.int32(new int[] {10, 11, 12}, 3), npy.get("frame_index"));
    assertArrayEquals(Npy.uint8(new byte[] {1, 0, 1}, 3), npy.get("face"));
    float n = Float.NaN;
    assertArrayEquals(Npy.float32(new float[] {1, 2, 3, 4, 5, 6, n, n, n, n, n, n, 7, 8, 9, 10,
        11, 12}, 3, 6), npy.get("pose"));
    float[] hdtf = new float[180];
    java.util.Arrays.fill(hdtf, 0, 120, Float.NaN);
    assertArrayEquals(Npy.float32(hdtf, 3, 4, 15), npy.get("hdtf"));
    assertEquals(null, FrameArrays.scalars(1f, null));
    assertEquals(null, FrameArrays.concat(java.util.Arrays.asList(new float[2], null)));
    assertThrows(IllegalArgumentException.class, () -> f.face(13));
  }
}
