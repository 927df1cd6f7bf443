package dev.weft.stress.progress;

import dev.weft.progress.Progress;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Race: two threads advance the same node (by 1 and by 2), and the second then grows its total by 10 while
 * the first may still be advancing; done and total share one word, so each update is a CAS that must retry,
 * not overwrite, when another one landed first. Once both are done the node must hold done = 3 and
 * total = 100 + 10: no advance and no total increment is lost, whatever the interleaving. (Two actors: jcstress
 * skips tests with more actors than the machine has CPUs.)
 *
 * <p>Run: {@code ./weft stress -m quick -t NoLostUpdatesUnderConcurrentAdvances}
 */
@JCStressTest
@Outcome(id = "3, 110", expect = ACCEPTABLE, desc = "Every advance and the total increment were counted.")
@Outcome(expect = FORBIDDEN, desc = "An update was lost (a CAS overwrote a concurrent one) or counts were corrupted.")
@State
public class NoLostUpdatesUnderConcurrentAdvances {

    private final Progress progress = Progress.root("stress");

    public NoLostUpdatesUnderConcurrentAdvances() {
        progress.setTotal(100);
    }

    @Actor
    public void advanceByOne() {
        progress.advance(1);
    }

    @Actor
    public void advanceByTwoThenGrowTotal() {
        progress.advance(2);
        progress.addTotal(10);
    }

    @Arbiter
    public void observe(JJ_Result r) {
        var s = progress.snapshot();
        r.r1 = s.done();
        r.r2 = s.total();
    }
}
