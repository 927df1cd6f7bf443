package dev.weft.demo;

import dev.weft.http.ApiRequest;
import dev.weft.http.ApiResponse;
import dev.weft.http.JobApi;
import dev.weft.http.Responses;
import dev.weft.scope.Join;
import dev.weft.scope.Outcome;
import dev.weft.scope.Scope;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code GET /api/quote?item=x}: asks three simulated backends at once under a 200 ms deadline with
 * {@link Join#allSettled()} and answers with the quotes that arrived in time, naming those that did not.
 */
final class QuoteEndpoint implements JobApi.Handler {

    static final Duration DEADLINE = Duration.ofMillis(200);

    /** A simulated backend: latency between min and max ms; {@code slowOdds} of the time, 600 ms instead. */
    record Backend(String name, int minMs, int maxMs, double slowOdds) {
    }

    record Quote(String backend, String item, long priceCents, long latencyMs) {
    }

    static final List<Backend> BACKENDS = List.of(
            new Backend("acme", 20, 80, 0.0),
            new Backend("globex", 40, 150, 0.0),
            new Backend("initech", 30, 120, 0.4));

    @Override
    public ApiResponse handle(ApiRequest req, Responses res) throws Exception {
        String item = req.param("item").orElse("").trim();
        if (item.isEmpty() || item.length() > 100) {
            return res.error(400, "give an item: /api/quote?item=book (at most 100 characters)", req);
        }
        long start = System.nanoTime();
        List<Outcome<Quote>> outcomes;
        try (var scope = Scope.named("quote").deadline(DEADLINE).open(Join.<Quote>allSettled())) {
            for (Backend b : BACKENDS) {
                scope.fork(b.name(), () -> ask(b, item));
            }
            outcomes = scope.join();
        }
        var arrived = new ArrayList<Quote>();
        var missing = new ArrayList<Map<String, Object>>();
        for (Outcome<Quote> o : outcomes) {
            switch (o) {
                case Outcome.Success<Quote> s -> arrived.add(s.value());
                case Outcome.TimedOut<Quote> t -> missing.add(Map.of("backend", t.task(), "outcome", "TimedOut",
                        "reason", t.reason().toString()));
                case Outcome.Failure<Quote> f -> missing.add(Map.of("backend", f.task(), "outcome", "Failure",
                        "reason", String.valueOf(f.exception())));
                case Outcome.Cancelled<Quote> c -> missing.add(Map.of("backend", c.task(), "outcome", "Cancelled",
                        "reason", c.reason().toString()));
            }
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("item", item);
        body.put("deadline", DEADLINE);
        body.put("tookMs", (System.nanoTime() - start) / 1_000_000);
        body.put("quotes", arrived);
        body.put("missing", missing);
        return res.json(200, body);
    }

    private static Quote ask(Backend b, String item) throws InterruptedException {
        var rnd = ThreadLocalRandom.current();
        long latency = rnd.nextDouble() < b.slowOdds() ? 600 : rnd.nextInt(b.minMs(), b.maxMs() + 1);
        Thread.sleep(latency);
        long price = 1_000 + Math.floorMod((item + b.name()).hashCode(), 9_000);
        return new Quote(b.name(), item, price, latency);
    }
}
