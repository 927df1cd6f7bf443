package dev.weft.bench;

import dev.weft.scope.Scope;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.IntToLongFunction;

/**
 * Runs {@link FanOutBenchmark}'s fan-out of n trivial tasks on the raw {@code StructuredTaskScope} and on one or
 * more builds of Weft's core, all in one JVM, in slices of one second that take turns, and prints each build's
 * median throughput ratio to the raw scope (and to the first build). For comparing builds of the fan-out path:
 *
 * <pre>
 *   ./weft alternate 1000 HEAD~1 HEAD          builds each revision's core and runs them against the raw scope
 *   ./weft alternate 10 --histogram HEAD        times each fan-out of the variants, and prints histograms
 *   java --enable-preview -Xms2g -Xmx2g -cp benchmarks/target/benchmarks.jar dev.weft.bench.FanOutAlternating \
 *       1000 25 before=/path/weft-core-a.jar after=/path/weft-core-b.jar
 * </pre>
 *
 * <p>Arguments: n, the number of rounds, optionally {@code --histogram}, then builds as {@code LABEL=CORE_JAR}; without builds it measures the
 * Weft in this jar, labelled {@code current}. Each build's classes are loaded by a class loader of its own, so
 * builds do not share Weft's code, only the JDK's. In each round every variant runs one slice, in an order that
 * rotates by one each round; the first {@code min(3, rounds / 4)} rounds are warm-up and left out of the
 * medians. With {@code --histogram} after the rounds, it also times every fan-out after the warm-up rounds and
 * prints, per variant, the share of fan-outs in each power-of-two band of microseconds: a fan-out whose owner
 * parks and is woken shows as a second mode.
 *
 * <p>Why: on the 2-core build machine the same code's throughput swings by up to 2x from one second to the
 * next, and JMH runs minutes apart see different seconds; slices that take turns see the same swing. The price:
 * the variants share the JIT's profile of the JDK's scope and thread code, so the ratios here are not JMH's;
 * they rank builds, and JMH's paired rounds ({@code benchmarks/run-paired.sh}) give the figures that the
 * goals are judged by (docs/performance.md, "Eleventh round").
 */
public final class FanOutAlternating {

    /*
     * Implementation notes. A build's loader searches the build's core jar first and this jar second (for
     * WeftFanOut, FanOuts and slf4j), with the platform class loader as parent, so their references to
     * dev.weft.scope resolve to that build's classes. Both fan-outs are FanOutBenchmark's, from FanOuts.
     */

    private static final Callable<Integer> TASK = () -> 1;
    private static final long SLICE_NANOS = 1_000_000_000L;

    private FanOutAlternating() {
    }

