/**
 * SHA-256, the one digest of the project (content ids, model pins, split positions, pair ids,
 * transcript keys, dataset digests).
 *
 * <p>May import: nothing.
 */
package io.talkset.core.hashing;
