package dev.weft.stress.progress;

import dev.weft.progress.Progress;
import dev.weft.progress.ProgressSnapshot;
import dev.weft.progress.Subscription;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Race: a listener with a 1 ms interval is being called (first snapshot, then changes) while one thread
 * advances the node and sets a step and another advances and completes it, which wakes delivery early for the
 * final snapshot. The listener notes when it is entered while already running. It must never overlap with
 * itself, and must get the final snapshot exactly once.
 *
 * <p>Results: r1 = number of overlapping entries, r2 = number of final deliveries.
 *
 * <p>Run: {@code ./weft stress -m quick -t ListenerNeverCalledConcurrentlyWithItself}
 */
@JCStressTest
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "Calls were serial; the final snapshot came exactly once.")
@Outcome(expect = FORBIDDEN, desc = "The listener ran concurrently with itself, or the final snapshot was missed or repeated.")
@State
public class ListenerNeverCalledConcurrentlyWithItself {

    private final Progress progress = Progress.root("stress");
    private final AtomicInteger inside = new AtomicInteger();
    private final AtomicInteger overlaps = new AtomicInteger();
    private final AtomicInteger finals = new AtomicInteger();
    private final CountDownLatch finalDelivered = new CountDownLatch(1);
    private final Subscription subscription = progress.subscribe(Duration.ofMillis(1), this::onSnapshot);

    private void onSnapshot(ProgressSnapshot s) {
        if (inside.incrementAndGet() != 1) {
            overlaps.incrementAndGet();
        }
        Thread.onSpinWait();
        if (s.complete()) {
            finals.incrementAndGet();
            finalDelivered.countDown();
        }
        inside.decrementAndGet();
    }

    @Actor
    public void advanceAndStep() {
        progress.advance();
        progress.step("halfway");
    }

    @Actor
    public void advanceAndComplete() {
        progress.advance();
        progress.complete();
    }

    @Arbiter
    public void observe(II_Result r) {
        try {
            finalDelivered.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        subscription.close();
        r.r1 = overlaps.get();
        r.r2 = finals.get();
    }
}
