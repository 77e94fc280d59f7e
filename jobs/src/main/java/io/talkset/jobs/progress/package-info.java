/**
 * Progress lines, the run summary and the SparkListener that feeds them from named accumulators.
 *
 * <p>May import: io, runtime.
 */
package io.talkset.jobs.progress;
