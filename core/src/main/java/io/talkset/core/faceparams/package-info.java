/**
 * Per-frame face parameters from a crop: 68 landmarks, the face mesh, head pose, expression,
 * identity descriptors, temporal smoothing, five-point alignment and the 3DMM slot.
 *
 * <p>May import: errors, models.
 */
package io.talkset.core.faceparams;
