/**
 * The shards stage: the training dataset split by speaker, with its training view and {@code
 * dataset.json}.
 *
 * <p>May import: cli, io, runtime.
 */
package io.talkset.jobs.shards;
