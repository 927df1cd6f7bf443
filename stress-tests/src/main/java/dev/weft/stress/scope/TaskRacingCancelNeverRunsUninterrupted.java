package dev.weft.stress.scope;

import dev.weft.scope.Join;
import dev.weft.scope.Scope;
import dev.weft.scope.ScopeCancelledException;
import dev.weft.scope.Task;
import dev.weft.scope.TaskState;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A task whose scope is cancelled while it is being forked and started either never runs its body or is
 * interrupted while its body runs: cancellation never leaves a task body running unaware of it (docs/scopes.md:
 * "queued tasks never start, running tasks are interrupted").
 *
 * <p>The race: the owner actor opens a scope, forks one task whose body waits for an interrupt, and publishes the
 * scope; the second actor cancels the scope as soon as it sees it, so the cancel lands anywhere from the task's
 * thread being started to its body running. The owner joins only once the cancel has returned and the task has
 * ended by itself: join settles the tasks that have not started, and cancels the JDK scope underneath, which
 * interrupts every thread still running; either would decide the race in the task's place, while the promise is
 * that the cancel itself interrupts a running task, whenever its owner joins. Inside Weft the race is a task
 * thread publishing itself and then reading the stop reason, against the canceller writing the reason and then
 * reading the thread to interrupt. If neither saw the other, the body would wait out its bound ({@link
 * #UNINTERRUPTED_BOUND_SECONDS}, far longer than an interrupt takes to arrive) and report that it was not
 * interrupted. With the task's own check of the stop reason taken out, half the samples of a sanity run reported
 * it.
 *
 * <p>Run: {@code ./weft stress -m sanity -t TaskRacingCancelNeverRunsUninterrupted} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = "not run, CANCELLED", expect = Expect.ACCEPTABLE, desc = "the cancel came first: the body never ran")
@Outcome(id = "interrupted, CANCELLED", expect = Expect.ACCEPTABLE, desc = "the body ran and the cancel interrupted it")
@Outcome(expect = Expect.FORBIDDEN, desc = "the body ran without being interrupted, or join or the task disagree with the cancel")
@State
public class TaskRacingCancelNeverRunsUninterrupted {

    /** How long the body waits for its interrupt before it reports that none came. */
    static final long UNINTERRUPTED_BOUND_SECONDS = 5;

    private volatile Scope<Integer, ?> scope;
    /** Set by the owner if it failed before publishing the scope, so that the canceller stops waiting for it. */
    private volatile boolean ownerFailed;
    /** What the body saw; written by the task thread, read by the owner after join. */
    private volatile String body = "not run";
    private final CountDownLatch cancelled = new CountDownLatch(1);

    @Actor
    public void owner(LL_Result r) {
        try (var s = Scope.named("race").open(Join.<Integer>allSuccessful())) {
            Task<Integer> task = s.fork("t", () -> {
                try {
                    if (!new CountDownLatch(1).await(UNINTERRUPTED_BOUND_SECONDS, TimeUnit.SECONDS)) {
                        body = "not interrupted";
                    }
                } catch (InterruptedException e) {
                    body = "interrupted";
                    throw e;
                }
                return 1;
            });
            scope = s; // after the fork: the cancel races with the task's thread starting, not with the fork
            try {
                if (!cancelled.await(30, TimeUnit.SECONDS)) {
                    r.r2 = "the cancel never came";
                    return;
                }
                while (task.state() == TaskState.QUEUED || task.state() == TaskState.RUNNING) {
                    Thread.onSpinWait(); // ends by itself: the body returns within its bound either way
                }
                s.join();
                r.r2 = "join returned";
            } catch (ScopeCancelledException e) {
                r.r2 = task.state().name();
            } catch (InterruptedException e) {
                r.r2 = "owner interrupted";
            }
        } catch (RuntimeException | Error e) {
            ownerFailed = true;
            r.r2 = "owner threw " + e; // not an allowed outcome: surfaces as FORBIDDEN with the exception
        }
        r.r1 = body; // after close: every task thread has ended, and its write to body happened before
    }

    /** Cancels the scope as soon as the owner has published it. */
    @Actor
    public void canceller() {
        Scope<Integer, ?> s;
        while ((s = scope) == null && !ownerFailed) {
            Thread.onSpinWait();
        }
        if (s != null) {
            s.cancel("stress canceller");
        }
        cancelled.countDown();
    }
}
