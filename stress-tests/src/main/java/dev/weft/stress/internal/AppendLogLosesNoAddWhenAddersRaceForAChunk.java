package dev.weft.stress.internal;

import dev.weft.internal.AppendLog;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.util.List;

/**
 * Two threads that add to an {@link AppendLog} at once, both needing a chunk that does not exist yet, lose
 * neither add: each element ends in the slot its claim fixed, and each claim draws its own number. This is
 * what keeps a scope's task list complete and in fork order when a task forks while the owner forks.
 *
 * <p>The race: the log starts with its first chunk (16 slots) full, so both actors' slots (16 and 17) fall in
 * chunk 1, which both try to create and install. The arbiter checks the size, the slot of each element, and
 * the two drawn numbers.
 *
 * <p>Run: {@code ./weft stress -m sanity -t AppendLogLosesNoAddWhenAddersRaceForAChunk}.
 */
@JCStressTest
@Outcome(id = "18, 1, 1", expect = Expect.ACCEPTABLE, desc = "both adds kept, each in its claimed slot, distinct numbers")
@Outcome(expect = Expect.FORBIDDEN, desc = "an add was lost or misplaced, or two claims drew the same number")
@State
public class AppendLogLosesNoAddWhenAddersRaceForAChunk {

    private static final int PREFILLED = 16;

    private final AppendLog<String> log = new AppendLog<>();
    private long claimA;
    private long claimB;

    public AppendLogLosesNoAddWhenAddersRaceForAChunk() {
        for (int i = 0; i < PREFILLED; i++) {
            long claim = log.claim(true);
            log.set(AppendLog.indexOf(claim), "p" + i);
        }
    }

    @Actor
    public void adderA() {
        claimA = log.claim(true);
        log.set(AppendLog.indexOf(claimA), "a");
    }

    @Actor
    public void adderB() {
        claimB = log.claim(true);
        log.set(AppendLog.indexOf(claimB), "b");
    }

    @Arbiter
    public void check(III_Result r) {
        List<String> all = log.snapshot();
        r.r1 = all.size();
        int a = AppendLog.indexOf(claimA);
        int b = AppendLog.indexOf(claimB);
        boolean placed = all.size() == PREFILLED + 2 && a != b && all.get(a).equals("a") && all.get(b).equals("b");
        r.r2 = placed ? 1 : 0;
        int na = AppendLog.numberOf(claimA);
        int nb = AppendLog.numberOf(claimB);
        r.r3 = na != nb && na >= PREFILLED && nb >= PREFILLED && na + nb == 2 * PREFILLED + 1 ? 1 : 0;
    }
}
