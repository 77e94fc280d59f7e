/**
 * What every job shares: the {@link io.talkset.jobs.runtime.Job} contract, sessions, versions, GPU
 * stage scheduling, device placement and the models folder, per-task hooks.
 *
 * <p>May import: cli.
 */
package io.talkset.jobs.runtime;
