/**
 * Dataset layouts (MEAD, RAVDESS, CREMA-D, HDTF, VoxCeleb2, LRS3, generic) that give a clip its
 * speaker, emotion, intensity and take from its path, and sidecar transcripts as sentence keys.
 *
 * <p>May import: hashing.
 */
package io.talkset.core.datasets;
