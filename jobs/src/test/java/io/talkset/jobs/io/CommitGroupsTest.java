package io.talkset.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.talkset.jobs.cli.CommitOptions;
import io.talkset.jobs.cli.UsageException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How {@link CommitGroups#plan} cuts a stage's clips, and the options that bound it. */
class CommitGroupsTest {
  /** Clip ids with their expected frames; ids sort in the order the groups must follow. */
  private static List<List<String>> plan(Map<String, Long> frames, Set<String> suspects,
      int clips, long maxFrames) {
    // Handed over out of order: the groups follow the ids.
    List<String> todo = frames.keySet().stream().sorted(java.util.Comparator.reverseOrder())
        .toList();
    return CommitGroups.plan(todo, id -> id, frames::get, suspects::contains,
        new CommitOptions.Limits(clips, maxFrames));
  }

  @Test
  void groupsHoldAtMostTheClipBoundInIdOrder() {
    Map<String, Long> f = Map.of("a", 10L, "b", 10L, "c", 10L, "d", 10L, "e", 10L);
    assertEquals(List.of(List.of("a", "b"), List.of("c", "d"), List.of("e")),
        plan(f, Set.of(), 2, 1_000));
    assertEquals(List.of(List.of("a", "b", "c", "d", "e")), plan(f, Set.of(), 500, 1_000));
  }

  @Test
  void groupsHoldAtMostTheFrameBoundAndALongerClipGoesAlone() {
    // 100 + 100 fits 250; 150 more would not; 150 + 50 fits; 400 alone is over the bound but
    // must still run, alone; an unknown length (0) counts against the clip bound only.
    Map<String, Long> f = new java.util.TreeMap<>(Map.of("a", 100L, "b", 100L, "c", 150L,
        "d", 50L, "e", 400L, "f", 0L, "g", 250L));
    assertEquals(List.of(List.of("a", "b"), List.of("c", "d"), List.of("e"), List.of("f", "g")),
        plan(f, Set.of(), 500, 250));
    // A bound of one frame: every clip alone (as the suites run a stage).
    assertEquals(List.of(List.of("a"), List.of("b"), List.of("c"), List.of("d"), List.of("e"),
        List.of("f"), List.of("g")), plan(f, Set.of(), 500, 1));
  }

  @Test
  void suspectsComeFirstInGroupsOfTheirOwn() {
    Map<String, Long> f = Map.of("a", 1L, "b", 1L, "c", 1L, "d", 1L, "e", 1L);
    // b and d: an earlier run's JVM died in them; no fresh clip runs beside them.
    assertEquals(List.of(List.of("b", "d"), List.of("a", "c", "e")),
        plan(f, Set.of("b", "d"), 3, 1_000));
    assertEquals(List.of(List.of("b", "d"), List.of("a", "c"), List.of("e")),
        plan(f, Set.of("b", "d"), 2, 1_000));
    assertEquals(List.of(List.of("b"), List.of("d"), List.of("a"), List.of("c"), List.of("e")),
        plan(f, Set.of("b", "d"), 1, 1_000));
  }

  @Test
  void theOptionsDefaultTo500ClipsAnd200000FramesAndRefuseNonPositiveBounds() {
    assertEquals(new CommitOptions.Limits(500, 200_000), CommitOptions.from(
        CommitOptions.add(new io.talkset.jobs.cli.Options()).parse(new String[0])));
    assertEquals(new CommitOptions.Limits(2, 7), CommitOptions.from(
        CommitOptions.add(new io.talkset.jobs.cli.Options()).parse(new String[] {
            "--commit-clips", "2", "--commit-frames", "7"})));
    UsageException e = assertThrows(UsageException.class, () -> CommitOptions.from(
        CommitOptions.add(new io.talkset.jobs.cli.Options()).parse(new String[] {
            "--commit-clips", "0"})));
    assertEquals("--commit-clips must be a whole number from 1 to 10000000, got '0'",
        e.getMessage());
    assertThrows(UsageException.class, () -> CommitOptions.from(
        CommitOptions.add(new io.talkset.jobs.cli.Options()).parse(new String[] {
            "--commit-frames", "-5"})));
  }
}
