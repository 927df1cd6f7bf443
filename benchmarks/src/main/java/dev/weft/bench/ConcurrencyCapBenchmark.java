package dev.weft.bench;

import dev.weft.scope.Scope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * 100,000 trivial tasks under a concurrency cap of 64: what Weft's built-in cap costs against the usual hand-made
 * one.
 *
 * <p>One operation forks the 100,000 tasks with at most 64 running at once, joins, and reads every value.
 * AverageTime, ms/op, lower is better.
 * <ul>
 *   <li>{@link #weft}: {@code Scope.named(..).maxConcurrency(64)}; a fork beyond the cap waits for a free slot
 *       before any thread is created.</li>
 *   <li>{@link #semaphoreRawScope}: the baseline, a {@code Semaphore(64)} gating forks into a raw JDK
 *       {@code StructuredTaskScope}: the owner acquires a permit before each fork, the task releases it in
 *       {@code finally}. Same guarantee (no thread is created beyond the cap), written by hand.</li>
 * </ul>
 *
 * <p>Goal: {@code weft} within 10% of {@code semaphoreRawScope}.
 *
 * <p>How to run: {@code ./weft bench ConcurrencyCapBenchmark} (or {@code benchmarks/run-suite.sh ConcurrencyCap}
 * for JSON results).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"--enable-preview", "-Xms2g", "-Xmx2g"})
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class ConcurrencyCapBenchmark {

    /*
     * Implementation notes: every method returns the sum of the task values (100,000), consumed by JMH. The
     * semaphore is made per operation, as the scope is, so neither variant carries state between operations.
     */

    static final int TASKS = 100_000;
    static final int CAP = 64;
    private static final Callable<Integer> TASK = () -> 1;

    @Benchmark
    public long weft() throws InterruptedException {
        return FanOuts.weft(Scope.named("capped").maxConcurrency(CAP), TASKS, TASK);
    }

    @Benchmark
    public long semaphoreRawScope() throws InterruptedException {
        return FanOuts.semaphoreRawScope(TASKS, CAP, TASK);
    }
}
