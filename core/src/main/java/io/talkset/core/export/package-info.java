/**
 * The byte formats of the exports, written without a library so that every byte is ours and a
 * re-run gives the same file: POSIX ustar archives (WebDataset shards), NumPy {@code .npy} v1.0
 * arrays and uncompressed {@code .npz} archives of them, 16-bit PCM WAV; and the pictures other
 * than the stored crop (the face aligned onto a mean face, the aligned mouth region).
 *
 * <p>May import: faceparams.
 */
package io.talkset.core.export;
