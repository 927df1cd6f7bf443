package dev.weft.bench;

import dev.weft.jobs.JobBody;
import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRuntime;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The job runtime: throughput of trivial jobs from submit to terminal state, and the latency from submit until a
 * job's body starts. Each against a virtual-thread-per-task executor, the JDK baseline.
 *
 * <ul>
 *   <li>{@link #jobsThroughput}: submit {@value #JOBS} jobs that each return 1, then {@code JobHandle.await()}
 *       each. Throughput, reported per job ({@code @OperationsPerInvocation}), jobs/ms.</li>
 *   <li>{@link #jobsThroughputWithListener}: the same on a runtime with one subscribed listener that counts the
 *       events (a server has one: the HTTP event hub, the Micrometer binder); its calls run on the subscription's own
 *       thread, so this measures what emitting three events per job costs the jobs.</li>
 *   <li>{@link #executorThroughput} (baseline): {@code submit} the same {@value #JOBS} Callables to one
 *       {@code Executors.newVirtualThreadPerTaskExecutor()}, then {@code Future.get()} each.</li>
 *   <li>{@link #jobsSubmitToStart}: submit one job whose body opens a latch as its first action; the benchmark
 *       thread waits on the latch. SampleTime, us, with percentiles: submit, admission, dispatch, thread start,
 *       the job's root scope, and the latch's wake-up of the benchmark thread.</li>
 *   <li>{@link #executorSubmitToStart} (baseline): the same with {@code executor.submit}: thread start and the
 *       same latch wake-up.</li>
 * </ul>
 *
 * <p>The runtime is built with {@code maxRunning} = {@value #JOBS}, so its cap never holds a job back and both
 * sides run every job at once (the cap's own cost is measured by {@link ConcurrencyCapBenchmark}); queue and
 * retention keep their defaults (retention drops the oldest finished jobs beyond 10,000). The runtime and the
 * executor are made once per trial and closed at its end.
 *
 * <p>No goal is set yet: a job is more than a thread (a record, events, admission, a root scope), so these
 * runs are to say what that costs; the first quiet-machine figures set the goal.
 *
 * <p>How to run (from the repository root):
 * <pre>
 *   ./weft bench '\.JobsBenchmark'                       # the defaults below
 *   ./weft bench '\.JobsBenchmark.*Throughput' -prof gc  # with allocation per job
 *   benchmarks/run-suite.sh '\.JobsBenchmark'            # with JSON results under benchmarks/results/
 * </pre>
 */
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-preview", "-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class JobsBenchmark {

    /*
     * Implementation notes: the throughput variants return the sum of the values, so every job must have run and
     * been read. In the latency variants the benchmark does not wait for the job to end, only for its start; the
     * job ends right after (its body returns at once), so jobs do not pile up; neither side awaits, so neither pays
     * for the end. Both latency variants allocate one latch per invocation.
     */

    static final int JOBS = 1000;

    private static final JobBody<Integer> JOB = ctx -> 1;
    private static final Callable<Integer> TASK = () -> 1;

    private JobRuntime jobs;
    private JobRuntime listened;
    private final LongAdder events = new LongAdder();
    private ExecutorService executor;

    @Setup(Level.Trial)
    public void start() {
        jobs = JobRuntime.builder().name("bench").maxRunning(JOBS).build();
        listened = JobRuntime.builder().name("bench-listened").maxRunning(JOBS).build();
        listened.subscribe(e -> events.increment());
        executor = Executors.newVirtualThreadPerTaskExecutor();
    }

    @TearDown(Level.Trial)
    public void stop() {
        jobs.close();
        listened.close();
        executor.close();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @OperationsPerInvocation(JOBS)
    @SuppressWarnings("unchecked")
    public long jobsThroughput() throws InterruptedException {
        JobHandle<Integer>[] handles = new JobHandle[JOBS];
        for (int i = 0; i < JOBS; i++) {
            handles[i] = jobs.submit("job", JOB);
        }
        long sum = 0;
        for (JobHandle<Integer> h : handles) {
            sum += h.await();
        }
        return sum;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @OperationsPerInvocation(JOBS)
    @SuppressWarnings("unchecked")
    public long jobsThroughputWithListener() throws InterruptedException {
        JobHandle<Integer>[] handles = new JobHandle[JOBS];
        for (int i = 0; i < JOBS; i++) {
            handles[i] = listened.submit("job", JOB);
        }
        long sum = 0;
        for (JobHandle<Integer> h : handles) {
            sum += h.await();
        }
        return sum;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @OperationsPerInvocation(JOBS)
    @SuppressWarnings("unchecked")
    public long executorThroughput() throws InterruptedException, ExecutionException {
        Future<Integer>[] futures = new Future[JOBS];
        for (int i = 0; i < JOBS; i++) {
            futures[i] = executor.submit(TASK);
        }
        long sum = 0;
        for (Future<Integer> f : futures) {
            sum += f.get();
        }
        return sum;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void jobsSubmitToStart() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        jobs.submit("job", ctx -> {
            started.countDown();
            return 1;
        });
        started.await();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void executorSubmitToStart() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        executor.submit(() -> {
            started.countDown();
            return 1;
        });
        started.await();
    }
}
