/**
 * Media read in-process with FFmpeg (no process is ever started): sources, probing, container
 * facts, input limits, and crops written back as H.264 video.
 *
 * <p>May import: errors.
 */
package io.talkset.core.media;
