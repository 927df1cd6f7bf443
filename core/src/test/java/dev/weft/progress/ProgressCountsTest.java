package dev.weft.progress;

import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressCountsTest {

    private final ManualTimeSource time = new ManualTimeSource();
    private final Progress progress = Progress.root("job", time);

    @Test
    void aNewNodeHasNothingDoneNoTotalAndNoStepOrMessage() {
        ProgressSnapshot s = progress.snapshot();

        assertThat(s.name()).isEqualTo("job");
        assertThat(s.done()).isZero();
        assertThat(s.total()).isZero();
        assertThat(s.fraction()).isZero();
        assertThat(s.step()).isNull();
        assertThat(s.message()).isNull();
        assertThat(s.complete()).isFalse();
        assertThat(s.takenAt()).isEqualTo(time.instant());
    }

    @Test
    void advanceAddsUnitsToDone() {
        progress.setTotal(10);

        progress.advance();
        progress.advance(3);

        assertThat(progress.snapshot().done()).isEqualTo(4);
        assertThat(progress.snapshot().total()).isEqualTo(10);
        assertThat(progress.snapshot().fraction()).isEqualTo(0.4);
    }

    @Test
    void advancingPastTheTotalRaisesTheTotalToDone() {
        progress.setTotal(2);

        progress.advance(5);

        assertThat(progress.snapshot().done()).isEqualTo(5);
        assertThat(progress.snapshot().total()).isEqualTo(5);
    }

    @Test
    void addTotalGrowsTheTotalAndTheFractionDropsWhileDoneStays() {
        progress.setTotal(4);
        progress.advance(2);
        double before = progress.fraction();

        progress.addTotal(4);

        ProgressSnapshot after = progress.snapshot();
        assertThat(after.total()).isEqualTo(8);
        assertThat(after.done()).isEqualTo(2);
        assertThat(after.fraction()).isLessThan(before).isEqualTo(0.25);
    }

    @Test
    void setTotalMayLowerTheTotalDownToDone() {
        progress.setTotal(10);
        progress.advance(3);

        progress.setTotal(3);

        assertThat(progress.snapshot().total()).isEqualTo(3);
        assertThat(progress.snapshot().fraction()).isEqualTo(1.0);
    }

    @Test
    void stepAndMessageAppearInTheSnapshotAndNullClearsThem() {
        progress.step("download");
        progress.message("3 of 10 files");
        assertThat(progress.snapshot().step()).isEqualTo("download");
        assertThat(progress.snapshot().message()).isEqualTo("3 of 10 files");

        progress.step(null);
        progress.message(null);

        assertThat(progress.snapshot().step()).isNull();
        assertThat(progress.snapshot().message()).isNull();
    }

    @Test
    void aCompleteNodeIgnoresFurtherUpdates() {
        progress.setTotal(10);
        progress.advance(4);
        progress.step("last");
        progress.complete();

        progress.advance(3);
        progress.addTotal(5);
        progress.setTotal(20);
        progress.step("late");
        progress.message("late");

        ProgressSnapshot s = progress.snapshot();
        assertThat(s.done()).isEqualTo(4);
        assertThat(s.total()).isEqualTo(10);
        assertThat(s.step()).isEqualTo("last");
        assertThat(s.message()).isNull();
        assertThat(s.complete()).isTrue();
        assertThat(s.fraction()).isEqualTo(1.0);
    }

    @Test
    void completeIsIdempotent() {
        progress.complete();
        progress.complete();

        assertThat(progress.isComplete()).isTrue();
        assertThat(progress.snapshot().fraction()).isEqualTo(1.0);
    }

    @Test
    void countsSaturateAtMaxUnits() {
        progress.addTotal(Long.MAX_VALUE);
        progress.advance(Progress.MAX_UNITS - 1);

        progress.advance(Long.MAX_VALUE);

        assertThat(progress.snapshot().done()).isEqualTo(Progress.MAX_UNITS);
        assertThat(progress.snapshot().total()).isEqualTo(Progress.MAX_UNITS);
        assertThat(progress.snapshot().complete()).isFalse();
    }

    @Test
    void concurrentAdvancesLoseNoUnits() throws Exception {
        int threads = 4;
        int perThread = 100_000;
        progress.setTotal((long) threads * perThread);
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            workers.add(Thread.ofPlatform().start(() -> {
                await(start);
                for (int n = 0; n < perThread; n++) {
                    progress.advance();
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }

        assertThat(progress.snapshot().done()).isEqualTo((long) threads * perThread);
        assertThat(progress.snapshot().fraction()).isEqualTo(1.0);
    }

    @Test
    void doneNeverGoesBackwardsNorPassesTotalWhileOthersUpdate() throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        Thread writer = Thread.ofPlatform().start(() -> {
            await(start);
            for (int n = 0; n < 50_000; n++) {
                progress.addTotal(1);
                progress.advance(2);
            }
        });
        await(start);
        long lastDone = 0;
        while (writer.isAlive()) {
            ProgressSnapshot s = progress.snapshot(); // the record's constructor also checks done <= total
            assertThat(s.done()).isGreaterThanOrEqualTo(lastDone).isLessThanOrEqualTo(s.total());
            lastDone = s.done();
        }
        writer.join();
        assertThat(progress.snapshot().done()).isEqualTo(100_000);
    }

    @Test
    void advanceAllocatesNothing() throws Exception {
        // Reflection because the test is compiled in the dev.weft.core module, which reads no management module.
        Object threads = Class.forName("java.lang.management.ManagementFactory")
                .getMethod("getThreadMXBean").invoke(null);
        Method allocatedBytes = Class.forName("com.sun.management.ThreadMXBean")
                .getMethod("getThreadAllocatedBytes", long.class);
        long id = Thread.currentThread().threadId();
        progress.setTotal(Progress.MAX_UNITS);
        for (int i = 0; i < 300_000; i++) { // let the JIT compile advance()
            progress.advance();
        }
        long before = (long) allocatedBytes.invoke(threads, id);
        for (int i = 0; i < 100_000; i++) {
            progress.advance();
        }
        long allocated = (long) allocatedBytes.invoke(threads, id) - before;

        assertThat(allocated).as("bytes allocated by 100,000 advance() calls").isLessThan(1_000);
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
