package dev.weft.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Creates or upgrades the store's tables from the versioned SQL files shipped in this module
 * ({@code dev/weft/postgres/schema/V<n>__<what>.sql}, with {@code ${prefix}} for the table prefix), or only
 * checks the version when the user applies the files with a migration tool of their own.
 *
 * <p>The version in the database is the highest row of {@code <prefix>schema_version}; every file records its
 * own version as its last statement, so Flyway or Liquibase users who apply the files get the same table.
 */
final class SchemaMigrator {

    /*
     * Implementation notes: migration runs in one transaction that first takes a transaction-scoped advisory
     * lock keyed by the prefix, so nodes starting at once serialize here: the first applies the missing files,
     * the others then see the new version and apply nothing. The lock is released by the commit or rollback, so
     * a crashed migrator cannot leave it held. DDL is transactional in PostgreSQL, so a failed file leaves the
     * schema as it was. Invariant: the database's version is never higher than LATEST after a migration by this
     * code, and open() never proceeds against a version it does not know (newer or older).
     */

    /** The schema files, in order; the n-th (from 1) has version n. */
    private static final List<String> FILES = List.of("V1__jobs.sql", "V2__nodes.sql", "V3__earlier_runs.sql");

    /** The newest schema version this code knows. */
    static final int LATEST = FILES.size();

    private final String prefix;

    SchemaMigrator(String prefix) {
        this.prefix = prefix;
    }

    /** Applies the missing schema versions; returns the version the database was at before. */
    int migrate(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
                lock.setString(1, "weft schema " + prefix);
                lock.execute();
            }
            int current = version(c);
            checkNotNewer(current);
            try (Statement s = c.createStatement()) {
                for (int v = current + 1; v <= LATEST; v++) {
                    s.execute(file(v));
                }
            }
            c.commit();
            return current;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** Checks that the database holds exactly the newest schema version this code knows. */
    void check(Connection c) throws SQLException {
        int current = version(c);
        checkNotNewer(current);
        if (current < LATEST) {
            throw new IllegalStateException("the Weft job tables with prefix \"" + prefix + "\" are at schema version "
                    + current + (current == 0 ? " (not created)" : "") + ", and this Weft needs version " + LATEST
                    + ": apply the schema files dev/weft/postgres/schema/V" + (current + 1) + "..V" + LATEST
                    + " with placeholder prefix=" + prefix + ", or build the store with migrate(true)");
        }
    }

    /** The schema version in the database; 0 when none is recorded. */
    int version(Connection c) throws SQLException {
        try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, prefix + "schema_version");
            try (ResultSet rs = exists.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return 0;
                }
            }
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(max(version), 0) FROM " + prefix + "schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private void checkNotNewer(int current) {
        if (current > LATEST) {
            throw new IllegalStateException("the Weft job tables with prefix \"" + prefix + "\" are at schema version "
                    + current + ", newer than version " + LATEST + ", the newest this Weft knows: a newer Weft "
                    + "migrated them; upgrade Weft to a release that knows schema version " + current);
        }
    }

    /** The text of schema file {@code version}, its prefix placeholder replaced. */
    String file(int version) {
        String name = "schema/" + FILES.get(version - 1);
        try (InputStream in = SchemaMigrator.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("schema file " + name + " is missing from the weft-postgres jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${prefix}", prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read schema file " + name, e);
        }
    }
}
