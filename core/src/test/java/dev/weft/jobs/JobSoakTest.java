package dev.weft.jobs;

import dev.weft.testing.Waits;

import dev.weft.scope.Retry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pushes {@value #JOBS} jobs through one runtime: successes, failures, retried successes, jobs with subtasks,
 * cancellations and timeouts, then checks that every job ended exactly once, in the state its kind dictates,
 * and that the books balance. The thread-leak check runs after it like after every test.
 */
class JobSoakTest {

    static final int JOBS = 200_000;
    static final int IN_FLIGHT = 2_000;
    static final int RETAIN_PER_STATE = 1_000;

    /** What job {@code i} does, and so how it must end. */
    private static JobState expected(int i) {
        return switch (i % 10) {
            case 0, 1, 2, 3, 4, 6, 9 -> JobState.SUCCEEDED; // 6: retried once, 9: forks subtasks
            case 5 -> JobState.FAILED;
            case 7 -> JobState.CANCELLED;
            default -> JobState.TIMED_OUT;                  // 8
        };
    }

    private static JobSpec<Object> spec(int i) {
        var named = JobSpec.named("soak" + (i % 10)).key("k" + (i % 5_000));
        return switch (i % 10) {
            case 5 -> named.body(Object.class, ctx -> {
                throw new IOException("planned failure " + i);
            });
            case 6 -> named.retry(Retry.attempts(2).backoff(Duration.ZERO, 1, Duration.ZERO)).body(Object.class, ctx -> {
                if (ctx.attempt() == 1) {
                    throw new IOException("transient");
                }
                return i;
            });
            case 7 -> named.body(Object.class, ctx -> Waits.forever());
            case 8 -> named.timeout(Duration.ofMillis(1)).body(Object.class, ctx -> Waits.forever());
            case 9 -> named.body(Object.class, ctx -> {
                ctx.scope().fork("a", () -> i);
                ctx.scope().fork("b", () -> i);
                return i;
            });
            default -> named.body(Object.class, ctx -> i);
        };
    }

    @Test
    void everyOneOfTwoHundredThousandJobsEndsExactlyOnceInTheStateItsKindDictates() throws Exception {
        var permits = new Semaphore(IN_FLIGHT);
        Map<String, JobState> finished = new ConcurrentHashMap<>(JOBS * 2);
        Map<String, Integer> kindOf = new ConcurrentHashMap<>(JOBS * 2);
        var submittedEvents = new LongAdder();
        var duplicateFinished = new LongAdder();
        var eventsAfterFinished = new LongAdder();
        Map<JobState, LongAdder> finishedByState = new EnumMap<>(JobState.class);
        for (JobState s : JobState.values()) {
            finishedByState.put(s, new LongAdder());
        }
        var mismatched = new AtomicLong();
        var retention = Retention.keep(Duration.ofHours(1), RETAIN_PER_STATE);
        // 20,000 planned failures would each log a stack trace: keep the runtime's logger to errors meanwhile
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(JobRuntime.class);
        var level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.ERROR);
        long start = System.nanoTime();
        Map<JobState, Long> countsAtEnd;
        int retained;
        try (var rt = JobRuntime.builder().maxRunning(256).maxQueued(2 * IN_FLIGHT).retention(retention)
                .shutdownGrace(Duration.ZERO).build()) {
            rt.subscribe(e -> {
                String id = e.job().id();
                switch (e.type()) {
                    case SUBMITTED -> submittedEvents.increment();
                    case FINISHED -> {
                        JobState s = e.job().state();
                        if (finished.putIfAbsent(id, s) != null) {
                            duplicateFinished.increment();
                        }
                        finishedByState.get(s).increment();
                        permits.release();
                    }
                    default -> {
                        if (finished.containsKey(id)) {
                            eventsAfterFinished.increment();
                        }
                    }
                }
            });
            for (int i = 0; i < JOBS; i++) {
                permits.acquire();
                JobHandle<Object> h = rt.submit(spec(i));
                if (kindOf.putIfAbsent(h.id(), i) != null) {
                    // deduplicated onto a still-active job with the same key: no new job, give the permit back
                    permits.release();
                    continue;
                }
                if (i % 10 == 7) {
                    assertThat(h.cancel("soak cancels every tenth job")).isTrue();
                }
            }
            if (!permits.tryAcquire(IN_FLIGHT, 40, java.util.concurrent.TimeUnit.SECONDS)) { // every accepted job has ended
                var unfinished = kindOf.entrySet().stream().filter(e -> !finished.containsKey(e.getKey()))
                        .limit(20).map(e -> "kind " + e.getValue() % 10 + ": " + rt.find(e.getKey())).toList();
                throw new AssertionError((IN_FLIGHT - permits.availablePermits()) + " permits missing; accepted jobs "
                        + "without a FINISHED event (first 20): " + unfinished + "; counts " + rt.counts());
            }
            countsAtEnd = rt.counts();
            retained = rt.list(JobQuery.all().page(0, 1)).total();
            // the retained records agree with what the listener saw
            for (JobState s : new JobState[]{JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED, JobState.TIMED_OUT}) {
                for (JobRecord r : rt.list(JobQuery.all().states(s).page(0, JobQuery.MAX_LIMIT)).jobs()) {
                    if (finished.get(r.id()) != r.state()) {
                        mismatched.incrementAndGet();
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        logger.setLevel(level);

        long accepted = kindOf.size();
        long wrongState = kindOf.entrySet().stream()
                .filter(e -> finished.get(e.getKey()) != expected(e.getValue())).count();
        Map<JobState, Long> byState = new EnumMap<>(JobState.class);
        finishedByState.forEach((s, n) -> byState.put(s, n.sum()));
        System.out.printf("soak: %d submits, %d jobs accepted (%d deduplicated) in %.1f s = %.0f jobs/s; finished %s; "
                        + "retained %d, counts at end %s%n", JOBS, accepted, JOBS - accepted, seconds, accepted / seconds,
                byState, retained, countsAtEnd);

        assertThat(submittedEvents.sum()).isEqualTo(accepted);
        assertThat(finished).hasSize((int) accepted);
        assertThat(duplicateFinished.sum()).isZero();
        assertThat(eventsAfterFinished.sum()).isZero();
        assertThat(byState.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(accepted);
        assertThat(byState.get(JobState.QUEUED) + byState.get(JobState.RUNNING)).isZero();
        assertThat(wrongState).isZero();
        assertThat(mismatched.get()).isZero();
        assertThat(countsAtEnd.get(JobState.QUEUED) + countsAtEnd.get(JobState.RUNNING)).isZero();
        for (JobState s : JobState.values()) {
            if (s.isTerminal()) {
                assertThat(countsAtEnd.get(s)).isEqualTo(Math.min(RETAIN_PER_STATE, byState.get(s)));
            }
        }
        assertThat(retained).isLessThanOrEqualTo(4 * RETAIN_PER_STATE);
        assertThat(accepted).isGreaterThan(JOBS / 2);
    }
}
