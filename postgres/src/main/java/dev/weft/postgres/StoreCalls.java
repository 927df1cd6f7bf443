package dev.weft.postgres;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * How a call of {@link PostgresJobStore} uses the database: it borrows one connection of the user's data source,
 * runs its statements as one transaction, gives the connection back, and turns a JDBC failure into the SPI's
 * exception ({@link StoreFailures#translate}).
 */
final class StoreCalls {

    /*
     * Implementation notes: two shapes. oneStatement runs in the connection's auto-commit, so a call that is a
     * single statement costs one round trip; inTransaction turns auto-commit off for calls of several
     * statements, commits if the work returns and rolls back if it throws, and restores the connection's
     * auto-commit before giving it back. Either way the connection is closed (returned to the pool) on every
     * path, and no transaction outlives the call.
     */

    /** Work on a borrowed connection. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource dataSource;

    StoreCalls(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Runs {@code work} (several statements) as one transaction, committed if it returns. */
    <T> T inTransaction(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            if (auto) {
                c.setAutoCommit(false);
            }
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                if (auto) {
                    restoreAutoCommit(c);
                }
            }
        } catch (SQLException e) {
            throw StoreFailures.translate(what, e);
        }
    }

    /**
     * Runs {@code work}, a single statement (or reads), in the connection's own auto-commit: one round trip
     * instead of a statement plus a COMMIT. A data source whose connections start with auto-commit off gets an
     * explicit commit.
     */
    <T> T oneStatement(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            if (c.getAutoCommit()) {
                return work.run(c);
            }
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw StoreFailures.translate(what, e);
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // a broken connection: the pool drops it
        }
    }
}
