package dev.weft.bench;

import dev.weft.scope.Scope;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * CPU time per task of the fan-outs that {@link FanOutBenchmark} and {@link ConcurrencyCapBenchmark} time, for A/B
 * comparisons of small changes: the process's CPU time and the owner thread's, divided by the tasks forked, next
 * to the throughput.
 *
 * <p>Throughput on a 2-core machine swings by up to 2x between iterations of the same code (the owner and the
 * carrier threads share the cores, and the scheduler's and the GC's state differ), so a change of a few percent
 * does not show in it. The CPU time the owner spends per task varies far less, and the process's CPU time per
 * task is what bounds the fan-out once both cores are busy. Not a JMH benchmark, and not a published figure: run
 * the builds to compare alternately, several times each.
 *
 * <pre>
 *   java --enable-preview -cp benchmarks/target/benchmarks.jar dev.weft.bench.FanOutCpuTime 1000 4 weft
 *   java --enable-preview -cp benchmarks/target/benchmarks.jar dev.weft.bench.FanOutCpuTime 1000 4 rawScope
 *   java --enable-preview -cp benchmarks/target/benchmarks.jar dev.weft.bench.FanOutCpuTime 100000 4 weftCapped
 * </pre>
 * Arguments: n (tasks per fan-out), seconds per round (after a 4 s warm-up; 3 rounds), and the variant:
 * {@code weft} or {@code rawScope} (as in FanOutBenchmark), {@code weftCapped} or {@code semaphoreRawScope} (as
 * in ConcurrencyCapBenchmark, under its cap of 64).
 *
 * <p>{@code ./weft profile <variant> <n>} runs this driver under Linux perf and splits its CPU time per task by
 * thread role (owner, carriers, JVM) and by code (benchmarks/profile-fanout.sh).
 */
public final class FanOutCpuTime {

    private static final Callable<Integer> TASK = () -> 1;
    private static final List<String> VARIANTS = List.of("weft", "rawScope", "weftCapped", "semaphoreRawScope");

    private FanOutCpuTime() {
    }

    public static void main(String[] args) throws InterruptedException {
        int n = args.length == 3 ? positive(args[0]) : -1;
        long seconds = args.length == 3 ? positive(args[1]) : -1;
        if (n < 0 || seconds < 0 || !VARIANTS.contains(args[2])) {
            System.err.println("usage: FanOutCpuTime <n> <seconds per round> " + String.join("|", VARIANTS)
                    + " (n and seconds positive integers), was: " + String.join(" ", args));
            System.exit(2);
        }
        long roundNanos = seconds * 1_000_000_000L;
        String variant = args[2];
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (long end = System.nanoTime() + 4_000_000_000L; System.nanoTime() < end; ) {
            sink += fanOut(variant, n);
        }
        for (int round = 1; round <= 3; round++) {
            long gc0 = gcMillis();
            long process0 = os.getProcessCpuTime();
            long owner0 = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            long ops = 0;
            while (System.nanoTime() - start < roundNanos) {
                sink += fanOut(variant, n);
                ops++;
            }
            long wall = System.nanoTime() - start;
            double tasks = (double) ops * n;
            System.out.printf("%s n=%d round %d: %.1f ops/s, wall %.0f ns/task, cpu %.0f ns/task, owner cpu %.0f"
                            + " ns/task, gc %d ms%n", args[2], n, round, ops * 1e9 / wall, wall / tasks,
                    (os.getProcessCpuTime() - process0) / tasks, (threads.getCurrentThreadCpuTime() - owner0) / tasks,
                    gcMillis() - gc0);
        }
        if (sink == 42) {
            System.out.println(); // keeps the sums alive
        }
    }

    /** The argument as a positive int, or -1 if it is not one. */
    private static int positive(String arg) {
        try {
            int value = Integer.parseInt(arg);
            return value > 0 ? value : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long fanOut(String variant, int n) throws InterruptedException {
        return switch (variant) {
            case "weft" -> FanOuts.weft(Scope.named("fanout"), n, TASK);
            case "rawScope" -> FanOuts.rawScope(n, TASK, FanOuts.BeforeFork.NOTHING);
            case "weftCapped" -> FanOuts.weft(Scope.named("capped").maxConcurrency(ConcurrencyCapBenchmark.CAP), n,
                    TASK);
            default -> FanOuts.semaphoreRawScope(n, ConcurrencyCapBenchmark.CAP, TASK);
        };
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }
}
