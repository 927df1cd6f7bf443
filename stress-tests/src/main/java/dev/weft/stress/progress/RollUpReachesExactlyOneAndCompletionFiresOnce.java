package dev.weft.stress.progress;

import dev.weft.progress.Progress;
import dev.weft.progress.ProgressSnapshot;
import dev.weft.progress.Subscription;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Race: a parent has two children (weights 0.1 and 0.7) and a subscription. Each of two threads completes its
 * child, reads the parent's fraction, then completes the parent, so the parent is completed twice, concurrently.
 * Whichever thread completes its child last must read exactly 1.0 (both children complete, no rounding error),
 * and the subscription must receive the final snapshot exactly once, with fraction exactly 1.0.
 *
 * <p>Results: r1, r2 = what each thread read (1 = exactly 1.0, 2 = exactly 0.1/(0.1+0.7), 3 = exactly 0.7/(0.1+0.7),
 * 0 = anything else); r3 = number of final (complete) deliveries; r4 = 1 if the final delivery had fraction
 * exactly 1.0.
 *
 * <p>Run: {@code ./weft stress -m quick -t RollUpReachesExactlyOneAndCompletionFiresOnce}
 */
@JCStressTest
@Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE, desc = "Both threads saw both children complete; one final delivery.")
@Outcome(id = "2, 1, 1, 1", expect = ACCEPTABLE, desc = "The first thread saw only its own child; the second saw 1.0.")
@Outcome(id = "1, 3, 1, 1", expect = ACCEPTABLE, desc = "The second thread saw only its own child; the first saw 1.0.")
@Outcome(expect = FORBIDDEN, desc = "Neither thread saw 1.0, a rounding error, a missed or repeated final delivery.")
@State
public class RollUpReachesExactlyOneAndCompletionFiresOnce {

    private final Progress parent = Progress.root("stress");
    private final Progress first = parent.newChild("first", 0.1);
    private final Progress second = parent.newChild("second", 0.7);
    private final AtomicInteger finals = new AtomicInteger();
    private final CountDownLatch finalDelivered = new CountDownLatch(1);
    private volatile double finalFraction = -1;
    private final Subscription subscription = parent.subscribe(Duration.ofHours(1), this::onSnapshot);

    private void onSnapshot(ProgressSnapshot s) {
        if (s.complete()) {
            finalFraction = s.fraction();
            finals.incrementAndGet();
            finalDelivered.countDown();
        }
    }

    @Actor
    public void completeFirst(IIII_Result r) {
        first.complete();
        r.r1 = code(parent.fraction());
        parent.complete();
    }

    @Actor
    public void completeSecond(IIII_Result r) {
        second.complete();
        r.r2 = code(parent.fraction());
        parent.complete();
    }

    @Arbiter
    public void observe(IIII_Result r) {
        try {
            finalDelivered.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        subscription.close(); // joins the delivery thread: no delivery can come after this
        r.r3 = finals.get();
        r.r4 = finalFraction == 1.0 ? 1 : 0;
    }

    private static int code(double fraction) {
        if (fraction == 1.0) {
            return 1;
        }
        if (fraction == 0.1 / (0.1 + 0.7)) { // the formula's divisor: total 0 + weights
            return 2;
        }
        return fraction == 0.7 / (0.1 + 0.7) ? 3 : 0;
    }
}
