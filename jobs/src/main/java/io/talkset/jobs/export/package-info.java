/**
 * The export job: a written dataset as the files training code reads (WebDataset tar shards,
 * MP4s with file lists, frame folders), one sample per clip or per training window.
 *
 * <p>May import: cli, io, runtime.
 */
package io.talkset.jobs.export;
