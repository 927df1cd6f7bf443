/**
 * Durable jobs on PostgreSQL ({@code dev.weft.postgres}): {@code PostgresJobStore}, a job store
 * for {@link dev.weft.jobs.JobRuntime} on pgjdbc and a user-supplied {@link javax.sql.DataSource}, and
 * {@link dev.weft.postgres.LocalPostgres}, which starts a throwaway PostgreSQL server from the machine's binaries
 * for demos and tests.
 */
module dev.weft.postgres {
    requires transitive dev.weft.core;
    requires transitive java.sql;
    requires org.postgresql.jdbc;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires com.fasterxml.jackson.datatype.jdk8;
    requires org.slf4j;

    exports dev.weft.postgres;
}
