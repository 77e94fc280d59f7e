/**
 * A video read frame-accurately onto the 25 fps grid, crop windows cut from the decoded planes,
 * and shot cuts; nothing here knows about faces.
 *
 * <p>May import: errors, media.
 */
package io.talkset.core.video;
