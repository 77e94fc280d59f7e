/**
 * The machine-readable error codes every status table uses, and the checked exception that carries
 * one from a clip's work to its status row.
 *
 * <p>May import: nothing.
 */
package io.talkset.core.errors;
