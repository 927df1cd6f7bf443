package dev.weft.postgres;

import dev.weft.jobs.JobEvent;
import dev.weft.jobs.JobState;
import dev.weft.jobs.spi.StoredEvent;
import dev.weft.jobs.spi.StoredJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.weft.postgres.Stores.LEASE;
import static org.assertj.core.api.Assertions.assertThat;

/** Jobs left RUNNING by a node that stopped: re-queued while attempts remain, else failed. */
class RecoverTest {

    @RegisterExtension
    static final OpenStore db = new OpenStore();

    @Test
    void recoverOfANodeRequeuesOrFailsEachOfItsRunningJobsAndLeavesOtherNodesAlone() {
        var again = Stores.job("r-node", 2);
        var last = Stores.job("r-node", 1);
        var other = Stores.job("r-node-other", 2);
        db.store().insertAll(List.of(again, last, other));
        db.store().claim("n1", List.of("r-node"), 2, LEASE);
        db.store().claim("n2", List.of("r-node-other"), 1, LEASE);

        List<StoredEvent> events = db.store().recover("n1");

        Map<String, StoredEvent> byId = events.stream().collect(Collectors.toMap(e -> e.job().id(),
                Function.identity()));
        assertThat(byId).containsOnlyKeys(again.id(), last.id());
        StoredEvent requeued = byId.get(again.id());
        assertThat(requeued.type()).isEqualTo(JobEvent.Type.PROGRESS);
        assertThat(requeued.job().state()).isEqualTo(JobState.QUEUED);
        assertThat(requeued.job().interruptions()).isEqualTo(1);
        assertThat(requeued.job().attempt()).isEqualTo(1);
        assertThat(requeued.job().node()).isNull();
        assertThat(requeued.job().error().message()).contains("attempt 1").contains("node n1")
                .contains("stopped without ending it");
        StoredEvent failed = byId.get(last.id());
        assertThat(failed.type()).isEqualTo(JobEvent.Type.FINISHED);
        assertThat(failed.job().state()).isEqualTo(JobState.FAILED);
        assertThat(failed.job().finishedAt()).isNotNull();
        assertThat(failed.job().interruptions()).isEqualTo(1);
        assertThat(failed.job().error().message()).contains("attempt 1").contains("node n1");
        assertThat(db.store().find(other.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(db.store().claim("n1", List.of("r-node"), 5, LEASE)).extracting(e -> e.job().id())
                .containsExactly(again.id());
    }

    @Test
    void recoverWithoutANodeTakesOnlyJobsWhoseLeaseExpired() {
        var expired = Stores.job("r-lease", 3);
        var alive = Stores.job("r-lease-alive", 3);
        db.store().insertAll(List.of(expired, alive));
        StoredJob e = db.store().claim("gone", List.of("r-lease"), 1, Duration.ofMillis(1)).get(0).job();
        db.store().claim("alive", List.of("r-lease-alive"), 1, Duration.ofMinutes(10));
        awaitLeaseExpired(e);

        List<StoredEvent> events = db.store().recover(null);

        assertThat(events).extracting(ev -> ev.job().id()).containsExactly(expired.id());
        assertThat(events.get(0).job().state()).isEqualTo(JobState.QUEUED);
        assertThat(events.get(0).job().error().message()).contains("node gone");
        assertThat(db.store().find(alive.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(db.store().recover(null)).isEmpty();
    }

    /** Polls the database's clock (not this JVM's) until it is past the job's lease; fails after 10 s. */
    private void awaitLeaseExpired(StoredJob j) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!db.store().find(j.id()).orElseThrow().readAt().isAfter(j.leaseUntil())) {
            assertThat(System.nanoTime() - deadline).as("lease still valid after 10 s").isNegative();
            Thread.onSpinWait();
        }
    }
}
