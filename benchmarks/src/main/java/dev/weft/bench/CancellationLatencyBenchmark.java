package dev.weft.bench;

import dev.weft.scope.Join;
import dev.weft.scope.Scope;
import dev.weft.scope.ScopeFailedException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.TimeUnit;

/**
 * Cancellation latency: one task fails while 10,000 siblings are blocked; how long until {@code join()} has thrown
 * and {@code close()} has returned, that is, until every sibling was interrupted and its thread has ended.
 *
 * <p>Only the cancellation is measured. Before each invocation, outside the measured region
 * ({@code @Setup(Level.Invocation)}, run by the benchmark thread, which therefore owns the scope), the scope is
 * opened, 10,000 siblings are forked and each sleeps for an hour, and one more task is forked that waits on a
 * "go" latch and then throws. The setup returns only once all 10,001 tasks have started. The measured
 * operation opens the "go" latch, calls {@code join()} (which must throw) and {@code close()}. So the window starts
 * at the failure trigger: it includes one latch release and virtual-thread unpark before the failing task throws
 * (microseconds, the same in both variants), then the policy's reaction, the interruption of 10,000 threads, the
 * wake-up of the owner and the wait for every thread to end.
 *
 * <p>The siblings sleep rather than wait on one shared latch on purpose: 10,000 interrupted waiters of one
 * {@code CountDownLatch} each unlink themselves from its queue, which is quadratic and took about 1 s per
 * invocation in both variants, so the benchmark measured {@code AbstractQueuedSynchronizer}, not the scopes.
 *
 * <p>Mode.SampleTime, so the JMH output shows the distribution (p0.50, p0.99, ...) per variant, in ms.
 * <ul>
 *   <li>{@link #weft}: a Weft scope with {@code Join.allSuccessful()}; {@code join()} throws
 *       {@link ScopeFailedException}.</li>
 *   <li>{@link #rawScope}: the baseline, the JDK's {@code StructuredTaskScope.open()}, whose default joiner is
 *       {@code Joiner.awaitAllSuccessfulOrThrow()}; {@code join()} throws {@code FailedException}.</li>
 * </ul>
 *
 * <p>Goal: {@code weft} p50 and p99 within 10% of {@code rawScope}. Setup forks 10,000 threads per invocation,
 * so an iteration spends most of its wall time outside the measured region; that is expected.
 *
 * <p>How to run: {@code ./weft bench CancellationLatencyBenchmark} (or
 * {@code benchmarks/run-suite.sh CancellationLatency} for JSON results, which carry the percentiles).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-preview", "-Xms2g", "-Xmx2g"})
public class CancellationLatencyBenchmark {

    static final int SIBLINGS = 10_000;

    /** Thrown by the failing task; shared, without stack trace or suppression, so building it is not measured. */
    static final class PlannedFailure extends RuntimeException {
        PlannedFailure() {
            super("planned failure", null, false, false);
        }
    }

    private static final PlannedFailure FAILURE = new PlannedFailure();

    /** Far longer than any run: a sibling only ever ends by interruption. */
    private static final Duration SIBLING_SLEEP = Duration.ofHours(1);

    /** The latches of one invocation and the tasks that use them. */
    static final class Latches {
        final CountDownLatch started = new CountDownLatch(SIBLINGS + 1);
        final CountDownLatch go = new CountDownLatch(1);

        final Callable<Object> sibling = () -> {
            started.countDown();
            Thread.sleep(SIBLING_SLEEP); // interrupted by the cancellation
            throw new AssertionError("a sibling slept for an hour without being cancelled");
        };

        final Callable<Object> failing = () -> {
            started.countDown();
            go.await();
            throw FAILURE;
        };
    }

    /** A Weft scope with 10,000 blocked siblings and one task about to fail, opened by the benchmark thread. */
    @State(org.openjdk.jmh.annotations.Scope.Thread)
    public static class WeftArmed {
        Latches latches;
        Scope<Object, List<Object>> scope;

        @Setup(Level.Invocation)
        public void arm() throws InterruptedException {
            latches = new Latches();
            scope = Scope.named("cancel").open(Join.allSuccessful());
            for (int i = 0; i < SIBLINGS; i++) {
                scope.fork(latches.sibling);
            }
            scope.fork(latches.failing);
            latches.started.await();
        }

        @TearDown(Level.Invocation)
        public void disarm() {
            if (!scope.isClosed()) {     // only when the benchmark method failed
                scope.cancel("benchmark teardown");
                scope.close();
            }
        }
    }

    /** A JDK scope with 10,000 blocked siblings and one task about to fail, opened by the benchmark thread. */
    @State(org.openjdk.jmh.annotations.Scope.Thread)
    public static class RawArmed {
        Latches latches;
        StructuredTaskScope<Object, Void> scope;
        boolean closed;

        @Setup(Level.Invocation)
        public void arm() throws InterruptedException {
            latches = new Latches();
            closed = false;
            scope = StructuredTaskScope.open();
            for (int i = 0; i < SIBLINGS; i++) {
                scope.fork(latches.sibling);
            }
            scope.fork(latches.failing);
            latches.started.await();
        }

        @TearDown(Level.Invocation)
        public void disarm() {
            if (!closed) {               // only when the benchmark method failed
                latches.go.countDown();
                scope.close();       // the failing task cancels the sleeping siblings
            }
        }
    }

    @Benchmark
    public Object weft(WeftArmed armed) throws InterruptedException {
        Scope<Object, List<Object>> scope = armed.scope;
        armed.latches.go.countDown();
        try (scope) {
            scope.join();
        } catch (ScopeFailedException expected) {
            return expected;
        }
        throw new AssertionError("join() returned although a task failed");
    }

    @Benchmark
    public Object rawScope(RawArmed armed) throws InterruptedException {
        StructuredTaskScope<Object, Void> scope = armed.scope;
        armed.latches.go.countDown();
        try (scope) {
            scope.join();
        } catch (StructuredTaskScope.FailedException expected) {
            return expected;
        } finally {
            armed.closed = true;
        }
        throw new AssertionError("join() returned although a task failed");
    }
}
