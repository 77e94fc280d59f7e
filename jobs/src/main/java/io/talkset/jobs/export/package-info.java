/**
 * The export job: a written dataset as the files training code reads (WebDataset tar shards,
 * per-clip MP4s with file lists, per-clip frame folders).
 *
 * <p>May import: cli, io, runtime.
 */
package io.talkset.jobs.export;
