/**
 * EVP's emotion pseudo-pairs: planning same-speaker, same-sentence pairs of different emotion, and
 * aligning them in time by DTW on their audio features.
 *
 * <p>May import: datasets, hashing.
 */
package io.talkset.core.pairs;
