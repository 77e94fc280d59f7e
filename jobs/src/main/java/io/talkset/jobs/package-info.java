/**
 * The entry point ({@code talkset}, every job by name) and {@code talkset run}, which runs the
 * stages in order; nothing below imports this package.
 *
 * <p>May import: audio, cli, crawl, eval, export, frames, io, morphable, pairs, params, progress,
 * render, report, runtime, shards, sync.
 */
package io.talkset.jobs;
