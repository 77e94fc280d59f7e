/**
 * The frames stage: faces found, tracked and cropped per clip into {@code frames} and {@code
 * frames_clips}, detectors pooled per executor.
 *
 * <p>May import: cli, io, progress, runtime.
 */
package io.talkset.jobs.frames;
