package dev.weft.stress.internal;

import dev.weft.internal.TaskThreadNames;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shared table of task thread names, read and written with plain, racy accesses, never hands out a wrong
 * name: whatever the interleaving, {@code of(path).numbered(n)} is {@code path/task-n} and
 * {@code of(path).given(name)} is {@code path/name}. This is what lets task threads of scopes with the same path
 * reuse one another's names without a lock.
 *
 * <p>The race: each run takes two fresh paths that share a table slot. Both actors ask for a name of the first
 * path at once, one of them a number that makes the entry's array grow while the other may be creating it, and
 * each then asks for a given name of the first path, the two names sharing a slot, and for a name of the
 * second path, which may take the path's slot over. The arbiter asks for all six again.
 *
 * <p>Run: {@code ./weft stress -m sanity -t TaskThreadNamesNeverHandsOutAWrongName}.
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = Expect.ACCEPTABLE, desc = "every name handed out, during the race and after, is right")
@Outcome(expect = Expect.FORBIDDEN, desc = "a name of the wrong path, number or given name was handed out")
@State
public class TaskThreadNamesNeverHandsOutAWrongName {

    private static final AtomicInteger RUNS = new AtomicInteger();

    private final String first;
    private final String second;
    private final String nameA = "vendorA";
    private final String nameB;

    public TaskThreadNamesNeverHandsOutAWrongName() {
        first = "run-" + RUNS.incrementAndGet();
        int slot = TaskThreadNames.slot(first);
        String candidate;
        int i = 0;
        do {
            candidate = first + "/other-" + i++;
        } while (TaskThreadNames.slot(candidate) != slot);
        second = candidate;
        int givenSlot = TaskThreadNames.givenSlot(nameA);
        i = 0;
        do {
            candidate = "name-" + i++;
        } while (TaskThreadNames.givenSlot(candidate) != givenSlot);
        nameB = candidate;
    }

    @Actor
    public void small(III_Result r) {
        r.r1 = right(first, 1) & right(first, nameA) & right(second, 2) ? 1 : 0;
    }

    @Actor
    public void growing(III_Result r) {
        r.r2 = right(first, 40) & right(first, nameB) & right(second, 1) ? 1 : 0;
    }

    @Arbiter
    public void check(III_Result r) {
        r.r3 = right(first, 1) & right(first, 40) & right(first, nameA) & right(first, nameB)
                & right(second, 1) & right(second, 2) ? 1 : 0;
    }

    private static boolean right(String path, int number) {
        return TaskThreadNames.of(path).numbered(number).equals(path + "/task-" + number);
    }

    private static boolean right(String path, String name) {
        return TaskThreadNames.of(path).given(name).equals(path + "/" + name);
    }
}
