/**
 * Model-free audio-visual sync: the lag between mouth opening and audio loudness, per face
 * segment.
 *
 * <p>May import: nothing.
 */
package io.talkset.core.sync;
