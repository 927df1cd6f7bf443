/**
 * The durable-jobs comparison: Weft's job runtime on PostgreSQL against db-scheduler and JobRunr, every system on
 * one local PostgreSQL in one run, with pgbench's simple-update figure on the same server as the database's own
 * limit. A plain main program ({@link dev.weft.bench.durable.DurableComparison}), run by
 * {@code benchmarks/run-durable-comparison.sh}; not a JMH benchmark. With {@code --nodes} it runs each system
 * on several nodes instead, each node a process of its own ({@link dev.weft.bench.durable.ContenderNode}).
 */
package dev.weft.bench.durable;
