package dev.weft.stress.progress;

import dev.weft.progress.Progress;
import dev.weft.progress.Subscription;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * When {@link Subscription#close()} returns, the listener is not running and is never called again, however the
 * close races with deliveries (the {@code Subscription} contract; docs/progress.md).
 *
 * <p>The race: a listener subscribed with a one-hour interval, so that it is called with the first snapshot as it
 * subscribes and then only with the final one; one actor advances the node and completes it, which wakes the
 * delivery thread for the final snapshot, the other closes the subscription and at once records whether the
 * listener is running and how often it has been called. (A short interval would keep the delivery threads of
 * the thousands of test states that jcstress prepares at once polling, and starve the run.) The arbiter counts the calls
 * again: any call after close returned shows as a difference. With close not waiting for the delivery thread, a
 * quick run found the listener running when close had returned, or called after, in about 7,500 of 21M samples
 * (a sanity run is too short to).
 *
 * <p>Run: {@code ./weft stress -m sanity -t NoListenerCallAfterCloseReturns} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the listener was idle when close returned and was not called after")
@Outcome(expect = FORBIDDEN, desc = "the listener was running when close returned, or was called after")
@State
public class NoListenerCallAfterCloseReturns {

    private final Progress node = Progress.root("stress");
    private final AtomicInteger calls = new AtomicInteger();
    private volatile boolean inListener;
    private final Subscription subscription;
    private int callsWhenClosed;

    public NoListenerCallAfterCloseReturns() {
        node.setTotal(2);
        subscription = node.subscribe(Duration.ofHours(1), snapshot -> {
            inListener = true;
            calls.incrementAndGet();
            for (int i = 0; i < 200; i++) {
                Thread.onSpinWait(); // a listener that takes a moment, so that a close can land inside it
            }
            inListener = false;
        });
    }

    @Actor
    public void update() {
        node.advance();
        node.complete();
    }

    @Actor
    public void close(II_Result r) {
        subscription.close();
        r.r1 = inListener ? 1 : 0;
        callsWhenClosed = calls.get();
    }

    @Arbiter
    public void arbiter(II_Result r) {
        r.r2 = calls.get() - callsWhenClosed;
    }
}
