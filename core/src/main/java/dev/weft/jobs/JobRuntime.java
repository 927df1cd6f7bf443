package dev.weft.jobs;

import dev.weft.scope.Scope;
import dev.weft.time.TimeSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs tracked background jobs. Each job is a root scope with a record: submit it, observe it (state, progress,
 * errors, events), cancel its whole tree, de-duplicate it by key, bound how many run and wait, retain finished
 * ones for a while, and drain them at shutdown.
 *
 * <pre>{@code
 * try (JobRuntime jobs = JobRuntime.builder().maxRunning(8).maxQueued(1_000).build()) {
 *     JobHandle<Integer> h = jobs.submit(JobSpec.named("reindex").key("reindex:t7").body(Integer.class, ctx -> reindex(ctx)));
 *     jobs.get(h.id()).state();           // QUEUED, RUNNING, ...
 *     h.await();                          // or jobs.cancel(h.id(), "user asked")
 * }                                       // close(): graceful shutdown
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Every accepted job reaches exactly one terminal state, and emits exactly one FINISHED event.</li>
 *   <li>De-duplication is atomic: of concurrent submissions with one key, while a job with that key is queued or
 *       running, all get the same job. Once it has finished, the key is free.</li>
 *   <li>At most {@code maxRunning} jobs run (and at most {@code maxRunningPerGroup} per group); queued jobs start
 *       by priority, then in submission order. Beyond {@code maxQueued} waiting jobs, submit throws
 *       {@link JobRejectedException} and queues nothing.</li>
 *   <li>Finished jobs are kept per {@link Retention}; memory does not grow with the number of jobs run.</li>
 *   <li>Every thread of a job carries the job id in its MDC ({@code jobId}).</li>
 *   <li>Listeners never run on a submitter's or a job's thread: each subscription has its own delivery thread and
 *       a bounded backlog (see {@link JobListener}).</li>
 *   <li>Job ids are UUID version 7 strings: unique across runtimes, restarts and nodes, and time-ordered.</li>
 *   <li>Every {@code Duration} it accepts saturates: {@code Duration.ofSeconds(Long.MAX_VALUE)} means "longer than
 *       any run" (about 73 years is the longest span measured), never an overflow.</li>
 * </ul>
 *
 * <p>Thread safety: every method may be called from any thread.
 */
public sealed interface JobRuntime extends AutoCloseable permits JobRuntimeImpl, DurableJobRuntime {

    /** The MDC key under which every thread of a job finds the job id. */
    String MDC_JOB_ID = "jobId";

    /** A runtime with the defaults (see {@link Builder}). */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Submits a job. Returns at once.
     *
     * @return the new job, or the queued or running job with the same key
     * @throws JobRejectedException     if the queue is full or the runtime is shutting down
     * @throws IllegalArgumentException if the spec's key belongs to a queued or running job whose declared result
     *                                  type differs from the spec's
     */
    <T> JobHandle<T> submit(JobSpec<T> spec);

    /**
     * Submits every spec of {@code specs}, in order. On a durable store they are written in one transaction, so
     * either all are accepted or none is (and the exception says why), at the cost of one commit for all. In
     * memory they are submitted one by one; if one is refused, the ones before it stay submitted.
     *
     * @return the handles, in the order of {@code specs} (a de-duplicated spec gets its key's holder)
     * @throws JobRejectedException     as {@link #submit(JobSpec)}
     * @throws IllegalArgumentException as {@link #submit(JobSpec)}, for any of the specs
     */
    <T> List<JobHandle<T>> submitAll(java.util.Collection<JobSpec<T>> specs);

    /**
     * Submits a job of type {@code type} for each payload, named after the type: {@link #submitAll(Collection)}
     * of {@link JobSpec#of(JobType, Object)}.
     */
    default <P, R> List<JobHandle<R>> submitAll(JobType<P, R> type, java.util.Collection<? extends P> payloads) {
        java.util.Objects.requireNonNull(type, "job type must not be null");
        java.util.Objects.requireNonNull(payloads, "payloads");
        List<JobSpec<R>> specs = new java.util.ArrayList<>(payloads.size());
        for (P payload : payloads) {
            specs.add(JobSpec.of(type, payload));
        }
        return submitAll(specs);
    }

    /** Submits a job with just a name and a body. */
    default <T> JobHandle<T> submit(String name, JobBody<T> body) {
        return submit(JobSpec.named(name).body(body));
    }

    /**
     * Submits a job of type {@code type} with {@code payload}, named after the type.
     *
     * @throws IllegalArgumentException if the type is not registered, or (on a durable store) the payload cannot
     *                                  be encoded or is larger than the store allows
     * @throws JobRejectedException     if the queue is full or the runtime is shutting down
     */
    default <P, R> JobHandle<R> submit(JobType<P, R> type, P payload) {
        return submit(JobSpec.of(type, payload));
    }

    /**
     * The record of job {@code id}.
     *
     * @throws NoSuchJobException if there is no such job (never was, or evicted)
     */
    JobRecord get(String id);

    /** The record of job {@code id}, if it exists. */
    Optional<JobRecord> find(String id);

    /** The handle of job {@code id}, if it exists. */
    Optional<JobHandle<?>> handle(String id);

    /** A page of jobs matching {@code query}, newest submission first. */
    JobPage list(JobQuery query);

    /** How many jobs are in each state right now (finished ones: as retained). Every state is present. */
    Map<JobState, Long> counts();

    /**
     * Cancels job {@code id} with reason {@code why}: a queued job ends CANCELLED at once; a running job's scope
     * tree is cancelled and it ends CANCELLED once its threads have stopped.
     *
     * @return {@code true} if this call cancelled it; {@code false} if it had already ended or was already being
     *         cancelled (nothing changes)
     * @throws NoSuchJobException if there is no such job
     */
    boolean cancel(String id, String why);

    /**
     * Runs a FAILED, CANCELLED or TIMED_OUT job again, as the same job: same id, spec (name, key, group, type and
     * payload or body, timeout, retry policy) and submission time. It goes back to QUEUED and runs under the usual
     * admission rules, with its attempts counted on (after attempt N, the next is N + 1) and a whole run of its
     * retry policy ahead ({@link JobRecord#maxAttempts()} is N plus the policy's attempts); its timeout starts
     * again with the new run. The run that ended is kept in {@link JobRecord#earlierRuns()} (its attempts, how it
     * ended, its error or cancellation reason), and the job's events go on: a SUBMITTED event follows the ended
     * run's FINISHED. Of concurrent retries of one job (on any node) exactly one succeeds; the others throw
     * {@link IllegalStateException}.
     *
     * <p>A job whose key a queued or running job holds is not retried: unlike {@link #submit(JobSpec)}, which
     * answers the holder, a retry throws {@link IllegalStateException} naming the holder, since the holder is
     * another job.
     *
     * <p>In memory, a {@link JobHandle} obtained before the retry stays bound to the run it was obtained for,
     * which has ended: its record, {@code await} and {@code cancel} report that run. The handle this method
     * returns, and {@link #handle(String)}, {@link #get(String)}, {@link #list} and {@link #counts()} from now on,
     * follow the new run. A job keeps what it needs for a retry until it is evicted, unless it SUCCEEDED. On a
     * durable store a handle names the job by its id, so every handle follows the new run; the job's type's
     * current retry policy applies.
     *
     * @return the job's handle, bound to its new run
     * @throws NoSuchJobException    if there is no such job
     * @throws IllegalStateException if the job is queued, running or SUCCEEDED (another retry may have queued it
     *                               first), or another queued or running job holds its key
     * @throws JobRejectedException  if the runtime is shutting down or its queue is full
     */
    JobHandle<?> retry(String id);

    /**
     * Forgets a finished job before retention would: it is no longer found, listed or counted (on a durable
     * store its row and its events are deleted, for every node).
     *
     * @return {@code true} if this call deleted it, {@code false} if it was already gone
     * @throws NoSuchJobException    if there is no such job
     * @throws IllegalStateException if the job is queued or running (cancel it first)
     */
    boolean delete(String id);

    /**
     * Registers a listener for every job's events, delivered on a thread of its own (see {@link JobListener}).
     * After shutdown it returns a subscription that receives nothing.
     */
    JobSubscription subscribe(JobListener listener);

    /**
     * The events that followed event {@code sequence}, oldest first, at most {@code max}, for a client that
     * resumes a stream (SSE {@code Last-Event-ID}) after a restart. Only a durable store keeps events: in memory
     * this is always empty, and on a durable store it is empty when event {@code sequence} is no longer kept
     * (retention deleted it), so the client must fetch the current state instead.
     */
    Optional<List<JobEvent>> eventsAfter(long sequence, int max);

    /** The root scopes of the running jobs' current attempts (their subtrees are the live scope tree). */
    List<Scope<?, ?>> scopes();

    /**
     * Shuts down gracefully: stops admitting (submit throws {@link JobRejectedException}), cancels queued jobs,
     * lets running jobs finish for up to {@code grace}, then cancels the rest with reason SHUTDOWN and waits for
     * them, then delivers every listener's remaining events. When it returns, every job is in a terminal state,
     * every event has been delivered and no thread of the runtime is running. The grace period is real time, even
     * on a {@link dev.weft.time.ManualTimeSource}. Idempotent: a second call waits for the first and returns an
     * empty report.
     *
     * @throws IllegalArgumentException if {@code grace} is negative
     * @throws InterruptedException     if the calling thread was interrupted meanwhile; shutdown has then still
     *                                  completed
     */
    ShutdownReport shutdown(Duration grace) throws InterruptedException;

    /**
     * Whether the runtime can reach its store: always {@code UP} in memory; {@code DEGRADED} while a durable
     * store is unreachable (jobs keep running; their writes wait and are retried).
     */
    Health health();

    /**
     * The runtime's health.
     *
     * @param status UP or DEGRADED
     * @param detail why, when degraded (never a password); else empty
     */
    record Health(Status status, String detail) {
        /** The runtime's condition. */
        public enum Status { UP, DEGRADED }
    }

    /**
     * The nodes sharing this runtime's store, this one first, then the others by start time: a list of one in
     * memory. On a durable store the list includes nodes that left or were declared dead until their records
     * are purged.
     */
    List<NodeInfo> nodes();

    /** {@link #shutdown(Duration)} with the builder's default grace period, uninterruptibly. */
    @Override
    void close();

    /** Configures a runtime. Not thread-safe; use once. */
    final class Builder {
        int maxRunning = 64;
        int maxQueued = 10_000;
        int maxRunningPerGroup = Integer.MAX_VALUE;
        Retention retention = Retention.defaults();
        TimeSource timeSource = TimeSource.system();
        Duration defaultExpectedDuration;
        Duration progressInterval = Duration.ofMillis(250);
        Duration shutdownGrace = Duration.ofSeconds(10);
        int listenerBacklog = 10_000;
        String name = "jobs";
        final java.util.Map<String, JobType<?, ?>> types = new java.util.LinkedHashMap<>();
        dev.weft.jobs.spi.JobStore store;
        String nodeName;
        Duration lease = Duration.ofSeconds(30);
        Duration heartbeat = Duration.ofSeconds(2);
        Duration pollInterval = Duration.ofSeconds(1);

        Builder() {
        }

        /**
         * Registers job types that this runtime may run and accept. A type's name stands for one payload and
         * result class on every runtime that shares a store.
         *
         * @throws IllegalArgumentException if another type of the same name is registered
         */
        public Builder register(JobType<?, ?>... types) {
            for (JobType<?, ?> t : types) {
                JobTypes.register(this.types, Objects.requireNonNull(t, "job type"));
            }
            return this;
        }

        /**
         * Keeps jobs in {@code store} (e.g. PostgreSQL) instead of memory, so that they survive restarts and are
         * shared by every runtime on the store. Only {@linkplain JobType typed jobs} can be kept: a job built
         * with {@link JobSpec.Builder#body(JobBody) a closure} is refused at submit.
         */
        public Builder store(dev.weft.jobs.spi.JobStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * This runtime's node name on a durable store (default: the host name, the process id and the runtime's
         * name). Names are unique among live nodes: a runtime that registers with the name of a node still
         * registered as alive (an earlier run of it that died) declares that node dead and takes its jobs left
         * RUNNING back at once, without waiting for its heartbeats to lapse. So give each
         * node of a cluster its own stable name.
         */
        public Builder nodeName(String nodeName) {
            Objects.requireNonNull(nodeName, "nodeName");
            if (nodeName.isBlank() || nodeName.length() > 200) {
                throw new IllegalArgumentException("nodeName must be 1 to 200 characters and not blank, was \""
                        + nodeName + "\"");
            }
            this.nodeName = nodeName;
            return this;
        }

        /**
         * On a durable store: how long a claim on a running job lasts unless renewed (default 30 s; renewed every
         * third of it). A job whose node stops renewing is taken back once its lease has passed.
         */
        public Builder lease(Duration lease) {
            this.lease = JobSpec.Builder.requirePositive(lease, "lease");
            if (this.lease.compareTo(Duration.ofMillis(300)) < 0) {
                throw new IllegalArgumentException("lease must be at least 300 ms, was " + lease);
            }
            return this;
        }

        /**
         * On a durable store: how often this node writes its heartbeat, H (default 2 s). A node whose latest
         * heartbeat is older than 2H, by the database's clock, is declared dead by any live node, which then
         * re-queues its running jobs (or fails them with a NODE_LOST error when out of attempts). Each node checks
         * the others every H/4, so a node that stops is detected between H and 2H + H/4 after it stopped. Use the
         * same value on every node.
         *
         * @throws IllegalArgumentException unless at least 100 ms
         */
        public Builder heartbeat(Duration interval) {
            this.heartbeat = JobSpec.Builder.requirePositive(interval, "heartbeat");
            if (this.heartbeat.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException("heartbeat must be at least 100 ms, was " + interval);
            }
            return this;
        }

        /**
         * On a durable store: how often an idle runtime looks for work even without a notice (default 1 s). A
         * submit wakes runtimes at once; this is the fallback.
         */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = JobSpec.Builder.requirePositive(interval, "pollInterval");
            return this;
        }

        /** At most {@code max} jobs run at once (default 64). */
        public Builder maxRunning(int max) {
            this.maxRunning = positive(max, "maxRunning");
            return this;
        }

        /** At most {@code max} jobs wait; beyond that, submit is rejected (default 10,000). */
        public Builder maxQueued(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxQueued must be zero or positive, was " + max);
            }
            this.maxQueued = max;
            return this;
        }

        /**
         * At most {@code max} jobs of one {@linkplain JobSpec.Builder#group group} run at once (default: no cap).
         * On a durable store the cap holds over every node sharing the store (claims of capped groups are
         * serialized in the database); set the same value on every node.
         */
        public Builder maxRunningPerGroup(int max) {
            this.maxRunningPerGroup = positive(max, "maxRunningPerGroup");
            return this;
        }

        /** How long and how many finished jobs stay queryable (default {@link Retention#defaults()}). */
        public Builder retention(Retention retention) {
            this.retention = Objects.requireNonNull(retention, "retention");
            return this;
        }

        /**
         * The time source for timeouts, retries, stuck detection, progress sampling and timestamps. The shutdown
         * grace period always runs on the real clock.
         */
        public Builder timeSource(TimeSource timeSource) {
            this.timeSource = Objects.requireNonNull(timeSource, "timeSource");
            return this;
        }

        /** Jobs without their own expected duration count as stuck after this (default: never). */
        public Builder defaultExpectedDuration(Duration expected) {
            this.defaultExpectedDuration = JobSpec.Builder.requirePositive(expected, "defaultExpectedDuration");
            return this;
        }

        /** How often running jobs' progress is sampled for PROGRESS events (default 250 ms). */
        public Builder progressInterval(Duration interval) {
            this.progressInterval = JobSpec.Builder.requirePositive(interval, "progressInterval");
            return this;
        }

        /** The grace period {@link JobRuntime#close()} gives running jobs, in real time (default 10 s). */
        public Builder shutdownGrace(Duration grace) {
            Objects.requireNonNull(grace, "shutdownGrace");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("shutdownGrace must be zero or positive, was " + grace);
            }
            this.shutdownGrace = grace;
            return this;
        }

        /**
         * How many undelivered events each listener may fall behind by before newer ones are dropped for it
         * (default 10,000); see {@link JobListener}.
         */
        public Builder listenerBacklog(int max) {
            this.listenerBacklog = positive(max, "listenerBacklog");
            return this;
        }

        /** A name for logs, thread names and metrics (default "jobs"). */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("runtime name must not be blank");
            }
            this.name = name;
            return this;
        }

        /**
         * Builds and starts the runtime. If no SLF4J provider is bound (SLF4J would drop every log line, failed
         * jobs' stack traces included), says so once per JVM on stderr.
         */
        public JobRuntime build() {
            LoggingCheck.atRuntimeStart();
            return store == null ? new JobRuntimeImpl(this) : DurableJobRuntime.start(this);
        }

        private static int positive(int v, String what) {
            if (v < 1) {
                throw new IllegalArgumentException(what + " must be at least 1, was " + v);
            }
            return v;
        }
    }
}
