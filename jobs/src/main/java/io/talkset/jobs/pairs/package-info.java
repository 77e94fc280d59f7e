/**
 * The pairs stage: emotion pseudo-pairs planned and aligned by DTW into {@code pairs}.
 *
 * <p>May import: cli, io, runtime.
 */
package io.talkset.jobs.pairs;
