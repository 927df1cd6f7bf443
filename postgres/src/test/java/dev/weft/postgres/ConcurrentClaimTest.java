package dev.weft.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.spi.NewJob;
import dev.weft.jobs.spi.StoredEvent;
import dev.weft.jobs.spi.StoredJob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.weft.postgres.Stores.LEASE;
import static org.assertj.core.api.Assertions.assertThat;

/** Claimers racing on one queue: SKIP LOCKED hands every job to exactly one of them. */
class ConcurrentClaimTest {

    private static final int JOBS = 2_000;
    private static final int CLAIMERS = 6;

    private static HikariDataSource ds;

    @BeforeAll
    static void database() {
        ds = PostgresFixture.newDatabase();
    }

    @AfterAll
    static void closeDatabase() {
        ds.close();
    }

    @Test
    void concurrentClaimersTakeEveryJobExactlyOnceEachInPriorityThenFifoOrder() throws Exception {
        try (PostgresJobStore store = Stores.open(ds)) {
            List<NewJob> jobs = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                jobs.add(Stores.job("race", i % 4, null));
            }
            for (int i = 0; i < JOBS; i += 500) {
                store.insertAll(jobs.subList(i, i + 500));
            }
            Map<String, Integer> submitOrder = new HashMap<>();
            for (int i = 0; i < JOBS; i++) {
                submitOrder.put(jobs.get(i).id(), i);
            }
            Comparator<StoredJob> order = Comparator.comparingInt(StoredJob::priority).reversed()
                    .thenComparing(j -> submitOrder.get(j.id()));
            var barrier = new CyclicBarrier(CLAIMERS);
            Map<String, String> claimedBy = new ConcurrentHashMap<>();
            List<String> doubleClaims = java.util.Collections.synchronizedList(new ArrayList<>());
            List<String> badBatches = java.util.Collections.synchronizedList(new ArrayList<>());
            try (var pool = Executors.newFixedThreadPool(CLAIMERS)) {
                List<Future<Integer>> claimers = new ArrayList<>();
                for (int t = 0; t < CLAIMERS; t++) {
                    String node = "node-" + t;
                    claimers.add(pool.submit(() -> {
                        barrier.await();
                        int taken = 0;
                        List<StoredJob> mine = new ArrayList<>();
                        while (true) {
                            List<StoredEvent> batch = store.claim(node, List.of("race"), 25, LEASE);
                            if (batch.isEmpty()) {
                                // a job this claimer skipped was locked by another claimer, which took it; so
                                // what one claimer takes, over all its batches, is in claim order
                                if (!mine.equals(mine.stream().sorted(order).toList())) {
                                    badBatches.add(node + ": " + mine.stream()
                                            .map(j -> j.priority() + "/" + submitOrder.get(j.id())).toList());
                                }
                                return taken;
                            }
                            List<StoredJob> rows = batch.stream().map(StoredEvent::job).toList();
                            mine.addAll(rows);
                            for (StoredJob j : rows) {
                                if (claimedBy.putIfAbsent(j.id(), node) != null) {
                                    doubleClaims.add(j.id());
                                }
                            }
                            taken += rows.size();
                        }
                    }));
                }
                int total = 0;
                for (Future<Integer> f : claimers) {
                    total += f.get();
                }
                assertThat(total).isEqualTo(JOBS);
            }

            assertThat(doubleClaims).isEmpty();
            assertThat(claimedBy).hasSize(JOBS);
            assertThat(badBatches).isEmpty();
            assertThat(store.counts().get(dev.weft.jobs.JobState.RUNNING)).isEqualTo(JOBS);
        }
    }
}
