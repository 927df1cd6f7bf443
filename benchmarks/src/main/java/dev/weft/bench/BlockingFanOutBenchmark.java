package dev.weft.bench;

import dev.weft.scope.Scope;
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

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Fan-out of 10,000 tasks that each block for 1 ms ({@code Thread.sleep(1)}): the case virtual threads exist for.
 *
 * <p>One operation forks the 10,000 tasks, waits for all of them and reads their values; AverageTime, ms/op, so
 * lower is better. With enough threads the ideal is a little over 1 ms plus the cost of starting 10,000 threads.
 * <ul>
 *   <li>{@link #weft}: a Weft scope, {@code Join.allSuccessful()}, no cap.</li>
 *   <li>{@link #rawScope}: the JDK's {@code StructuredTaskScope.open()}, the floor for any scope on virtual
 *       threads.</li>
 *   <li>{@link #fixedPool64}: the pre-Loom answer, a fixed pool of 64 platform threads, created once per trial
 *       (not measured) and shut down after it; about 10,000 / 64 = 157 rounds of 1 ms sleeps, so expect 160+ ms.</li>
 * </ul>
 *
 * <p>Goal: {@code weft} within 5% of {@code rawScope}; both far below {@code fixedPool64}. The timer resolution of
 * {@code Thread.sleep(1)} on the host shows up in every variant alike.
 *
 * <p>How to run: {@code ./weft bench BlockingFanOutBenchmark} (or {@code benchmarks/run-suite.sh BlockingFanOut}
 * for JSON results).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"--enable-preview", "-Xms2g", "-Xmx2g"})
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class BlockingFanOutBenchmark {

    /*
     * Implementation notes: every method returns the sum of the task values (10,000), consumed by JMH. The pool
     * lives across invocations, as a pool would in an application; its start-up is not measured.
     */

    static final int TASKS = 10_000;
    private static final Callable<Integer> SLEEPER = () -> {
        Thread.sleep(1);
        return 1;
    };

    private ExecutorService pool;

    @Setup(Level.Trial)
    public void startPool() {
        pool = Executors.newFixedThreadPool(64);
    }

    @TearDown(Level.Trial)
    public void stopPool() throws InterruptedException {
        pool.shutdownNow();
        if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("fixed pool did not terminate");
        }
    }

    @Benchmark
    public long weft() throws InterruptedException {
        return FanOuts.weft(Scope.named("blocking"), TASKS, SLEEPER);
    }

    @Benchmark
    public long rawScope() throws InterruptedException {
        return FanOuts.rawScope(TASKS, SLEEPER, FanOuts.BeforeFork.NOTHING);
    }

    @Benchmark
    @SuppressWarnings("unchecked")
    public long fixedPool64() throws InterruptedException, ExecutionException {
        Future<Integer>[] futures = new Future[TASKS];
        for (int i = 0; i < TASKS; i++) {
            futures[i] = pool.submit(SLEEPER);
        }
        long sum = 0;
        for (Future<Integer> f : futures) {
            sum += f.get();
        }
        return sum;
    }
}
