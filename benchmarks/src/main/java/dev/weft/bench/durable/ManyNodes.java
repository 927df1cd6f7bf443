package dev.weft.bench.durable;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One throughput measurement of one system run by N nodes on one database, each node a JVM of its own
 * ({@link ContenderNode}, started by {@link NodeProcess}).
 *
 * <p>The nodes start one after the other (so that the first creates the system's tables alone). Each node then
 * submits an equal share of the warmup jobs with the system's bulk API, and the run waits until they all ran
 * and the store holds none unfinished. The measured run does the same with N jobs: the clock starts just
 * before the submit commands go to every node at once and stops when this process's query of the store finds
 * no unfinished job, after the nodes' handler counts reached N. Submits come from the nodes, as from the
 * replicas of an application, rather than from this process: a db-scheduler client outside its schedulers wakes
 * none of them (it has no cross-process wake-up, so they would wait for their next poll, 10 s by default),
 * and a Weft process that submits is a node itself. CPU use of PostgreSQL, the nodes, this process and the
 * whole machine is measured over the same interval ({@link CpuMeter}).
 */
final class ManyNodes {

    /** What one measurement found. */
    record Result(String system, int nodes, int jobs, double seconds, double submitSeconds, double handlerSeconds,
                  List<Long> ranPerNode, CpuMeter.Usage cpu, String load, List<String> settings) {

        double jobsPerSecond() {
            return jobs / seconds;
        }
    }

    private static final long ANSWER_MILLIS = TimeUnit.MINUTES.toMillis(5);

    private final Options o;
    private final List<String> optionArgs;
    private final CpuMeter cpu;
    private final Path logDir;

    ManyNodes(Options o, List<String> optionArgs, CpuMeter cpu, Path logDir) {
        this.o = o;
        this.optionArgs = optionArgs;
        this.cpu = cpu;
        this.logDir = logDir;
    }

    /**
     * Runs {@code system} on {@code n} nodes against the fresh database at {@code jdbcUrl}.
     *
     * @param beforeMeasuring run after the warmup, just before the measured run (a checkpoint)
     */
    Result measure(String system, int n, String jdbcUrl, String unfinishedQuery, Callback beforeMeasuring,
                   java.util.function.Consumer<String> say) throws Exception {
        List<NodeProcess> nodes = new ArrayList<>();
        try (Connection store = DriverManager.getConnection(jdbcUrl)) {
            for (int i = 1; i <= n; i++) {
                nodes.add(NodeProcess.start(system, jdbcUrl, system + "-node-" + i, optionArgs, logDir));
            }
            List<Long> pids = nodes.stream().map(NodeProcess::pid).toList();
            List<String> settings = List.of(nodes.getFirst().send("settings", ANSWER_MILLIS).split(" ; "));
            int warm = o.warmupJobs();
            if (warm > 0) {
                submit(nodes, 1_000_000_000, warm);
                awaitRan(nodes, warm);
                awaitStore(store, unfinishedQuery, warm);
            }
            beforeMeasuring.run();
            List<Long> before = ranPerNode(nodes);
            long ranBefore = before.stream().mapToLong(Long::longValue).sum();
            int jobs = o.jobs();
            String load = DurableComparison.loadAverage();
            say.accept(system + ": " + n + " node" + (n == 1 ? "" : "s") + ", " + jobs + " jobs (after " + warm
                    + " warmup jobs), load average " + load + " ...");
            CpuMeter.Snapshot cpu0 = cpu.snapshot(pids);
            long t0 = System.nanoTime();
            submit(nodes, 0, jobs);
            long submitted = System.nanoTime();
            long handlersDone = awaitRan(nodes, ranBefore + jobs);
            long storeDone = awaitStore(store, unfinishedQuery, jobs);
            CpuMeter.Usage usage = cpu.snapshot(pids).since(cpu0);
            List<Long> after = ranPerNode(nodes);
            List<Long> ran = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ran.add(after.get(i) - before.get(i));
            }
            stop(nodes);
            return new Result(system, n, jobs, (storeDone - t0) / 1e9, (submitted - t0) / 1e9,
                    (handlersDone - t0) / 1e9, ran, usage, load, settings);
        } finally {
            for (NodeProcess node : nodes) {
                node.close();
            }
        }
    }

    /** Work run just before the measured run. */
    interface Callback {
        void run() throws Exception;
    }

    /** Every node submits its share of jobs {@code from} to {@code from + count - 1}, all at once. */
    private static void submit(List<NodeProcess> nodes, int from, int count) throws Exception {
        int n = nodes.size();
        for (int i = 0; i < n; i++) {
            nodes.get(i).post("submit " + (from + (long) count * i / n) + " " + (from + (long) count * (i + 1) / n));
        }
        for (NodeProcess node : nodes) {
            node.answer(ANSWER_MILLIS);
        }
    }

    private static List<Long> ranPerNode(List<NodeProcess> nodes) throws Exception {
        List<Long> ran = new ArrayList<>();
        for (NodeProcess node : nodes) {
            ran.add(Long.parseLong(node.send("ran", ANSWER_MILLIS)));
        }
        return ran;
    }

    /** Waits until the nodes' handler calls add up to {@code total}; returns the nanoTime at which they did. */
    private long awaitRan(List<NodeProcess> nodes, long total) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds());
        while (true) {
            long sum = ranPerNode(nodes).stream().mapToLong(Long::longValue).sum();
            long now = System.nanoTime();
            if (sum >= total) {
                return now;
            }
            if (now > deadline) {
                throw new IllegalStateException("only " + sum + " of " + total + " handler calls within "
                        + timeoutSeconds() + " s");
            }
            Thread.sleep(5);
        }
    }

    /** Waits until the store has no unfinished job left; returns the nanoTime at which it saw that. */
    private long awaitStore(Connection store, String unfinishedQuery, int jobs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds());
        try (Statement s = store.createStatement()) {
            while (true) {
                long unfinished;
                try (ResultSet r = s.executeQuery(unfinishedQuery)) {
                    r.next();
                    unfinished = r.getLong(1);
                }
                long now = System.nanoTime();
                if (unfinished == 0) {
                    return now;
                }
                if (now > deadline) {
                    throw new IllegalStateException("the store still holds " + unfinished + " unfinished of "
                            + jobs + " jobs");
                }
                Thread.sleep(5);
            }
        }
    }

    /** Tells every node to stop at once, then waits for each to exit. */
    private static void stop(List<NodeProcess> nodes) throws Exception {
        for (NodeProcess node : nodes) {
            node.post("quit");
        }
        for (NodeProcess node : nodes) {
            node.answer(ANSWER_MILLIS);
            node.awaitExit(60);
        }
    }

    private int timeoutSeconds() {
        return Math.max(300, o.jobs() / 20);
    }
}
