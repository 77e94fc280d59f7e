/**
 * Walking input trees, naming media files, content-derived clip ids, and examining one file for
 * the manifest (identify, probe, check the input limits, give it a status).
 *
 * <p>May import: errors, hashing, media.
 */
package io.talkset.core.crawl;
