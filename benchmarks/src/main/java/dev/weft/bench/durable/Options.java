package dev.weft.bench.durable;

import java.nio.file.Path;
import java.util.List;

/**
 * The comparison's options (see {@link DurableComparison#USAGE}).
 *
 * @param name                   results go to {@code results/durable-NAME.md} and {@code .json}
 * @param resultsDir             the directory for them
 * @param jobs                   jobs in the throughput run, per system
 * @param warmupJobs             jobs run (and awaited) before the measured throughput run, per system
 * @param latencySamples         submit-to-start samples per system, at most
 * @param latencyBudgetSeconds   stop sampling a system's latency after this many seconds (a poller needs ~half
 *                               its poll interval per sample)
 * @param latencyPauseMillis     idle pause before each latency sample
 * @param pgbenchSeconds         pgbench run length
 * @param poolSize               HikariCP maximum pool size, the same for every system
 * @param systems                which systems run, in order
 * @param dbSchedulerThreads     db-scheduler threads
 * @param dbSchedulerLower       db-scheduler lock-and-fetch lower limit (fraction of threads)
 * @param dbSchedulerUpper       db-scheduler lock-and-fetch upper limit (fraction of threads)
 * @param weftMaxRunning         Weft's maxRunning
 * @param rounds                 throughput rounds per system (the median is reported)
 * @param nodes                  node counts of the many-node runs, each node a process of its own; empty for the
 *                               one-node comparison in this process (throughput and latency)
 */
record Options(String name, Path resultsDir, int jobs, int warmupJobs, int latencySamples, int latencyBudgetSeconds,
               int latencyPauseMillis, int pgbenchSeconds, int poolSize, List<String> systems,
               int dbSchedulerThreads, double dbSchedulerLower, double dbSchedulerUpper,
               int weftMaxRunning, int rounds, List<Integer> nodes) {
}
