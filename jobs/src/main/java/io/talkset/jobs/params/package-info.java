/**
 * The params stage: landmarks, pose, expression, identity and 3DMM per face frame into {@code
 * face_params} and {@code face_params_clips}.
 *
 * <p>May import: cli, io, progress, runtime.
 */
package io.talkset.jobs.params;
