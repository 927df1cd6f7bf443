/**
 * The service-provider interface of durable job stores: what {@link dev.weft.jobs.JobRuntime} asks of a store
 * that keeps its jobs outside the JVM ({@link dev.weft.jobs.spi.JobStore}), and the rows it exchanges with it.
 * Applications use a store (e.g. {@code dev.weft.postgres.PostgresJobStore}); only store implementers use this
 * package.
 */
package dev.weft.jobs.spi;
