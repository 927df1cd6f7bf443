package dev.weft.stress.scope;

import dev.weft.scope.Join;
import dev.weft.scope.Scope;
import dev.weft.scope.Task;
import dev.weft.scope.TaskState;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.util.concurrent.CountDownLatch;

/**
 * Join returns only after every task of the scope has exited, the tasks forked by tasks included, and it
 * returns once they have.
 *
 * <p>The race is inside the scope: the owner forks two tasks and joins at once. The second task returns; the
 * first waits until the second's body has run, then forks a third task and returns. The owner's join waits on
 * the scope's condition (RunControl) until nothing is unfinished and nothing is queued; the exits and the late
 * fork race with its check and its registration as a waiter. A join that stopped waiting while the first task
 * still ran (a miscount) would never start the third task: it would stay queued. A lost wake-up would leave
 * the owner parked for ever, which jcstress reports as a hang. Reported: whether the third task's body ran, how
 * many tasks the join settled, and how many of them had a terminal state when join returned.
 *
 * <p>Run: {@code ./weft stress -m sanity -t JoinReturnsOnlyAfterEveryTaskExits} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = "1, 3, 3", expect = Expect.ACCEPTABLE, desc = "join returned after all three tasks ended")
@Outcome(expect = Expect.FORBIDDEN, desc = "join returned before a task ended, or before the task forked by a task ran")
@State
public class JoinReturnsOnlyAfterEveryTaskExits {

    /** Written by the third task's body; read by the owner after join (plain: join must order them). */
    private int forkedTaskRan;
    /** Opened by the second task's body; the first task waits for it before it forks the third. */
    private final CountDownLatch secondTaskRan = new CountDownLatch(1);

    @Actor
    public void owner(III_Result r) {
        try (Scope<Integer, ?> s = Scope.named("join").open(Join.<Integer>allSettled())) {
            s.fork(() -> {
                secondTaskRan.await();
                s.fork(() -> {
                    forkedTaskRan = 1;
                    return 3;
                });
                return 1;
            });
            s.fork(() -> {
                secondTaskRan.countDown();
                return 2;
            });
            var outcomes = (java.util.List<?>) s.join();
            r.r1 = forkedTaskRan;
            r.r2 = outcomes.size();
            int terminal = 0;
            for (Task<Integer> t : s.tasks()) {
                TaskState state = t.state();
                if (state != TaskState.QUEUED && state != TaskState.RUNNING) {
                    terminal++;
                }
            }
            r.r3 = terminal;
        } catch (InterruptedException e) {
            r.r1 = -1;
        } catch (RuntimeException e) {
            r.r1 = -2; // the policy found a task that had not ended: join returned too early
        }
    }
}
