/**
 * The sync stage: per face segment, the audio-visual offset and its confidence.
 *
 * <p>May import: cli, io, runtime.
 */
package io.talkset.jobs.sync;
