/**
 * Dataset-root plumbing on Hadoop file systems: atomic table commits, stage tables and what is
 * pending, sources, output names, JSON, the one-writer lock of a root.
 *
 * <p>May import: cli, runtime.
 */
package io.talkset.jobs.io;
