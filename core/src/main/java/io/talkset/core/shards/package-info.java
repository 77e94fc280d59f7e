/**
 * Speaker-disjoint train/val/test assignment and the cutting of sorted clips into files of bounded
 * rows and bytes.
 *
 * <p>May import: hashing.
 */
package io.talkset.core.shards;
