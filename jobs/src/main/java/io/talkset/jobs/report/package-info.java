/**
 * The report job, Spark-side histograms and the evaluation summary's cells that the evaluate job
 * shows too.
 *
 * <p>May import: cli, io, runtime.
 */
package io.talkset.jobs.report;
