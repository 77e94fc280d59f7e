package io.talkset.jobs.export;

import io.talkset.core.export.TarWriter;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Cuts one split's samples, in key order, into WebDataset shards: a shard is closed before a
 * sample that would take it past the size limit (a sample never spans shards; a sample larger
 * than the limit gets a shard of its own). Names are {@code SPLIT-000000.tar} upwards, so the
 * same samples and limit give the same shards.
 */
public final class ShardPlan {
  /** A sample's tar members, written as one file: its key and its bytes (whole blocks). */
  public record Sample(String key, String file, long bytes) implements Serializable {}

  /** One shard: its file name and its samples in order. */
  public record Shard(String name, List<Sample> samples) implements Serializable {
    /** The shard's size: its samples and the end-of-archive blocks. */
    public long bytes() {
      return samples.stream().mapToLong(Sample::bytes).sum() + 2 * TarWriter.BLOCK;
    }
  }

  private ShardPlan() {}

  /** @param samples in key order */
  public static List<Shard> cut(String split, List<Sample> samples, long maxBytes) {
    List<Shard> shards = new ArrayList<>();
    List<Sample> current = new ArrayList<>();
    long size = 2 * TarWriter.BLOCK;
    for (Sample s : samples) {
      if (!current.isEmpty() && size + s.bytes() > maxBytes) {
        shards.add(new Shard(name(split, shards.size()), current));
        current = new ArrayList<>();
        size = 2 * TarWriter.BLOCK;
      }
      current.add(s);
      size += s.bytes();
    }
    if (!current.isEmpty()) {
      shards.add(new Shard(name(split, shards.size()), current));
    }
    return shards;
  }

  public static String name(String split, int n) {
    return String.format(Locale.ROOT, "%s-%06d.tar", split, n);
  }
}
