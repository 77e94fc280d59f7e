/**
 * Generated videos matched to dataset clips by id or name, and scored frame by frame against the
 * dataset's crops (pixels, sharpness, landmarks, identity, lip sync).
 *
 * <p>May import: errors, faceparams, media, metrics, sync, video.
 */
package io.talkset.core.eval;
