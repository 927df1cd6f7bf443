package dev.weft.bench;

import dev.weft.scope.Scope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Configuration;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.StructuredTaskScope.Subtask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Request scopes as a server runs them: the scope's owner is a request handler on a virtual thread, it forks a few
 * tasks, usually under a deadline, and several requests run at once. This is the benchmark Weft's scope goal is
 * judged by; {@link FanOutBenchmark} (a platform-thread owner, up to 100,000 tasks) is the secondary measure.
 *
 * <p>One operation runs {@value #SCOPES} request scopes, spread evenly over {@code requests} handler threads
 * (virtual threads started for the operation; each runs its share of scopes one after the other), and waits for
 * every handler. Each scope forks {@code tasks} tasks, joins them and sums their values. The score is per request
 * scope ({@code @OperationsPerInvocation}): wall-clock time for the {@value #SCOPES} scopes divided by
 * {@value #SCOPES}, in microseconds, so lower is better and, with 4 handlers, it is the inverse of scopes/us.
 *
 * <p>Parameters:
 * <ul>
 *   <li>{@code tasks}: 3 or 10 tasks per scope;</li>
 *   <li>{@code work}: {@code trivial} (the task returns 1) or {@code sleep100us} (the task sleeps 100 us, a short
 *       blocking call such as a cache or database round trip on loopback, then returns 1);</li>
 *   <li>{@code deadline}: {@code none}, or {@code 5s}, a deadline that never fires but must be armed and
 *       disarmed for every scope;</li>
 *   <li>{@code requests}: 1 or 4 handlers at once.</li>
 * </ul>
 *
 * <p>Variants, each with the same handlers and tasks:
 * <ul>
 *   <li>{@link #weft}: {@code Scope.named("request")} (with {@code .deadline(5 s)} for the deadline variants),
 *       {@code Join.allSuccessful()}, fork, {@code join()} returns the values.</li>
 *   <li>{@link #rawScope} (the baseline): the JDK's
 *       {@code StructuredTaskScope.open(Joiner.awaitAllSuccessfulOrThrow())} (with {@code withTimeout(5 s)} for
 *       the deadline variants), fork, join, {@code Subtask.get()} on each. Weft runs its tasks in such a scope,
 *       so this is the floor.</li>
 *   <li>{@link #rawScopeNamedBound}: {@link #rawScope} plus the two per-task costs behind Weft's documented
 *       guarantees: each thread renamed to {@code request/task-N} by its task as it starts, and each body run in
 *       a {@code ScopedValue} binding of its task (what {@code CurrentTask} reads). Not a Weft variant and not in
 *       the goal: it says how much of the gap to {@code rawScope} those guarantees alone account for.</li>
 *   <li>{@link #virtualExecutor}: {@code Executors.newVirtualThreadPerTaskExecutor()} per request in
 *       try-with-resources, submit, {@code Future.get()} on each (with the time left to the deadline for the
 *       deadline variants): what a handler does without structured concurrency.</li>
 * </ul>
 *
 * <p>Goal (issue 21): {@code weft} at least 0.95x {@code rawScope} in every variant, judged by the median of paired
 * rounds ({@code benchmarks/run-scope-goals.sh}, see docs/performance.md).
 *
 * <p>Only Weft's public API ({@code dev.weft.scope}) is used, so the benchmark measures any build of the core.
 *
 * <p>How to run (from the repository root):
 * <pre>
 *   ./weft bench '\.RequestScopeBenchmark'                                  # every variant, the defaults below
 *   ./weft bench '\.RequestScopeBenchmark\.(weft|rawScope)$' -p deadline=5s # Weft and its baseline, deadlines only
 *   benchmarks/run-scope-goals.sh --name NAME                               # the goals' paired rounds
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@OperationsPerInvocation(RequestScopeBenchmark.SCOPES)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-preview", "-Xms2g", "-Xmx2g"})
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class RequestScopeBenchmark {

    /*
     * Implementation notes: a handler is a virtual thread started with Thread.startVirtualThread and joined by the
     * benchmark thread, the same for every variant; starting 1 or 4 of them is shared by 64 scopes. Each handler
     * writes its sum and any failure to its own slot of two arrays, which the benchmark thread reads after join()
     * (Thread.join orders the writes before the reads). The operation checks that the sum is SCOPES * tasks, so
     * a variant that loses a task fails the run instead of timing less work; JMH consumes the sum.
     */

    /** Request scopes per operation, spread over the handlers. */
    static final int SCOPES = 64;
    private static final Duration DEADLINE = Duration.ofSeconds(5);
    private static final Duration BLOCK = Duration.ofNanos(100_000);

    private static final Callable<Integer> TRIVIAL = () -> 1;
    private static final Callable<Integer> SLEEP_100_US = () -> {
        Thread.sleep(BLOCK);
        return 1;
    };
    private static final Function<Configuration, Configuration> NO_TIMEOUT = Function.identity();
    private static final Function<Configuration, Configuration> TIMEOUT = config -> config.withTimeout(DEADLINE);

    @Param({"3", "10"})
    public int tasks;

    @Param({"trivial", "sleep100us"})
    public String work;

    @Param({"none", "5s"})
    public String deadline;

    @Param({"1", "4"})
    public int requests;

    private Callable<Integer> task;
    private boolean withDeadline;

    @Setup
    public void setUp() {
        task = switch (work) {
            case "trivial" -> TRIVIAL;
            case "sleep100us" -> SLEEP_100_US;
            default -> throw new IllegalArgumentException("work must be trivial or sleep100us, was " + work);
        };
        withDeadline = switch (deadline) {
            case "none" -> false;
            case "5s" -> true;
            default -> throw new IllegalArgumentException("deadline must be none or 5s, was " + deadline);
        };
        if (requests < 1 || SCOPES % requests != 0) {
            throw new IllegalArgumentException("requests must divide " + SCOPES + ", was " + requests);
        }
    }

    @Benchmark
    public long weft() throws Exception {
        return serve(this::weftRequest);
    }

    @Benchmark
    public long rawScope() throws Exception {
        return serve(this::rawScopeRequest);
    }

    @Benchmark
    public long rawScopeNamedBound() throws Exception {
        return serve(this::rawScopeNamedBoundRequest);
    }

    @Benchmark
    public long virtualExecutor() throws Exception {
        return serve(this::executorRequest);
    }

    /** One request's scope in Weft. */
    private long weftRequest() throws InterruptedException {
        Scope.Builder builder = Scope.named("request");
        if (withDeadline) {
            builder.deadline(DEADLINE);
        }
        return FanOuts.weft(builder, tasks, task);
    }

    /** One request's scope in the JDK's StructuredTaskScope. */
    @SuppressWarnings("unchecked")
    private long rawScopeRequest() throws InterruptedException {
        Subtask<Integer>[] subtasks = new Subtask[tasks];
        try (var scope = StructuredTaskScope.open(Joiner.<Integer>awaitAllSuccessfulOrThrow(),
                withDeadline ? TIMEOUT : NO_TIMEOUT)) {
            for (int i = 0; i < tasks; i++) {
                subtasks[i] = scope.fork(task);
            }
            scope.join();
        }
        long sum = 0;
        for (Subtask<Integer> s : subtasks) {
            sum += s.get();
        }
        return sum;
    }

    /** {@link #rawScopeRequest} with tasks that name their threads and bind themselves, as Weft's tasks do. */
    private long rawScopeNamedBoundRequest() throws InterruptedException {
        return FanOuts.rawScopeNamedBound("request", tasks, task, withDeadline ? TIMEOUT : NO_TIMEOUT);
    }

    /** One request's tasks on a virtual-thread-per-task executor, waiting at most until the deadline. */
    @SuppressWarnings("unchecked")
    private long executorRequest() throws InterruptedException, ExecutionException, TimeoutException {
        Future<Integer>[] futures = new Future[tasks];
        long sum = 0;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            long end = withDeadline ? System.nanoTime() + DEADLINE.toNanos() : 0;
            for (int i = 0; i < tasks; i++) {
                futures[i] = executor.submit(task);
            }
            for (Future<Integer> f : futures) {
                sum += withDeadline ? f.get(end - System.nanoTime(), TimeUnit.NANOSECONDS) : f.get();
            }
        }
        return sum;
    }

    /** What one request does; throws what its scope throws. */
    @FunctionalInterface
    private interface Request {
        long handle() throws Exception;
    }

    /** Runs {@link #SCOPES} requests over {@link #requests} virtual-thread handlers and returns the sum of values. */
    private long serve(Request request) throws Exception {
        int perHandler = SCOPES / requests;
        Thread[] handlers = new Thread[requests];
        long[] sums = new long[requests];
        Throwable[] failures = new Throwable[requests];
        for (int h = 0; h < requests; h++) {
            int slot = h;
            handlers[h] = Thread.startVirtualThread(() -> {
                try {
                    long sum = 0;
                    for (int i = 0; i < perHandler; i++) {
                        sum += request.handle();
                    }
                    sums[slot] = sum;
                } catch (Throwable t) {
                    failures[slot] = t;
                }
            });
        }
        long total = 0;
        for (int h = 0; h < requests; h++) {
            handlers[h].join();
            if (failures[h] != null) {
                throw new IllegalStateException("request handler " + h + " failed", failures[h]);
            }
            total += sums[h];
        }
        if (total != (long) SCOPES * tasks) {
            throw new IllegalStateException("expected " + SCOPES * tasks + " task values, summed " + total);
        }
        return total;
    }
}
