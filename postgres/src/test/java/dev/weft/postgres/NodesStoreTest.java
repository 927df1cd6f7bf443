package dev.weft.postgres;

import dev.weft.jobs.JobState;
import dev.weft.jobs.NodeInfo;
import dev.weft.jobs.spi.NewJob;
import dev.weft.jobs.spi.StoredEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.weft.postgres.Stores.LEASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Nodes in the store: registration, heartbeats on the database's clock, death, recovery, leaving, group caps. */
class NodesStoreTest {

    @RegisterExtension
    static final OpenStore db = new OpenStore();

    private static final Duration DEAD_AFTER = Duration.ofSeconds(4);

    /** Moves node {@code id}'s heartbeat into the past by the database's clock, as a silent node's would be. */
    private static void silence(String id, int seconds) throws SQLException {
        try (var c = db.dataSource().getConnection(); var ps = c.prepareStatement(
                "UPDATE weft_nodes SET heartbeat_at = now() - ? * interval '1 second' WHERE id = ?")) {
            ps.setInt(1, seconds);
            ps.setString(2, id);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void aRegisteredNodeIsAliveWithTheDatabasesTimesAndItsHeartbeatCarriesItsCounts() {
        NodeInfo n = db.store().register("id-1", "node one", "1.2.3");

        assertThat(n.state()).isEqualTo(NodeInfo.State.ALIVE);
        assertThat(n.version()).isEqualTo("1.2.3");
        assertThat(db.store().heartbeat("id-1", 7, 3)).isTrue();
        assertThat(db.store().nodes()).filteredOn(x -> x.id().equals("id-1")).singleElement().satisfies(x -> {
            assertThat(x.running()).isEqualTo(7);
            assertThat(x.queued()).isEqualTo(3);
            assertThat(x.heartbeatAt()).isAfterOrEqualTo(n.heartbeatAt());
        });
    }

    @Test
    void aSilentNodeIsDeclaredDeadAndItsRunningJobsAreRecoveredWhileTheLiveNodesAreKept() throws Exception {
        db.store().register("live", "live", "v");
        db.store().register("silent", "silent", "v");
        db.store().insertAll(List.of(Stores.job("t-dead", 3), Stores.job("t-dead", 1), Stores.job("t-dead", 3)));
        List<StoredEvent> onSilent = db.store().claim("silent", List.of("t-dead"), 2, LEASE);
        List<StoredEvent> onLive = db.store().claim("live", List.of("t-dead"), 1, LEASE);

        assertThat(db.store().checkNodes("live", DEAD_AFTER).declaredDead()).extracting(NodeInfo::id)
                .as("nobody of this test is silent yet").doesNotContain("silent", "live");
        silence("silent", 5);
        var check = db.store().checkNodes("live", DEAD_AFTER);

        assertThat(check.alive()).isTrue();
        assertThat(check.declaredDead()).extracting(NodeInfo::id).contains("silent").doesNotContain("live");
        assertThat(check.recovered()).filteredOn(e -> e.job().type().equals("t-dead")).extracting(e -> e.job().id())
                .containsExactlyInAnyOrderElementsOf(onSilent.stream().map(e -> e.job().id()).toList());
        assertThat(check.recovered()).filteredOn(e -> e.job().type().equals("t-dead")).allSatisfy(e -> {
            assertThat(e.job().node()).isNull();
            assertThat(e.job().error().type()).isEqualTo("NODE_LOST");
            assertThat(e.job().error().message()).contains("on node silent");
            assertThat(e.job().state()).isEqualTo(e.job().maxAttempts() > 1 ? JobState.QUEUED : JobState.FAILED);
        });
        assertThat(db.store().find(onLive.get(0).job().id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(db.store().checkNodes("live", DEAD_AFTER).recovered()).filteredOn(e -> e.job().type().equals("t-dead"))
                .as("recovered once").isEmpty();
    }

    @Test
    void aNodeDeclaredDeadLearnsItAtItsNextHeartbeatAndClaimsNothingUntilItRegistersAgain() throws Exception {
        db.store().register("zombie", "z", "v");
        db.store().register("judge", "j", "v");
        db.store().insert(Stores.job("t-zombie"));
        silence("zombie", 10);
        db.store().checkNodes("judge", DEAD_AFTER);

        assertThat(db.store().heartbeat("zombie", 0, 0)).isFalse();
        assertThat(db.store().checkNodes("zombie", DEAD_AFTER).alive()).isFalse();
        assertThat(db.store().claim("zombie", List.of("t-zombie"), 1, LEASE)).isEmpty();
        db.store().register("zombie-2", "z", "v");
        assertThat(db.store().claim("zombie-2", List.of("t-zombie"), 1, LEASE)).hasSize(1);
    }

    @Test
    void registeringUnderTheNameOfALiveNodeDeclaresThatEarlierRunDeadSoItsJobsComeBackAtOnce() {
        db.store().register("first-run", "restarting", "v");
        db.store().insert(Stores.job("t-restart", 3));
        StoredEvent held = db.store().claim("first-run", List.of("t-restart"), 1, LEASE).get(0);

        db.store().register("second-run", "restarting", "v");
        var check = db.store().checkNodes("second-run", DEAD_AFTER);

        assertThat(check.recovered()).filteredOn(e -> e.job().type().equals("t-restart"))
                .extracting(e -> e.job().id()).containsExactly(held.job().id());
        assertThat(db.store().nodes()).filteredOn(n -> n.name().equals("restarting"))
                .extracting(NodeInfo::id, NodeInfo::state).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("first-run", NodeInfo.State.DEAD),
                org.assertj.core.groups.Tuple.tuple("second-run", NodeInfo.State.ALIVE));
    }

    @Test
    void aNodeThatLeavesHasItsRunningJobsRecoveredByTheNextCheckOfAnyNode() {
        db.store().register("leaver", "leaver", "v");
        db.store().register("stayer", "stayer", "v");
        db.store().insert(Stores.job("t-leave", 3));
        StoredEvent held = db.store().claim("leaver", List.of("t-leave"), 1, LEASE).get(0);

        db.store().leave("leaver");

        assertThat(db.store().checkNodes("stayer", DEAD_AFTER).recovered())
                .filteredOn(e -> e.job().type().equals("t-leave")).extracting(e -> e.job().id())
                .containsExactly(held.job().id());
        assertThat(db.store().nodes()).filteredOn(n -> n.id().equals("leaver")).singleElement()
                .satisfies(n -> assertThat(n.state()).isEqualTo(NodeInfo.State.LEFT));
    }

    @Test
    void claimsRacingFromManyNodesNeverPutMoreThanTheCapOfAGroupRunning() throws Exception {
        int cap = 3;
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            jobs.add(new NewJob(UUID.randomUUID().toString(), "t-cap", "capped", null, "g" + (i % 2), i % 5,
                    "{}", 1, null, null));
        }
        for (int i = 0; i < 20; i++) {
            jobs.add(new NewJob(UUID.randomUUID().toString(), "t-cap", "free", null, null, 0, "{}", 1, null, null));
        }
        db.store().insertAll(jobs);
        int claimers = 8;
        var barrier = new CyclicBarrier(claimers);
        List<Future<List<StoredEvent>>> claims = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(claimers)) {
            for (int i = 0; i < claimers; i++) {
                String node = "n" + i;
                claims.add(pool.submit(() -> {
                    barrier.await();
                    return db.store().claim(node, List.of("t-cap"), 10, LEASE, cap);
                }));
            }
        }
        List<StoredEvent> claimed = new ArrayList<>();
        for (var f : claims) {
            claimed.addAll(f.get());
        }
        assertThat(claimed.stream().filter(e -> "g0".equals(e.job().group())).count()).isEqualTo(cap);
        assertThat(claimed.stream().filter(e -> "g1".equals(e.job().group())).count()).isEqualTo(cap);
        assertThat(claimed.stream().filter(e -> e.job().group() == null).count()).isEqualTo(20);
        assertThat(db.store().claim("late", List.of("t-cap"), 10, LEASE, cap)).as("both groups are full").isEmpty();
        assertThatThrownBy(() -> db.store().claim("n", List.of("t-cap"), 1, LEASE, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPerGroup must be at least 1");
    }

    @Test
    void nodesClaimingInTurnTakeTheOneQueueInPriorityThenSubmissionOrder() {
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            jobs.add(new NewJob(UUID.randomUUID().toString(), "t-order", "j" + i, null, null, i % 3, "{}", 1, null,
                    null));
        }
        db.store().insertAll(jobs);
        List<StoredEvent> order = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            order.addAll(db.store().claim("node-" + (i % 3), List.of("t-order"), 1, LEASE));
        }
        assertThat(order).extracting(e -> e.job().priority()).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(order).filteredOn(e -> e.job().priority() == 2).extracting(e -> e.job().name())
                .containsExactly("j2", "j5", "j8", "j11");
    }

    @Test
    void aCappedClaimTakesTheHighestPriorityJobsOfEachGroupFirst() {
        List<NewJob> jobs = new ArrayList<>();
        for (int p = 0; p < 6; p++) {
            jobs.add(new NewJob(UUID.randomUUID().toString(), "t-prio", "p" + p, null, "g", p, "{}", 1, null, null));
        }
        db.store().insertAll(jobs);

        assertThat(db.store().claim("n", List.of("t-prio"), 10, LEASE, 2)).extracting(e -> e.job().priority())
                .containsExactly(5, 4);
    }
}
