package dev.weft.postgres;

import dev.weft.jobs.JobState;
import dev.weft.jobs.spi.Inserted;
import dev.weft.jobs.spi.NewJob;
import dev.weft.jobs.spi.StoredEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.weft.postgres.Stores.LEASE;
import static org.assertj.core.api.Assertions.assertThat;

/** De-duplication keys: at most one queued or running job per key, enforced by the database. */
class DedupeTest {

    private static final int THREADS = 8;
    private static final int KEYS = 50;

    @RegisterExtension
    static final OpenStore db = new OpenStore();

    @Test
    void concurrentInsertsOfOneKeyCreateExactlyOneJobAndTheOthersGetItAsHolder() throws Exception {
        var barrier = new CyclicBarrier(THREADS);
        List<List<Inserted>> perThread = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(THREADS)) {
            List<Future<List<Inserted>>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                futures.add(pool.submit(() -> {
                    barrier.await();
                    List<Inserted> out = new ArrayList<>();
                    for (int k = 0; k < KEYS; k++) { // one insert per call: many small transactions racing
                        out.add(db.store().insert(Stores.job("dd", 0, "key-" + k)));
                    }
                    return out;
                }));
            }
            for (var f : futures) {
                perThread.add(f.get());
            }
        }

        for (int k = 0; k < KEYS; k++) {
            int key = k;
            List<Inserted> forKey = perThread.stream().map(l -> l.get(key)).toList();
            assertThat(forKey.stream().filter(Inserted::created)).as("created for key-" + k).hasSize(1);
            String holder = forKey.stream().filter(Inserted::created).findFirst().orElseThrow().event().job().id();
            assertThat(forKey).allSatisfy(i -> assertThat(i.event().job().id()).isEqualTo(holder));
            assertThat(forKey.stream().filter(i -> !i.created())).allSatisfy(i -> assertThat(i.event().id()).isZero());
        }
        assertThat(db.store().counts().get(JobState.QUEUED)).isEqualTo(KEYS);
    }

    @Test
    void insertsRacingWithTheHolderEndingEachGetANewJobOrALiveHolder() throws Exception {
        int inserters = 4;
        int insertsEach = 300;
        var start = new CyclicBarrier(inserters + 1);
        var done = new java.util.concurrent.atomic.AtomicBoolean();
        try (var pool = Executors.newFixedThreadPool(inserters + 1)) {
            Future<Integer> ender = pool.submit(() -> { // ends whichever job holds the key, again and again
                start.await();
                int ended = 0;
                while (!done.get()) {
                    for (StoredEvent e : db.store().claim("ender", List.of("dd-churn"), 10, LEASE)) {
                        ended += db.store().endAttempts(List.of(Stores.succeeded(e.job().lease(), null))).size();
                    }
                }
                return ended;
            });
            List<Future<List<Inserted>>> futures = new ArrayList<>();
            for (int t = 0; t < inserters; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    List<Inserted> out = new ArrayList<>();
                    for (int i = 0; i < insertsEach; i++) {
                        out.add(db.store().insert(Stores.job("dd-churn", 0, "churn-key")));
                    }
                    return out;
                }));
            }
            List<Inserted> all = new ArrayList<>();
            for (var f : futures) {
                all.addAll(f.get());
            }
            done.set(true);
            int ended = ender.get();

            assertThat(all).allSatisfy(i -> {
                assertThat(i.event()).isNotNull();
                assertThat(i.event().job().key()).isEqualTo("churn-key");
                if (!i.created()) {
                    assertThat(i.event().job().state()).isIn(JobState.QUEUED, JobState.RUNNING);
                }
            });
            long created = all.stream().filter(Inserted::created).count();
            assertThat(created).as("the key was freed and taken again").isGreaterThan(1);
            assertThat(ended).isGreaterThanOrEqualTo((int) created - 1);
        }
    }

    @Test
    void jobsOfOneBatchSharingAKeyGetTheFirstAsHolder() {
        NewJob a = Stores.job("dd-batch", 0, "batch-key");
        NewJob b = Stores.job("dd-batch", 0, "batch-key");
        NewJob c = Stores.job("dd-batch", 0, null);

        List<Inserted> out = db.store().insertAll(List.of(a, b, c));

        assertThat(out).extracting(Inserted::created).containsExactly(true, false, true);
        assertThat(out.get(1).event().job().id()).isEqualTo(a.id());
        assertThat(db.store().find(b.id())).isEmpty();
    }

    @Test
    void theKeyHoldsWhileTheHolderRunsAndIsFreeOnceItEnds() {
        NewJob first = Stores.job("dd-free", 0, "free-key");
        db.store().insert(first);
        StoredEvent running = db.store().claim("n", List.of("dd-free"), 1, LEASE).get(0);

        Inserted whileRunning = db.store().insert(Stores.job("dd-free", 0, "free-key"));
        db.store().endAttempts(List.of(Stores.succeeded(running.job().lease(), null)));
        NewJob second = Stores.job("dd-free", 0, "free-key");
        Inserted afterEnd = db.store().insert(second);

        assertThat(whileRunning.created()).isFalse();
        assertThat(whileRunning.event().job().id()).isEqualTo(first.id());
        assertThat(whileRunning.event().job().state()).isEqualTo(JobState.RUNNING);
        assertThat(afterEnd.created()).isTrue();
        assertThat(afterEnd.event().job().id()).isEqualTo(second.id());
    }
}
