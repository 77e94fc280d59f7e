/**
 * Dataset-root plumbing on Hadoop file systems: atomic table commits, stage tables and what is
 * pending, sources, output names, JSON.
 *
 * <p>May import: runtime.
 */
package io.talkset.jobs.io;
