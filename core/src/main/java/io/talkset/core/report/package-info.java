/**
 * A small static-HTML report library: tables, histograms and charts as PNG, contact sheets of
 * crops; no knowledge of the pipeline's tables.
 *
 * <p>May import: nothing.
 */
package io.talkset.core.report;
