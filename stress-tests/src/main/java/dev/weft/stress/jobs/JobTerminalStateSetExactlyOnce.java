package dev.weft.stress.jobs;

import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.NoSuchJobException;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;

import java.time.Duration;

/**
 * A job reaches exactly one terminal state under a race of its start, its completion and its cancellation, and
 * {@code cancel} returns {@code true} exactly when it is the cause of a CANCELLED end.
 *
 * <p>The race: one actor submits a job whose body returns at once (its runner thread starts it and ends it
 * SUCCEEDED); the other cancels job "1" (the id the runtime gives its first job), which may come before the
 * submit (no such job), while it is queued, while its attempt is starting, while the body runs, or after it
 * ended. The arbiter awaits the job, records its final state, then closes the runtime (which joins every thread
 * of it, so nothing outlives the iteration) and checks the state did not change.
 *
 * <p>Run: {@code ./weft stress -m sanity -t JobTerminalStateSetExactlyOnce} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = "true, CANCELLED", expect = Expect.ACCEPTABLE, desc = "the cancel came first (queued, starting or running) and the job ended CANCELLED")
@Outcome(id = "false, SUCCEEDED", expect = Expect.ACCEPTABLE, desc = "the job had already succeeded when the cancel came")
@Outcome(id = "no such job, SUCCEEDED", expect = Expect.ACCEPTABLE, desc = "the cancel came before the submit")
@Outcome(id = "false, CANCELLED", expect = Expect.FORBIDDEN, desc = "the job ended CANCELLED by this cancel, which denied it")
@Outcome(id = "true, SUCCEEDED", expect = Expect.FORBIDDEN, desc = "cancel claimed the job, which still succeeded")
@Outcome(expect = Expect.FORBIDDEN, desc = "another end (FAILED, TIMED_OUT), a state that changed after the end, or an error")
@State
public class JobTerminalStateSetExactlyOnce {

    private final JobRuntime runtime = JobRuntime.builder().name("stress").shutdownGrace(Duration.ZERO).build();
    private volatile JobHandle<Integer> handle;

    @Actor
    public void submitter() {
        handle = runtime.submit("quick", ctx -> 1);
    }

    @Actor
    public void canceller(LL_Result r) {
        try {
            r.r1 = String.valueOf(runtime.cancel("1", "stress"));
        } catch (NoSuchJobException e) {
            r.r1 = "no such job";
        }
    }

    @Arbiter
    public void arbiter(LL_Result r) {
        try {
            JobHandle<Integer> h = handle;
            if (!h.awaitCompletion(Duration.ofSeconds(30))) {
                r.r2 = "not finished";
                return;
            }
            String state = h.record().state().name();
            runtime.close();
            String after = h.record().state().name();
            r.r2 = state.equals(after) ? state : state + "->" + after;
        } catch (InterruptedException e) {
            r.r2 = "interrupted";
        } finally {
            runtime.close();
        }
    }
}
