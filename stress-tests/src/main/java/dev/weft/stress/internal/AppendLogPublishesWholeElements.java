package dev.weft.stress.internal;

import dev.weft.internal.AppendLog;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

import java.util.List;

/**
 * A reader of an {@link AppendLog} that sees an element sees it whole: the writes made before {@code set}
 * (here a plain field) are visible through {@code snapshot}. This is what lets any thread read a task's
 * fields from {@code Scope.tasks()} without a lock.
 *
 * <p>The race: the log is empty, so the adder also creates and installs the first chunk; the reader takes a
 * snapshot and reads the field of the element if there is one.
 *
 * <p>Run: {@code ./weft stress -m sanity -t AppendLogPublishesWholeElements}.
 */
@JCStressTest
@Outcome(id = "-1", expect = Expect.ACCEPTABLE, desc = "the snapshot came before the element was set")
@Outcome(id = "42", expect = Expect.ACCEPTABLE, desc = "the element is seen with its field written")
@Outcome(expect = Expect.FORBIDDEN, desc = "the element is seen without the writes made before it was set")
@State
public class AppendLogPublishesWholeElements {

    /** An element with a plain (not final, not volatile) field. */
    static final class Box {
        int value;
    }

    private final AppendLog<Box> log = new AppendLog<>();

    @Actor
    public void adder() {
        Box box = new Box();
        box.value = 42;
        log.set(AppendLog.indexOf(log.claim(false)), box);
    }

    @Actor
    public void reader(I_Result r) {
        List<Box> seen = log.snapshot();
        r.r1 = seen.isEmpty() ? -1 : seen.getFirst().value;
    }
}
