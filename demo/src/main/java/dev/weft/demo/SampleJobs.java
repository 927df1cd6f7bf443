package dev.weft.demo;

import dev.weft.jobs.JobContext;
import dev.weft.jobs.JobSpec;
import dev.weft.scope.CurrentTask;
import dev.weft.scope.Join;
import dev.weft.scope.Retry;
import dev.weft.scope.Scope;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The demo's sample jobs, each exercising one part of the runtime for real, paced with short sleeps so that a
 * person can watch them on the dashboard (a few seconds each).
 */
final class SampleJobs {

    /** The samples by name, in the order the dashboard shows them. */
    static final Map<String, Supplier<JobSpec<?>>> ALL = new java.util.LinkedHashMap<>();

    static {
        ALL.put("crawl", SampleJobs::crawl);
        ALL.put("pipeline", SampleJobs::pipeline);
        ALL.put("fail-fast", SampleJobs::failFast);
        ALL.put("timeout", SampleJobs::timeout);
        ALL.put("retry", SampleJobs::retry);
    }

    private SampleJobs() {
    }

    /**
     * A crawl-like fan-out: pages are visited by tasks under a concurrency cap of 16; each page discovers 1 to 5
     * links, which add to the progress total and are forked as new tasks by the task that found them, until 3,000
     * pages have been discovered.
     */
    static JobSpec<Integer> crawl() {
        return JobSpec.named("crawl").body(ctx -> {
            var discovered = new AtomicInteger(1);
            int limit = 3_000;
            ctx.progress().setTotal(1);
            ctx.progress().step("crawling");
            try (var pages = Scope.named("pages").maxConcurrency(16).open(Join.<Integer>allSuccessful())) {
                pages.fork("page-0", () -> visit(ctx, pages, 0, discovered, limit));
                pages.join();
            }
            ctx.progress().message(discovered.get() + " pages visited");
            return discovered.get();
        });
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
    static JobSpec<String> pipeline() {
        return JobSpec.named("pipeline").body(ctx -> {
            List<String> steps = List.of("extract", "transform", "load", "verify");
            int rows = 25;
            ctx.progress().setTotal((long) steps.size() * rows);
            for (String step : steps) {
                ctx.progress().step(step);
                for (int r = 1; r <= rows; r++) {
                    Thread.sleep(60);
                    ctx.progress().message(step + ": " + r + "/" + rows + " batches");
                    ctx.progress().advance();
                }
            }
            return "4 steps, " + steps.size() * rows + " batches";
        });
    }

    /** A checkout whose payment task fails; the failure cancels its siblings (reason SIBLING_FAILED). */
    static JobSpec<Void> failFast() {
        return JobSpec.named("fail-fast").body(ctx -> {
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
                    throw new IllegalStateException("payment declined by the (simulated) bank");
                });
                checkout.join();
            }
            return null;
        });
    }

    /** A job that needs 10 s but has 3. */
    static JobSpec<Void> timeout() {
        return JobSpec.named("timeout").timeout(Duration.ofSeconds(3)).body(ctx -> {
            ctx.progress().setTotal(100);
            ctx.progress().step("slow work (timeout 3 s)");
            for (int i = 0; i < 100; i++) {
                Thread.sleep(100);
                ctx.progress().advance();
            }
            return null;
        });
    }

    /** Fails its first two attempts half-way, then succeeds on the third (Retry with backoff). */
    static JobSpec<String> retry() {
        return JobSpec.named("retry")
                .retry(Retry.attempts(3).backoff(Duration.ofMillis(500), 2.0, Duration.ofSeconds(2)))
                .body(ctx -> {
                    ctx.progress().setTotal(20);
                    ctx.progress().step("attempt " + ctx.attempt() + " of 3");
                    for (int i = 0; i < 20; i++) {
                        Thread.sleep(100);
                        if (ctx.attempt() < 3 && i == 10) {
                            throw new java.io.IOException("flaky upstream (attempt " + ctx.attempt() + ")");
                        }
                        ctx.progress().advance();
                    }
                    return "succeeded on attempt " + ctx.attempt();
                });
    }
}
