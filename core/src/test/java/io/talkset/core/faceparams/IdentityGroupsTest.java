package io.talkset.core.faceparams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdentityGroupsTest {

  /**
   * Synthetic face-api-like descriptors: {@code people} centres in 128 dimensions about 0.8
   * apart (face-api's different people: 0.6 and more), each with {@code each} members about
   * 0.25 from their centre, in a shuffled order so people arrive interleaved.
   */
  record Synthetic(List<float[]> descriptors, int[] person) {}

  static Synthetic synthetic(int people, int each, long seed) {
    Random rnd = new Random(seed);
    float[][] centres = new float[people][128];
    for (float[] c : centres) {
      for (int k = 0; k < 128; k++) {
        c[k] = (float) (rnd.nextGaussian() * 0.05);
      }
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < people * each; i++) {
      order.add(i / each);
    }
    Collections.shuffle(order, rnd);
    List<float[]> d = new ArrayList<>();
    int[] person = new int[order.size()];
    for (int i = 0; i < order.size(); i++) {
      person[i] = order.get(i);
      float[] x = new float[128];
      for (int k = 0; k < 128; k++) {
        x[k] = centres[person[i]][k] + (float) (rnd.nextGaussian() * 0.022);
      }
      d.add(x);
    }
    return new Synthetic(d, person);
  }

  @Test
  void thirtyThousandDescriptorsOfSixHundredPeopleGiveOneGroupPerPerson() {
    Synthetic s = synthetic(600, 50, 18);
    System.gc();
    Runtime rt = Runtime.getRuntime();
    long before = rt.totalMemory() - rt.freeMemory();
    long t0 = System.nanoTime();
    IdentityGroups groups = new IdentityGroups(128, 0.5);
    int[] label = new int[s.descriptors().size()];
    for (int i = 0; i < label.length; i++) {
      label[i] = groups.assign(s.descriptors().get(i));
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    long after = rt.totalMemory() - rt.freeMemory();
    System.out.printf(Locale.ROOT, "identity grouping: %d descriptors into %d groups in %d ms;"
        + " heap in use %.1f MiB before, %.1f MiB after (max heap %.0f MiB)%n", label.length,
        groups.groups(), ms, before / 1048576.0, after / 1048576.0, rt.maxMemory() / 1048576.0);
    // Purity and completeness against the known members: each group holds one person and
    // each person is in one group, so the groups are the people exactly.
    Map<Integer, Set<Integer>> peopleOfGroup = new HashMap<>();
    Map<Integer, Set<Integer>> groupsOfPerson = new HashMap<>();
    for (int i = 0; i < label.length; i++) {
      peopleOfGroup.computeIfAbsent(label[i], k -> new HashSet<>()).add(s.person()[i]);
      groupsOfPerson.computeIfAbsent(s.person()[i], k -> new HashSet<>()).add(label[i]);
    }
    long pure = peopleOfGroup.values().stream().filter(p -> p.size() == 1).count();
    System.out.printf(Locale.ROOT, "purity %d of %d groups; %d of %d people in one group%n",
        pure, peopleOfGroup.size(), groupsOfPerson.values().stream().filter(g -> g.size() == 1)
            .count(), groupsOfPerson.size());
    assertEquals(600, groups.groups());
    assertEquals(600, pure);
    groupsOfPerson.values().forEach(g -> assertEquals(1, g.size()));
    // Ids are 0.. in order of first appearance.
    assertEquals(0, label[0]);
    assertEquals(600, groups.nextId());
  }

  @Test
  void twoRunsSeededFromTheFirstRunsMembersGiveTheIdsOfOneRun() {
    Synthetic s = synthetic(40, 20, 7);
    int n = s.descriptors().size();
    IdentityGroups one = new IdentityGroups(128, 0.5);
    int[] single = new int[n];
    for (int i = 0; i < n; i++) {
      single[i] = one.assign(s.descriptors().get(i));
    }
    // First run: the first third. Its result is committed, then the second run rebuilds the
    // groups from the committed members (sums in double, as the params job aggregates them).
    int cut = n / 3;
    IdentityGroups first = new IdentityGroups(128, 0.5);
    int[] split = new int[n];
    for (int i = 0; i < cut; i++) {
      split[i] = first.assign(s.descriptors().get(i));
    }
    IdentityGroups second = new IdentityGroups(128, 0.5);
    Map<Integer, double[]> sums = new HashMap<>();
    Map<Integer, Long> counts = new HashMap<>();
    for (int i = 0; i < cut; i++) {
      double[] sum = sums.computeIfAbsent(split[i], k -> new double[128]);
      for (int k = 0; k < 128; k++) {
        sum[k] += s.descriptors().get(i)[k];
      }
      counts.merge(split[i], 1L, Long::sum);
    }
    sums.forEach((id, sum) -> second.seed(id, sum, counts.get(id)));
    for (int i = cut; i < n; i++) {
      split[i] = second.assign(s.descriptors().get(i));
    }
    assertArrayEquals(single, split);
    assertEquals(40, second.groups());

    // Fed in reverse, the ids differ but the partition is the same.
    IdentityGroups reverse = new IdentityGroups(128, 0.5);
    int[] rev = new int[n];
    for (int i = n - 1; i >= 0; i--) {
      rev[i] = reverse.assign(s.descriptors().get(i));
    }
    Map<Integer, Integer> map = new HashMap<>();
    for (int i = 0; i < n; i++) {
      int label = single[i];
      assertEquals(label, (int) map.computeIfAbsent(rev[i], k -> label), "descriptor " + i);
    }
    assertEquals(40, map.size());
    assertEquals(40, new HashSet<>(map.values()).size());
  }

  @Test
  void aDescriptorJoinsTheNearestCentroidUnderTheThresholdAndTheCentroidMoves() {
    IdentityGroups g = new IdentityGroups(2, 0.5);
    g.seed(7, new double[] {2.0, 0.0}, 2); // centroid (1, 0), two members
    assertEquals(8, g.nextId());
    assertEquals(7, g.assign(new float[] {1.3f, 0f})); // 0.3 from (1, 0)
    assertArrayEquals(new float[] {1.1f, 0f}, g.centroid(7), 1e-6f); // (2 + 1.3) / 3
    assertEquals(3, g.members(7));
    assertEquals(8, g.assign(new float[] {0f, 0f})); // 1.1 away: a new group, id 8
    // 0.45 from group 8's centroid (0, 0), 0.65 from group 7's: the nearer one.
    assertEquals(8, g.assign(new float[] {0.45f, 0f}));
    assertArrayEquals(new float[] {0.225f, 0f}, g.centroid(8), 1e-6f);
    // Exactly the threshold from group 8's centroid is not under it (group 7's is 1.0 away).
    assertEquals(9, g.assign(new float[] {0.225f, -0.5f}));
    assertNull(g.assign(null));
    assertEquals(3, g.groups());
    assertThrows(IllegalArgumentException.class, () -> g.assign(new float[3]));
    assertThrows(IllegalArgumentException.class, () -> new IdentityGroups(128, 0));
  }
}
