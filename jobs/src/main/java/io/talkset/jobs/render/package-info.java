/**
 * The render job: clips' crops written as MP4 with their audio.
 *
 * <p>May import: cli, io, runtime.
 */
package io.talkset.jobs.render;
