package dev.weft.stress.scope;

import dev.weft.scope.Join;
import dev.weft.scope.Scope;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Under a cap of 2, no more than 2 tasks of a scope ever run at once, whoever forks them and however they
 * complete.
 *
 * <p>The race: the owner actor forks 3 tasks under {@code maxConcurrency(2)} (its third fork waits for a slot);
 * each task forks one more task into the scope (queued, started by the owner while it waits) and completes;
 * meanwhile a second actor cancels the scope, so forks and starts race with the stop. Every task body counts
 * itself in and out of a shared counter and records the maximum it saw; the arbiter reports that maximum.
 *
 * <p>Run: {@code ./weft stress -m sanity -t ConcurrencyCapNeverExceeded} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = "0", expect = Expect.ACCEPTABLE, desc = "cancelled before any task body ran")
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "task bodies never overlapped")
@Outcome(id = "2", expect = Expect.ACCEPTABLE, desc = "two task bodies overlapped: the cap is reached, not exceeded")
@Outcome(expect = Expect.FORBIDDEN, desc = "more task bodies ran at once than the cap allows")
@State
public class ConcurrencyCapNeverExceeded {

    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger max = new AtomicInteger();
    private volatile Scope<Integer, ?> scope;

    private Integer body() {
        max.accumulateAndGet(running.incrementAndGet(), Math::max);
        running.decrementAndGet();
        return 1;
    }

    @Actor
    public void owner() {
        try (var s = Scope.named("cap").maxConcurrency(2).open(Join.<Integer>allSettled())) {
            scope = s;
            for (int i = 0; i < 3; i++) {
                s.fork(() -> {
                    max.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        s.fork(this::body);
                    } catch (IllegalStateException finished) {
                        // the scope was cancelled and joined meanwhile
                    }
                    running.decrementAndGet();
                    return 1;
                });
            }
            try {
                s.join();
            } catch (RuntimeException | InterruptedException cancelled) {
                // cancelled by the other actor: fine, the property is about the cap
            }
        }
    }

    @Actor
    public void canceller() {
        var s = scope;
        if (s != null) {
            s.cancel("stress canceller");
        }
    }

    @Arbiter
    public void arbiter(I_Result r) {
        r.r1 = max.get();
    }
}
