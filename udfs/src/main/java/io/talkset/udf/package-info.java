/**
 * Spark SQL UDFs over the core logic, registered by name and by class name ({@code UdfRegistry}),
 * so notebooks and SQL can call them; thin adapters with null handling, no logic of their own.
 *
 * <p>May import: io.talkset.core.
 */
package io.talkset.udf;
