package dev.weft.bench;

import dev.weft.scope.Scope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Fan-out of {@code n} trivial tasks, forked and joined by a platform thread (JMH's benchmark thread): the fixed
 * cost a Weft scope adds per task and per scope when the owner is not a virtual thread, up to 100,000 tasks. The
 * secondary measure; servers own their scopes on virtual threads, which {@link RequestScopeBenchmark} measures.
 *
 * <p>One operation is one whole fan-out: open, fork {@code n} tasks that each return a number, join, read every
 * value, close. Throughput mode, so higher is better.
 * <ul>
 *   <li>{@link #weft}: a Weft scope with {@code Join.allSuccessful()}; {@code join()} returns the values.</li>
 *   <li>{@link #rawScope}: the baseline, the JDK's {@code StructuredTaskScope.open()} (await all successful),
 *       fork, join, then {@code Subtask.get()} on each. Weft runs its tasks on such a scope, so this is the floor.</li>
 *   <li>{@link #rawScopeNamedBound}: the same raw scope plus the two per-task costs that back Weft's documented
 *       guarantees: each thread named {@code fanout/task-N} by the task itself as it starts (the thread is created
 *       with the scope's name; the task's name is built per task), and each task's body run inside a
 *       {@code ScopedValue} binding of a per-task object (what {@code CurrentTask} reads). Not a Weft variant:
 *       the ceiling for any scope that keeps those two.</li>
 *   <li>{@link #virtualExecutor}: {@code Executors.newVirtualThreadPerTaskExecutor()} in try-with-resources,
 *       submit, {@code Future.get()} on each: what a user writes without structured concurrency.</li>
 *   <li>{@link #completableFuture}: {@code supplyAsync} on the common pool and {@code allOf(..).join()}: no
 *       thread per task at all, so expect it to win at small {@code n} on few cores.</li>
 * </ul>
 *
 * <p>Goal (issue 21, secondary): {@code weft} at least 0.9x {@code rawScope} throughput at every {@code n}, judged
 * by the median of paired rounds ({@code benchmarks/run-scope-goals.sh}, see docs/performance.md).
 *
 * <p>How to run (from the repository root):
 * <pre>
 *   ./weft bench '\.FanOutBenchmark'                      # the defaults below
 *   ./weft bench '\.FanOutBenchmark' -p n=1000 -prof gc   # one size, with allocation rates
 *   benchmarks/run-suite.sh '\.FanOutBenchmark'           # with JSON results under benchmarks/results/
 * </pre>
 * (JMH selects by regex search: a bare {@code FanOutBenchmark} also selects {@code BlockingFanOutBenchmark}.)
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 3, jvmArgsAppend = {"--enable-preview", "-Xms2g", "-Xmx2g"})
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class FanOutBenchmark {

    /*
     * Implementation notes: every method returns the sum of the task values, which depends on every task having
     * run and been read, and JMH consumes the return value, so nothing can be eliminated. The task is one shared
     * non-capturing lambda so that no variant pays for an allocation the others do not.
     */

    private static final Callable<Integer> TASK = () -> 1;
    private static final Supplier<Integer> SUPPLIER = () -> 1;
    @Param({"10", "1000", "100000"})
    public int n;

    @Benchmark
    public long weft() throws InterruptedException {
        return FanOuts.weft(Scope.named("fanout"), n, TASK);
    }

    @Benchmark
    public long rawScope() throws InterruptedException {
        return FanOuts.rawScope(n, TASK, FanOuts.BeforeFork.NOTHING);
    }

    @Benchmark
    public long rawScopeNamedBound() throws InterruptedException {
        return FanOuts.rawScopeNamedBound("fanout", n, TASK, Function.identity());
    }

    @Benchmark
    @SuppressWarnings("unchecked")
    public long virtualExecutor() throws InterruptedException, ExecutionException {
        Future<Integer>[] futures = new Future[n];
        long sum = 0;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                futures[i] = executor.submit(TASK);
            }
            for (Future<Integer> f : futures) {
                sum += f.get();
            }
        }
        return sum;
    }

    @Benchmark
    @SuppressWarnings("unchecked")
    public long completableFuture() {
        CompletableFuture<Integer>[] futures = new CompletableFuture[n];
        for (int i = 0; i < n; i++) {
            futures[i] = CompletableFuture.supplyAsync(SUPPLIER);
        }
        CompletableFuture.allOf(futures).join();
        long sum = 0;
        for (CompletableFuture<Integer> f : futures) {
            sum += f.join();
        }
        return sum;
    }
}
