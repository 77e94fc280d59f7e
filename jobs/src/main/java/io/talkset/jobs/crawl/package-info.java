/**
 * The crawl stage: inputs listed on any Hadoop file system and probed into the {@code clips}
 * manifest.
 *
 * <p>May import: cli, io, progress, runtime.
 */
package io.talkset.jobs.crawl;
