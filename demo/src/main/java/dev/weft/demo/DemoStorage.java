package dev.weft.demo;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.weft.http.HttpConfig;
import dev.weft.postgres.LocalPostgres;
import dev.weft.postgres.PostgresJobStore;

import java.io.IOException;

/** The demo on PostgreSQL: the user's database, or a local one that the demo starts and removes. */
final class DemoStorage {

    private DemoStorage() {
    }

    /**
     * Starts the demo on PostgreSQL at {@code jdbcUrl}, or, if it is empty, on a local PostgreSQL started from the
     * machine's binaries (its data removed when the demo stops).
     */
    static DemoServer startOn(HttpConfig config, String jdbcUrl, String nodeName) throws IOException {
        // no hook of its own: the demo's shutdown hook stops the runtime first, then closes it
        LocalPostgres local = jdbcUrl.isEmpty() ? LocalPostgres.start(true, false) : null;
        HikariDataSource db = null;
        try {
            var pool = new HikariConfig();
            pool.setJdbcUrl(local != null ? local.jdbcUrl() : jdbcUrl);
            pool.setMaximumPoolSize(10);
            pool.setPoolName("weft-demo");
            pool.setInitializationFailTimeout(-1); // let the store report an unreachable database, with its URL
            db = new HikariDataSource(pool);
            HikariDataSource pooled = db;
            AutoCloseable storage = () -> {
                try {
                    pooled.close();
                } finally {
                    if (local != null) {
                        local.close();
                    }
                }
            };
            if (local != null) {
                System.out.println("Weft demo: started a local PostgreSQL at " + local.jdbcUrl()
                        + " (removed when the demo stops)");
            }
            return DemoServer.start(config, PostgresJobStore.builder(db).build(), storage, nodeName);
        } catch (IOException | RuntimeException e) {
            if (db != null) {
                db.close();
            }
            if (local != null) {
                local.close();
            }
            throw e;
        }
    }
}
