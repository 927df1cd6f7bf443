package dev.weft.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.JobState;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.weft.postgres.Stores.LEASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Creating, upgrading and checking the schema. Each test has a fresh database. */
class SchemaTest {

    @Test
    void migratingTwiceIsIdempotent() throws SQLException {
        try (HikariDataSource ds = PostgresFixture.newDatabase()) {
            try (PostgresJobStore s = Stores.open(ds)) {
                s.insert(Stores.job("kept"));
            }
            try (PostgresJobStore s = Stores.open(ds)) {
                assertThat(s.counts().get(JobState.QUEUED)).isEqualTo(1);
            }
            assertThat(queryLong(ds, "SELECT count(*) FROM weft_schema_version")).isEqualTo(SchemaMigrator.LATEST);
            assertThat(queryLong(ds, "SELECT max(version) FROM weft_schema_version")).isEqualTo(SchemaMigrator.LATEST);
        }
    }

    @Test
    void aDatabaseAtVersionOneIsUpgradedKeepingItsJobs() throws Exception {
        try (HikariDataSource ds = PostgresFixture.newDatabase()) {
            String v1;
            try (InputStream in = PostgresJobStore.class.getResourceAsStream("schema/V1__jobs.sql")) {
                v1 = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${prefix}", "weft_");
            }
            try (var c = ds.getConnection(); var st = c.createStatement()) {
                st.execute(v1);
                st.execute("INSERT INTO weft_jobs (id, type, name, state) VALUES "
                        + "('0190a4b2-0000-7000-8000-000000000001', 't', 'from v1', 'QUEUED')");
            }
            try (PostgresJobStore s = Stores.open(ds)) {
                assertThat(s.find("0190a4b2-0000-7000-8000-000000000001")).get()
                        .satisfies(j -> assertThat(j.name()).isEqualTo("from v1"))
                        .satisfies(j -> assertThat(j.earlierRuns()).isEmpty());
                assertThat(s.nodes()).isEmpty();
            }
            assertThat(queryLong(ds, "SELECT max(version) FROM weft_schema_version")).isEqualTo(3);
        }
    }

    @Test
    void nodesMigratingAtOnceAllSucceed() throws Exception {
        int nodes = 6;
        try (HikariDataSource ds = PostgresFixture.newDatabase(); var pool = Executors.newFixedThreadPool(nodes)) {
            var barrier = new CyclicBarrier(nodes);
            List<Future<PostgresJobStore>> opened = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                opened.add(pool.submit(() -> {
                    barrier.await();
                    return Stores.open(ds);
                }));
            }
            List<Throwable> failures = new ArrayList<>();
            for (var f : opened) {
                try {
                    f.get().close();
                } catch (Exception e) {
                    failures.add(e);
                }
            }
            assertThat(failures).isEmpty();
            assertThat(queryLong(ds, "SELECT count(*) FROM weft_schema_version")).isEqualTo(SchemaMigrator.LATEST);
        }
    }

    @Test
    void twoPrefixesInOneDatabaseKeepTheirJobsApart() {
        try (HikariDataSource ds = PostgresFixture.newDatabase();
             PostgresJobStore a = Stores.open(ds);
             PostgresJobStore b = PostgresJobStore.builder(ds).tablePrefix("other_").build()) {
            b.open(Stores.IGNORE);
            var ja = Stores.job("shared-type", 0, "same-key");
            var jb = Stores.job("shared-type", 0, "same-key");

            assertThat(a.insert(ja).created()).isTrue();
            assertThat(b.insert(jb).created()).as("a key held under another prefix does not count").isTrue();

            assertThat(a.find(jb.id())).isEmpty();
            assertThat(b.find(ja.id())).isEmpty();
            assertThat(b.claim("n", List.of("shared-type"), 10, LEASE)).extracting(e -> e.job().id())
                    .containsExactly(jb.id());
            assertThat(a.counts().get(JobState.QUEUED)).isEqualTo(1);
        }
    }

    @Test
    void withoutMigrationAnEmptyDatabaseFailsOpenClearly() {
        try (HikariDataSource ds = PostgresFixture.newDatabase()) {
            PostgresJobStore s = PostgresJobStore.builder(ds).migrate(false).build();

            assertThatThrownBy(() -> s.open(Stores.IGNORE)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("schema version 0").hasMessageContaining("not created")
                    .hasMessageContaining("needs version " + SchemaMigrator.LATEST).hasMessageContaining("migrate(true)");
            s.close();
        }
    }

    @Test
    void theShippedFilesAppliedByAnotherToolWithThePrefixPlaceholderSatisfyACheckOnlyOpen() throws Exception {
        try (HikariDataSource ds = PostgresFixture.newDatabase()) {
            for (String file : List.of("V1__jobs.sql", "V2__nodes.sql", "V3__earlier_runs.sql")) {
                String sql;
                try (InputStream in = PostgresJobStore.class.getResourceAsStream("schema/" + file)) {
                    sql = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${prefix}", "fly_");
                }
                try (var c = ds.getConnection(); var st = c.createStatement()) {
                    st.execute(sql);
                }
            }

            try (PostgresJobStore s = PostgresJobStore.builder(ds).tablePrefix("fly_").migrate(false).build()) {
                s.open(Stores.IGNORE);
                assertThat(s.insert(Stores.job("fly")).created()).isTrue();
            }
        }
    }

    @Test
    void aSchemaNewerThanThisCodeFailsOpenNamingBothVersions() throws SQLException {
        try (HikariDataSource ds = PostgresFixture.newDatabase()) {
            Stores.open(ds).close();
            try (var c = ds.getConnection(); var st = c.createStatement()) {
                st.execute("INSERT INTO weft_schema_version (version) VALUES (7)");
            }
            for (boolean migrate : new boolean[]{true, false}) {
                PostgresJobStore s = PostgresJobStore.builder(ds).migrate(migrate).build();

                assertThatThrownBy(() -> s.open(Stores.IGNORE)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("schema version 7").hasMessageContaining("version " + SchemaMigrator.LATEST)
                        .hasMessageContaining("upgrade Weft");
                s.close();
            }
        }
    }

    private static long queryLong(HikariDataSource ds, String sql) throws SQLException {
        try (var c = ds.getConnection(); var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
