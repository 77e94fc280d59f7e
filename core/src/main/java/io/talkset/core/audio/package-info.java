/**
 * Audio decoded in-process to 16 kHz mono with sample 0 at the video's t = 0, and its per-frame
 * features on the 25 fps grid (MFCC, log-mel, pYIN pitch) in the EVP, Wav2Lip and HDTF
 * conventions.
 *
 * <p>May import: errors, media.
 */
package io.talkset.core.audio;