    /** FanOutBenchmark.weft's fan-out; loaded once per build, by that build's class loader (FanOuts too). */
    public static final class WeftFanOut implements IntToLongFunction {
        @Override
        public long applyAsLong(int n) {
            try {
                return FanOuts.weft(Scope.named("fanout"), n, TASK);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** FanOutBenchmark.rawScope's fan-out. */
    static long rawScope(int n) {
        try {
            return FanOuts.rawScope(n, TASK, FanOuts.BeforeFork.NOTHING);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !args[0].matches("[1-9][0-9]*") || !args[1].matches("[1-9][0-9]*")) {
            throw new IllegalArgumentException("usage: FanOutAlternating N ROUNDS [--histogram] [LABEL=CORE_JAR ...]; N and ROUNDS "
                    + "must be positive integers, were: " + String.join(" ", args));
        }
        int n = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        URL self = FanOutAlternating.class.getProtectionDomain().getCodeSource().getLocation();
        List<String> labels = new ArrayList<>(List.of("rawScope"));
        List<IntToLongFunction> variants = new ArrayList<>(List.of(FanOutAlternating::rawScope));
        boolean histogram = args.length > 2 && args[2].equals("--histogram");
        int first = histogram ? 3 : 2;
        List<String> builds = args.length > first ? Arrays.asList(args).subList(first, args.length) : List.of("current=");
        for (String build : builds) {
            int eq = build.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("a build is LABEL=CORE_JAR, was: " + build);
            }
            String label = build.substring(0, eq);
            String jar = build.substring(eq + 1);
            List<URL> path = new ArrayList<>();
            if (!jar.isEmpty()) {
                File file = new File(jar);
                if (!file.isFile()) {
                    throw new IllegalArgumentException("build " + label + ": no such core jar: " + jar);
                }
                path.add(file.toURI().toURL());
            }
            path.add(self);
            var loader = new URLClassLoader("weft-" + label, path.toArray(URL[]::new),
                    ClassLoader.getPlatformClassLoader());
            variants.add((IntToLongFunction) loader.loadClass(WeftFanOut.class.getName())
                    .getConstructor().newInstance());
            labels.add(label);
        }
        run(n, rounds, histogram, labels, variants);
    }

    private static void run(int n, int rounds, boolean histogram, List<String> labels,
            List<IntToLongFunction> variants) {
        int count = variants.size();
        int warmUp = Math.min(3, rounds / 4);
        double[][] opsPerSecond = new double[count][rounds];
        long[][] bands = new long[count][64]; // per variant, fan-outs by floor(log2(nanoseconds))
        for (int round = 0; round < rounds; round++) {
            StringBuilder line = new StringBuilder("round " + (round + 1) + ", ops/s:");
            for (int turn = 0; turn < count; turn++) {
                int v = (turn + round) % count;
                boolean timed = histogram && round >= warmUp;
                long start = System.nanoTime();
                long ops = 0;
                long elapsed;
                long before = start;
                do {
                    long sum = variants.get(v).applyAsLong(n);
                    if (timed) {
                        long now = System.nanoTime();
                        bands[v][63 - Long.numberOfLeadingZeros(Math.max(1, now - before))]++;
                        before = now;
                    }
                    if (sum != n) {
                        throw new IllegalStateException(labels.get(v) + ": a fan-out of " + n + " tasks returning 1 "
                                + "summed to " + sum);
                    }
                    ops++;
                    elapsed = System.nanoTime() - start;
                } while (elapsed < SLICE_NANOS);
                opsPerSecond[v][round] = ops * 1e9 / elapsed;
            }
            for (int v = 0; v < count; v++) {
                line.append(String.format(" %s %.1f", labels.get(v), opsPerSecond[v][round]));
            }
            System.out.println(line);
        }
        System.out.printf("n=%d, medians of rounds %d to %d:%n", n, warmUp + 1, rounds);
        for (int v = 1; v < count; v++) {
            System.out.printf("  %s / rawScope = %.3f%n", labels.get(v), medianRatio(opsPerSecond[v], opsPerSecond[0], warmUp));
        }
        for (int v = 2; v < count; v++) {
            System.out.printf("  %s / %s = %.3f%n", labels.get(v), labels.get(1),
                    medianRatio(opsPerSecond[v], opsPerSecond[1], warmUp));
        }
        if (histogram) {
            printHistograms(labels, bands);
        }
    }

    private static void printHistograms(List<String> labels, long[][] bands) {
        System.out.println("time per fan-out, share of fan-outs per band (rounds after the warm-up):");
        for (int v = 0; v < labels.size(); v++) {
            long total = Arrays.stream(bands[v]).sum();
            StringBuilder line = new StringBuilder("  " + labels.get(v) + ":");
            for (int band = 0; band < 64; band++) {
                if (bands[v][band] * 200 >= total && total > 0) { // bands of 0.5% or more
                    line.append(String.format(" %.1f-%.1f us %.1f%%,", (1L << band) / 1e3, (2L << band) / 1e3,
                            100.0 * bands[v][band] / total));
                }
            }
            line.setLength(line.length() - 1);
            System.out.println(line + " (" + total + " fan-outs)");
        }
    }

    /** The median over rounds {@code from..} of {@code a[r] / b[r]}. */
    static double medianRatio(double[] a, double[] b, int from) {
        double[] ratios = new double[a.length - from];
        for (int r = from; r < a.length; r++) {
            ratios[r - from] = a[r] / b[r];
        }
        Arrays.sort(ratios);
        int mid = ratios.length / 2;
        return ratios.length % 2 == 1 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2;
    }
}
