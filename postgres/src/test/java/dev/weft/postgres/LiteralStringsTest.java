package dev.weft.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.JobError;
import dev.weft.jobs.JobQuery;
import dev.weft.jobs.spi.AttemptEnd;
import dev.weft.jobs.spi.NewJob;
import dev.weft.jobs.spi.StoredEvent;
import dev.weft.jobs.spi.StoredJob;
import dev.weft.scope.CancellationReason;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static dev.weft.postgres.Stores.LEASE;
import static org.assertj.core.api.Assertions.assertThat;

/** Every value is a bind parameter: text that looks like SQL (or JSON, or quotes) is stored as it is. */
class LiteralStringsTest {

    private static final String DROP = "'); DROP TABLE weft_jobs; --";
    private static final String ODD = "\" \\ $1 ${prefix} %s ' '' \u00e9\u4e2d \ud83d\ude00 {\"a\":1} ?";

    @Test
    void sqlLookingNamesKeysGroupsReasonsAndErrorsAreStoredAndReadBackLiterally() {
        try (HikariDataSource ds = PostgresFixture.newDatabase(); PostgresJobStore store = Stores.open(ds)) {
            var j = new NewJob(UUID.randomUUID().toString(), DROP, DROP + ODD, DROP, ODD, 0, "\"" + DROP + "\"", 1,
                    null, null);
            assertThat(store.insert(j).created()).isTrue();
            StoredEvent running = store.claim(ODD, List.of(DROP), 1, LEASE).get(0);
            var reason = new CancellationReason(CancellationReason.Kind.EXPLICIT, DROP + ODD, null);
            var error = new JobError(DROP, ODD, DROP + "\n" + ODD);
            store.endAttempts(List.of(new AttemptEnd(running.job().lease(), AttemptEnd.Outcome.CANCELLED, DROP,
                    error, reason, null, null)));

            StoredJob row = store.find(j.id()).orElseThrow();

            assertThat(row.type()).isEqualTo(DROP);
            assertThat(row.name()).isEqualTo(DROP + ODD);
            assertThat(row.key()).isEqualTo(DROP);
            assertThat(row.group()).isEqualTo(ODD);
            assertThat(row.payload()).isEqualTo("\"" + DROP + "\"");
            assertThat(row.result()).isEqualTo(DROP);
            assertThat(row.reason()).isEqualTo(reason);
            assertThat(row.error()).isEqualTo(error);
            assertThat(store.list(JobQuery.all().name(DROP + ODD).key(DROP)).jobs()).extracting(StoredJob::id)
                    .containsExactly(j.id());
            assertThat(store.list(JobQuery.all().key(DROP + "x")).jobs()).isEmpty();
            assertThat(store.counts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(1);
        }
    }
}
