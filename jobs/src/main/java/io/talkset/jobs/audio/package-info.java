/**
 * The audio stage: per-clip decoding and features into {@code audio} and {@code audio_clips}.
 *
 * <p>May import: cli, io, progress, runtime.
 */
package io.talkset.jobs.audio;
