package dev.weft.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A durable runtime keeps nothing per job but its running ones: the heap after 20,000 more jobs (submitted,
 * run, some awaited) has not grown with them. Anything kept per job (a record, a handle, a latch: a few hundred
 * bytes at least) would add 4 MB or more, the margin allowed.
 */
class DurableMemoryTest {

    static final int WARMUP = 2_000;
    static final int JOBS = 20_000;
    static final long MARGIN = 4L << 20;

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime memory = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50); // lets concurrent GC phases settle; measurement, not ordering
            used = Math.min(used, memory.totalMemory() - memory.freeMemory());
        }
        return used;
    }

    @Test
    void theHeapDoesNotGrowWithTheNumberOfJobs() throws Exception {
        var noop = JobType.of("noop", Integer.class, Integer.class, (ctx, n) -> n);
        try (HikariDataSource db = PostgresFixture.newDatabase();
             var rt = JobRuntime.builder().store(PostgresJobStore.builder(db).build()).nodeName("memory")
                     .register(noop).maxRunning(64).build()) {
            var done = new Semaphore(0);
            rt.subscribe(e -> {
                if (e.isTerminal()) {
                    done.release();
                }
            });
            run(rt, noop, WARMUP, done);
            long atCheckpoint = usedHeapAfterGc();
            long start = System.nanoTime();
            run(rt, noop, JOBS, done);
            double seconds = (System.nanoTime() - start) / 1e9;
            long atEnd = usedHeapAfterGc();
            System.out.printf("durable memory: %,d jobs in %.1f s (%.0f jobs/s); used heap after GC %.1f MB, then "
                            + "%.1f MB (growth %.1f MB)%n", JOBS, seconds, JOBS / seconds, atCheckpoint / 1048576.0,
                    atEnd / 1048576.0, (atEnd - atCheckpoint) / 1048576.0);
            assertThat(atEnd).isLessThan(atCheckpoint + MARGIN);
        }
    }

    /** Submits {@code n} jobs from 16 threads, every eighth awaited through their handles, and waits for all. */
    private static void run(JobRuntime rt, JobType<Integer, Integer> noop, int n, Semaphore done) throws Exception {
        try (var submitters = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 16; t++) {
                int first = t;
                submitters.submit(() -> {
                    for (int i = first; i < n; i += 16) {
                        var h = rt.submit(noop, i);
                        if (i % 8 == 0) {
                            assertThat(h.await(Duration.ofSeconds(60))).isEqualTo(i);
                        }
                    }
                    return null;
                });
            }
        }
        assertThat(done.tryAcquire(n, 5, TimeUnit.MINUTES)).as("every job finished").isTrue();
    }
}
