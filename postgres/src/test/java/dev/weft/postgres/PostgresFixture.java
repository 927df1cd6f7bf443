package dev.weft.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server per test JVM ({@link LocalPostgres}, fsync off), started on first use and stopped by
 * its shutdown hook, and a fresh database per caller, so that test classes never see each other's rows.
 */
final class PostgresFixture {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static LocalPostgres server;

    private PostgresFixture() {
    }

    /** The shared server, started on first use. */
    static synchronized LocalPostgres server() {
        if (server == null) {
            server = LocalPostgres.start(false);
        }
        return server;
    }

    /** The JDBC URL of a new, empty database on the shared server. */
    static String newDatabaseUrl() {
        LocalPostgres pg = server();
        String db = "weft_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try (var c = DriverManager.getConnection(pg.jdbcUrl()); var s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + db, e);
        }
        return "jdbc:postgresql://127.0.0.1:" + pg.port() + "/" + db + "?user=postgres";
    }

    /** A connection pool on a new, empty database; close it after the test. */
    static HikariDataSource newDatabase() {
        var config = new HikariConfig();
        config.setJdbcUrl(newDatabaseUrl());
        config.setMaximumPoolSize(16);
        config.setConnectionTimeout(10_000);
        config.setPoolName("weft-test");
        return new HikariDataSource(config);
    }
}
