package dev.weft.demo;

import dev.weft.jobs.JobContext;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.JobType;
import dev.weft.scope.CurrentTask;
import dev.weft.scope.Join;
import dev.weft.scope.Retry;
import dev.weft.scope.Scope;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The demo's sample jobs, each exercising one part of the runtime for real, paced with short sleeps so that a
 * person can watch them on the dashboard (a few seconds each). They are typed jobs ({@link JobType}), so the same
 * samples run in memory and on PostgreSQL.
 */
final class SampleJobs {

    private static final Logger LOG = LoggerFactory.getLogger(SampleJobs.class);

    /** How many pages a crawl visits. */
    record Crawl(int pages) {
    }

    /** How many batches each step of a pipeline processes. */
    record Pipeline(int batchesPerStep) {
    }

    static final JobType<Crawl, Integer> CRAWL = JobType.of("crawl", Crawl.class, Integer.class, SampleJobs::crawl);
    static final JobType<Pipeline, String> PIPELINE =
            JobType.of("pipeline", Pipeline.class, String.class, SampleJobs::pipeline);
    static final JobType<Void, Void> FAIL_FAST = JobType.of("fail-fast", Void.class, Void.class,
            (ctx, none) -> failFast(ctx));
    static final JobType<Void, Void> TIMEOUT = JobType.of("timeout", Void.class, Void.class,
            (ctx, none) -> timeout(ctx));
    static final JobType<Void, String> RETRY = JobType.of("retry", Void.class, String.class,
            (ctx, none) -> retry(ctx))
            .withRetry(Retry.attempts(3).backoff(Duration.ofMillis(500), 2.0, Duration.ofSeconds(2)));

    /** Every sample's type, for registration. */
    static final JobType<?, ?>[] TYPES = {CRAWL, PIPELINE, FAIL_FAST, TIMEOUT, RETRY};

    /** The samples by name, in the order the dashboard shows them. */
    static final Map<String, Supplier<JobSpec<?>>> ALL = new java.util.LinkedHashMap<>();

    static {
        ALL.put("crawl", () -> JobSpec.of(CRAWL, new Crawl(3_000)));
        ALL.put("pipeline", () -> JobSpec.of(PIPELINE, new Pipeline(25)));
        ALL.put("fail-fast", () -> JobSpec.of(FAIL_FAST, null));
        ALL.put("timeout", () -> JobSpec.named("timeout").timeout(Duration.ofSeconds(3)).run(TIMEOUT, null));
        ALL.put("retry", () -> JobSpec.of(RETRY, null));
    }

    private SampleJobs() {
    }

    /**
     * A crawl-like fan-out: pages are visited by tasks under a concurrency cap of 16; each page discovers 1 to 5
     * links, which add to the progress total and are forked as new tasks by the task that found them, until 3,000
     * pages have been discovered.
     */
    static Integer crawl(JobContext ctx, Crawl crawl) throws InterruptedException {
        var discovered = new AtomicInteger(1);
        int limit = crawl.pages();
        ctx.progress().setTotal(1);
        ctx.progress().step("crawling");
        LOG.info("crawl of {} pages starting, 16 at a time", limit);
        try (var pages = Scope.named("pages").maxConcurrency(16).open(Join.<Integer>allSuccessful())) {
            pages.fork("page-0", () -> visit(ctx, pages, 0, discovered, limit));
            pages.join();
        }
        ctx.progress().message(discovered.get() + " pages visited");
        LOG.info("crawl done: {} pages visited", discovered.get());
        return discovered.get();
    }

    private static Integer visit(JobContext ctx, Scope<Integer, ?> pages, int page, AtomicInteger discovered,
                                 int limit) throws InterruptedException {
        var rnd = ThreadLocalRandom.current();
        Thread.sleep(rnd.nextInt(20, 60)); // fetch
        int links = rnd.nextInt(1, 6); // at least one, so that the crawl always runs on to the limit
        for (int i = 0; i < links; i++) {
            int n = discovered.getAndIncrement();
            if (n >= limit) {
                discovered.decrementAndGet();
                break;
            }
            ctx.progress().addTotal(1);
            pages.fork("page-" + n, () -> visit(ctx, pages, n, discovered, limit));
        }
        ctx.progress().advance();
        return page;
    }

    /** A pipeline of named steps, each reporting a message as it goes. */
    static String pipeline(JobContext ctx, Pipeline pipeline) throws InterruptedException {
        List<String> steps = List.of("extract", "transform", "load", "verify");
        int rows = pipeline.batchesPerStep();
        ctx.progress().setTotal((long) steps.size() * rows);
        for (String step : steps) {
            ctx.progress().step(step);
            LOG.info("step {} starting: {} batches", step, rows);
            for (int r = 1; r <= rows; r++) {
                Thread.sleep(60);
                ctx.progress().message(step + ": " + r + "/" + rows + " batches");
                ctx.progress().advance();
            }
        }
        return "4 steps, " + steps.size() * rows + " batches";
    }

    /** A checkout whose payment task fails; the failure cancels its siblings (reason SIBLING_FAILED). */
    static Void failFast(JobContext ctx) throws InterruptedException {
        ctx.progress().setTotal(4);
        ctx.progress().step("checkout");
        try (var checkout = Scope.named("checkout").open(Join.<Object>allSuccessful())) {
            for (String name : List.of("inventory", "shipping", "fraud-check")) {
                checkout.fork(name, () -> {
                    try {
                        for (int i = 0; i < 100; i++) {
                            Thread.sleep(100);
                        }
                        ctx.progress().advance();
                        return name;
                    } catch (InterruptedException e) {
                        ctx.progress().message(name + " cancelled: "
                                + CurrentTask.cancellationReason().map(Object::toString).orElse("?"));
                        throw e;
                    }
                });
            }
            checkout.fork("payment", () -> {
                Thread.sleep(1_500);
                LOG.warn("payment declined; the checkout's other tasks will be cancelled");
                throw new IllegalStateException("payment declined by the (simulated) bank");
            });
            checkout.join();
        }
        return null;
    }

    /** A job that needs 10 s but has 3. */
    static Void timeout(JobContext ctx) throws InterruptedException {
        ctx.progress().setTotal(100);
        ctx.progress().step("slow work (timeout 3 s)");
        for (int i = 0; i < 100; i++) {
            Thread.sleep(100);
            ctx.progress().advance();
        }
        return null;
    }

    /** Fails its first two attempts half-way, then succeeds on the third (Retry with backoff). */
    static String retry(JobContext ctx) throws Exception {
        ctx.progress().setTotal(20);
        ctx.progress().step("attempt " + ctx.attempt() + " of 3");
        LOG.info("attempt {} of 3 starting", ctx.attempt());
        for (int i = 0; i < 20; i++) {
            Thread.sleep(100);
            if (ctx.attempt() < 3 && i == 10) {
                throw new java.io.IOException("flaky upstream (attempt " + ctx.attempt() + ")");
            }
            ctx.progress().advance();
        }
        return "succeeded on attempt " + ctx.attempt();
    }
}
