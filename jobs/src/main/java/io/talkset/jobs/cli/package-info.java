/**
 * Command-line options: declared once per job, parsed into validated values, with {@code --help}
 * and one-line usage errors.
 *
 * <p>May import: nothing.
 */
package io.talkset.jobs.cli;
