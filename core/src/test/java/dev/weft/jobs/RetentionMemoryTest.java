package dev.weft.jobs;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.Semaphore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A million trivial jobs through a runtime that retains 10,000 finished ones: the heap after the million must
 * not have grown with it. A retained job costs on the order of a kilobyte, so keeping all of them would need
 * around a gigabyte; the margin allowed is a few dozen megabytes.
 */
class RetentionMemoryTest {

    static final int JOBS = 1_000_000;
    static final int CHECKPOINT = 100_000;
    static final int RETAINED = 10_000;
    static final long MARGIN = 32L << 20;

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime memory = Runtime.getRuntime(); // java.management is not readable from the patched module
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50); // lets concurrent GC phases settle; measurement, not ordering
            used = Math.min(used, memory.totalMemory() - memory.freeMemory());
        }
        return used;
    }

    @Test
    void aMillionJobsThroughARuntimeRetainingTenThousandLeaveABoundedHeap() throws Exception {
        var permits = new Semaphore(1_000);
        long atCheckpoint = 0;
        long atEnd;
        int retained;
        long start = System.nanoTime();
        try (var rt = JobRuntime.builder().maxRunning(64).maxQueued(2_000)
                .retention(Retention.keep(Duration.ofHours(1), RETAINED)).build()) {
            rt.subscribe(e -> {
                if (e.isTerminal()) {
                    permits.release();
                }
            });
            for (int i = 1; i <= JOBS; i++) {
                permits.acquire();
                int n = i;
                rt.submit("trivial", ctx -> n);
                if (i == CHECKPOINT) {
                    permits.acquire(1_000);
                    atCheckpoint = usedHeapAfterGc();
                    permits.release(1_000);
                }
            }
            permits.acquire(1_000);
            atEnd = usedHeapAfterGc();
            retained = rt.list(JobQuery.all().page(0, 1)).total();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("retention memory: %,d jobs in %.1f s (%.0f jobs/s); used heap after GC at %,d jobs: %.1f MB, "
                        + "at %,d jobs: %.1f MB (growth %.1f MB); %,d retained%n", JOBS, seconds, JOBS / seconds,
                CHECKPOINT, atCheckpoint / 1048576.0, JOBS, atEnd / 1048576.0, (atEnd - atCheckpoint) / 1048576.0, retained);
        assertThat(retained).isEqualTo(RETAINED); // all succeeded: SUCCEEDED keeps its 10,000 newest
        assertThat(atEnd).isLessThan(atCheckpoint + MARGIN);
    }
}
