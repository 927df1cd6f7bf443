package dev.weft.bench;

import dev.weft.scope.Join;
import dev.weft.scope.Scope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Subtask;
import java.util.concurrent.TimeUnit;

/**
 * A tree of nested scopes, depth 3 and fan-out 10 per level: 1 + 10 + 100 = 111 scopes, 1,110 tasks, 1,000 leaves,
 * all successful. It measures what nesting costs: each scope opened inside a task finds its parent, inherits its
 * deadline and registers as its child (Weft), or just nests its thread container (JDK).
 *
 * <p>One operation builds and joins the whole tree; every inner task opens its own scope, forks 10 children, and
 * returns the sum of their values; a leaf returns 1, so the root sees 1,000. AverageTime, µs/op, lower is better.
 * <ul>
 *   <li>{@link #weft}: nested Weft scopes, {@code Join.allSuccessful()} at every level.</li>
 *   <li>{@link #rawScope}: the baseline, nested JDK {@code StructuredTaskScope.open()} scopes.</li>
 * </ul>
 *
 * <p>Goal: {@code weft} within 10% of {@code rawScope}.
 *
 * <p>How to run: {@code ./weft bench NestedTreeBenchmark} (or {@code benchmarks/run-suite.sh NestedTree} for JSON
 * results).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"--enable-preview", "-Xms2g", "-Xmx2g"})
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class NestedTreeBenchmark {

    static final int DEPTH = 3;
    static final int FAN_OUT = 10;
    /** Scope names by depth, so that no variant pays for building a name. */
    private static final String[] NAMES = {"leaf", "level1", "level2", "level3"};

    @Benchmark
    public long weft() throws InterruptedException {
        return weftLevel(DEPTH);
    }

    @Benchmark
    public long rawScope() throws InterruptedException {
        return rawLevel(DEPTH);
    }

    /** Opens a Weft scope with {@link #FAN_OUT} tasks, each of which recurses one level down. */
    private static long weftLevel(int depth) throws InterruptedException {
        if (depth == 0) {
            return 1;
        }
        try (Scope<Long, List<Long>> scope = Scope.named(NAMES[depth]).open(Join.allSuccessful())) {
            for (int i = 0; i < FAN_OUT; i++) {
                scope.fork(() -> weftLevel(depth - 1));
            }
            long sum = 0;
            for (long v : scope.join()) {
                sum += v;
            }
            return sum;
        }
    }

    /** The same tree with the JDK's scopes. */
    @SuppressWarnings("unchecked")
    private static long rawLevel(int depth) throws InterruptedException {
        if (depth == 0) {
            return 1;
        }
        Subtask<Long>[] subtasks = new Subtask[FAN_OUT];
        try (var scope = StructuredTaskScope.open()) {
            for (int i = 0; i < FAN_OUT; i++) {
                subtasks[i] = scope.fork(() -> rawLevel(depth - 1));
            }
            scope.join();
        }
        long sum = 0;
        for (Subtask<Long> s : subtasks) {
            sum += s.get();
        }
        return sum;
    }
}
