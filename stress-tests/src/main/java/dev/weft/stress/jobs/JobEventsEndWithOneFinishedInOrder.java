package dev.weft.stress.jobs;

import dev.weft.jobs.JobEvent;
import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLL_Result;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;

/**
 * A job's events arrive in order, with increasing sequence numbers, and end with exactly one FINISHED, which
 * agrees with the job's final state, when a cancel races with the job being started (docs/jobs.md, "Events").
 *
 * <p>The race: a runtime with {@code maxRunning(1)} runs a job held by a latch, with a second job queued behind
 * it. One actor cancels the queued job; the other releases the first, so the runtime starts the queued job in its
 * place. The cancel may end the job while it is queued (the cancelling thread emits FINISHED), while it runs
 * (its runner does), or find it ended. A listener, called on its subscription's own thread, keeps the queued
 * job's events in the order they arrive. The arbiter waits for the job, closes the runtime (which returns only
 * once every event has been delivered) and reports the event types (PROGRESS samples left out), the
 * job's final state, and whether the sequence numbers rose and FINISHED came once, last, with that state. Two
 * guards each keep a second FINISHED out on their own: the queued job's cancel is a compare-and-set against its
 * start, and the runtime emits nothing after a job's FINISHED. With both taken out, 20 of 112 samples of a sanity
 * run showed {@code SUBMITTED STARTED FINISHED FINISHED}.
 *
 * <p>Run: {@code ./weft stress -m sanity -t JobEventsEndWithOneFinishedInOrder} (or {@code -m quick} to hunt).
 */
@JCStressTest
@Outcome(id = "SUBMITTED FINISHED, CANCELLED, in order", expect = Expect.ACCEPTABLE, desc = "cancelled while queued")
@Outcome(id = "SUBMITTED STARTED FINISHED, CANCELLED, in order", expect = Expect.ACCEPTABLE, desc = "cancelled while running")
@Outcome(id = "SUBMITTED STARTED FINISHED, SUCCEEDED, in order", expect = Expect.ACCEPTABLE, desc = "the job ended before the cancel")
@Outcome(expect = Expect.FORBIDDEN, desc = "events out of order, a missing, repeated or not-last FINISHED, or one that disagrees with the job")
@State
public class JobEventsEndWithOneFinishedInOrder {

    private final JobRuntime runtime = JobRuntime.builder().name("stress").maxRunning(1)
            .shutdownGrace(Duration.ZERO).build();
    /** The queued job's events in arrival order; appended by the subscription's delivery thread. */
    private final List<JobEvent> events = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final JobHandle<Integer> first;
    private final JobHandle<Integer> queued;

    public JobEventsEndWithOneFinishedInOrder() {
        runtime.subscribe(event -> {
            if (event.job().name().equals("queued")) {
                synchronized (events) {
                    events.add(event);
                }
            }
        });
        first = runtime.submit(JobSpec.named("first").body(ctx -> {
            release.await();
            return 0;
        }));
        queued = runtime.submit(JobSpec.named("queued").body(ctx -> 1));
    }

    @Actor
    public void cancelQueued() {
        queued.cancel("user");
    }

    @Actor
    public void releaseFirst() {
        release.countDown();
    }

    @Arbiter
    public void arbiter(LLL_Result r) {
        try {
            if (!queued.awaitCompletion(Duration.ofSeconds(30)) || !first.awaitCompletion(Duration.ofSeconds(30))) {
                r.r3 = "a job never finished";
                return;
            }
        } catch (InterruptedException e) {
            r.r3 = "arbiter interrupted";
            return;
        } finally {
            runtime.close(); // every event has been delivered once close returns: no thread of the runtime runs
        }
        List<JobEvent> seen;
        synchronized (events) {
            seen = List.copyOf(events);
        }
        StringJoiner types = new StringJoiner(" ");
        long lastSequence = Long.MIN_VALUE;
        int finished = 0;
        boolean inOrder = true;
        for (JobEvent e : seen) {
            inOrder &= e.sequence() > lastSequence && finished == 0; // rising, and nothing after FINISHED
            lastSequence = e.sequence();
            if (e.type() == JobEvent.Type.FINISHED) {
                finished++;
                inOrder &= e.job().state() == queued.record().state();
            }
            if (e.type() != JobEvent.Type.PROGRESS) {
                types.add(e.type().name());
            }
        }
        r.r1 = types.toString();
        r.r2 = queued.record().state().name();
        r.r3 = inOrder && finished == 1 ? "in order" : "out of order (" + finished + " FINISHED)";
    }
}
