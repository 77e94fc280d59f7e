/**
 * The evaluate job: a model's generated videos scored against the dataset, with its tables and
 * page.
 *
 * <p>May import: cli, io, report, runtime.
 */
package io.talkset.jobs.eval;
