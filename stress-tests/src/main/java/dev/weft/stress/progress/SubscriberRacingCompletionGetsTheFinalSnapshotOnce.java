package dev.weft.stress.progress;

import dev.weft.progress.Progress;
import dev.weft.progress.ProgressSnapshot;
import dev.weft.progress.Subscription;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A listener that subscribes while the node completes still gets the final snapshot, exactly once, and it holds
 * every advance made before {@code complete()} (docs/progress.md: the final snapshot is delivered "exactly once,
 * as soon as the node completes").
 *
 * <p>The race: a node with total 1; one actor subscribes with a one-hour interval, the other advances the node
 * and completes it. Either {@code complete()} finds the new subscription and wakes it, or the subscription's
 * first snapshot already shows the node complete; if neither saw the other, the listener would get its first
 * snapshot and then nothing for an hour. The arbiter waits (up to 10 s) for a complete snapshot, closes the
 * subscription (which joins its delivery thread) and reports how many complete snapshots arrived and the done
 * count of the first. With the delivery started before the subscription is registered (and a yield between the
 * two), 6 of 112 samples of a sanity run got no final snapshot.
 *
 * <p>Run: {@code ./weft stress -m sanity -t SubscriberRacingCompletionGetsTheFinalSnapshotOnce} (or {@code -m quick}
 * to hunt).
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the final snapshot arrived once, with the advance")
@Outcome(expect = FORBIDDEN, desc = "no final snapshot (a missed wake-up), two of them, or one without the advance made before complete()")
@State
public class SubscriberRacingCompletionGetsTheFinalSnapshotOnce {

    private final Progress node = Progress.root("stress");
    private final AtomicLong finals = new AtomicLong();
    /** The done count of the first complete snapshot, or -1 before it. */
    private final AtomicLong finalDone = new AtomicLong(-1);
    private final CountDownLatch finalDelivered = new CountDownLatch(1);
    private volatile Subscription subscription;

    public SubscriberRacingCompletionGetsTheFinalSnapshotOnce() {
        node.setTotal(1);
    }

    private void onSnapshot(ProgressSnapshot s) {
        if (s.complete()) {
            finalDone.compareAndSet(-1, s.done());
            finals.incrementAndGet();
            finalDelivered.countDown();
        }
    }

    @Actor
    public void subscribe() {
        subscription = node.subscribe(Duration.ofHours(1), this::onSnapshot);
    }

    @Actor
    public void advanceAndComplete() {
        node.advance();
        node.complete();
    }

    @Arbiter
    public void observe(JJ_Result r) {
        try {
            finalDelivered.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        subscription.close(); // joins the delivery thread: no delivery can come after this
        r.r1 = finals.get();
        r.r2 = finalDone.get();
    }
}
