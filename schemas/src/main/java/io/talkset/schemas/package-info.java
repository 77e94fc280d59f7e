/**
 * Every table's schema, declared once and versioned, with golden JSON copies under test.
 *
 * <p>May import: nothing of talkset.
 */
package io.talkset.schemas;
