/**
 * The durable-jobs comparison: Weft's job runtime on PostgreSQL against db-scheduler and JobRunr, every system on
 * one local PostgreSQL in one run, with pgbench's simple-update figure on the same server as the database's own
 * limit. A plain main program ({@link dev.weft.bench.durable.DurableComparison}), run by
 * {@code benchmarks/run-durable-comparison.sh}; not a JMH benchmark.
 */
package dev.weft.bench.durable;
