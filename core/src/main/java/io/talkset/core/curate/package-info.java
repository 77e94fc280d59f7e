/**
 * Curation rules applied when the dataset is written: which face frames, segments and clips a
 * trainer should not see, and the reason for each one removed.
 *
 * <p>May import: nothing.
 */
package io.talkset.core.curate;
