package dev.weft.bench;

import dev.weft.progress.Progress;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One progress update: {@link Progress#advance()} on a node shared by the measuring threads, against the JDK's
 * counters, with one thread and with two threads updating the same counter.
 *
 * <p>Each benchmark is a JMH group of one method, run by 1 thread ({@code *_1t}) or 2 threads ({@code *_2t});
 * the group's threads share one counter ({@code @State(Scope.Group)}). Throughput in updates per microsecond,
 * summed over the group's threads.
 * <ul>
 *   <li>{@code weft_*}: {@code Progress.advance()}: one CAS on the node's packed counts word (repeated when another
 *       update won it). With two threads and nothing else to do ({@code weft_2t}) this is the worst case: both
 *       fight over one cache line.</li>
 *   <li>{@code longAdder_*} (baseline): {@code LongAdder.increment()}, striped under contention.</li>
 *   <li>{@code atomicLong_*}: {@code AtomicLong.incrementAndGet()}, one {@code lock xadd} (never retries).</li>
 *   <li>{@code synchronizedCounter_*}: {@code count++} under a monitor.</li>
 *   <li>{@code weftPerItem_2t} and its baseline {@code longAdderPerItem_2t}: the user's shape. Two threads each
 *       handle items and report one unit per item; an item is {@link Blackhole#consumeCPU} of {@link #ITEM_TOKENS}
 *       tokens (well under a microsecond, less than any real item: parsing a row, a call, a file), so the
 *       counters are still updated far more often than in use. Throughput in items per microsecond.</li>
 * </ul>
 *
 * <p>Goal: {@code weftPerItem_2t} at least 0.95x {@code longAdderPerItem_2t}, and 0 B/op under {@code -prof gc}.
 * {@code weft_2t} has no goal: it is the case docs/decisions/0008 accepts as slower.
 *
 * <p>How to run (from the repository root):
 * <pre>
 *   ./weft bench '\.ProgressBenchmark'              # the defaults below
 *   ./weft bench '\.ProgressBenchmark' -prof gc     # with allocation per update (expect about 0 B/op)
 *   benchmarks/run-suite.sh '\.ProgressBenchmark'   # with JSON results under benchmarks/results/
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-preview", "-Xms2g", "-Xmx2g"})
public class ProgressBenchmark {

    /*
     * Implementation notes: a Progress node saturates at MAX_UNITS (2^31 - 1) done units, and an update of a
     * complete node returns before its CAS. Neither may happen here, or the benchmark would time a no-op. So the
     * node is made afresh for every iteration, with setTotal(MAX_UNITS) (advance then never has to raise the
     * total, and the word stays far from saturation), and the iteration's teardown fails the run if done reached
     * MAX_UNITS: at a few hundred million updates per second that would take iterations of several seconds, far
     * above the 2 s used here. The node is never completed. The other counters are made afresh per iteration too,
     * so every variant pays the same.
     */

    @State(Scope.Group)
    public static class Counters {
        Progress progress;
        AtomicLong atomicLong;
        LongAdder longAdder;
        final Object lock = new Object();
        long synchronizedCount;

        @Setup(Level.Iteration)
        public void fresh() {
            progress = Progress.root("bench");
            progress.setTotal(Progress.MAX_UNITS);
            atomicLong = new AtomicLong();
            longAdder = new LongAdder();
            synchronized (lock) {
                synchronizedCount = 0;
            }
        }

        @TearDown(Level.Iteration)
        public void checkNotSaturated() {
            if (progress.snapshot().done() >= Progress.MAX_UNITS) {
                throw new IllegalStateException("the progress node saturated at MAX_UNITS during the iteration, so "
                        + "the weft variant measured a no-op; use shorter iterations (-r)");
            }
        }
    }

    /** The work of one item in the per-item variants, in {@link Blackhole#consumeCPU} tokens. */
    static final long ITEM_TOKENS = 100;

    private static void increment(Counters c) {
        synchronized (c.lock) {
            c.synchronizedCount++;
        }
    }

    // ---- one thread ----

    @Benchmark
    @Group("weft_1t")
    @GroupThreads(1)
    public void weft_1t(Counters c) {
        c.progress.advance();
    }

    @Benchmark
    @Group("longAdder_1t")
    @GroupThreads(1)
    public void longAdder_1t(Counters c) {
        c.longAdder.increment();
    }

    @Benchmark
    @Group("atomicLong_1t")
    @GroupThreads(1)
    public long atomicLong_1t(Counters c) {
        return c.atomicLong.incrementAndGet();
    }

    @Benchmark
    @Group("synchronizedCounter_1t")
    @GroupThreads(1)
    public void synchronizedCounter_1t(Counters c) {
        increment(c);
    }

    // ---- two threads on one counter ----

    @Benchmark
    @Group("weft_2t")
    @GroupThreads(2)
    public void weft_2t(Counters c) {
        c.progress.advance();
    }

    @Benchmark
    @Group("longAdder_2t")
    @GroupThreads(2)
    public void longAdder_2t(Counters c) {
        c.longAdder.increment();
    }

    @Benchmark
    @Group("atomicLong_2t")
    @GroupThreads(2)
    public long atomicLong_2t(Counters c) {
        return c.atomicLong.incrementAndGet();
    }

    @Benchmark
    @Group("synchronizedCounter_2t")
    @GroupThreads(2)
    public void synchronizedCounter_2t(Counters c) {
        increment(c);
    }

    // ---- two threads handling items, one update per item ----

    @Benchmark
    @Group("weftPerItem_2t")
    @GroupThreads(2)
    public void weftPerItem_2t(Counters c) {
        Blackhole.consumeCPU(ITEM_TOKENS);
        c.progress.advance();
    }

    @Benchmark
    @Group("longAdderPerItem_2t")
    @GroupThreads(2)
    public void longAdderPerItem_2t(Counters c) {
        Blackhole.consumeCPU(ITEM_TOKENS);
        c.longAdder.increment();
    }
}
