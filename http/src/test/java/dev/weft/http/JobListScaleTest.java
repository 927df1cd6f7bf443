package dev.weft.http;

import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.Retention;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page of the jobs list with 100,000 retained jobs answers quickly: the dashboard's list stays usable. Prints the
 * median and worst of 20 requests per query (the figures docs/dashboard.md quotes); asserts a generous bound only.
 */
class JobListScaleTest {

    private static final int JOBS = 100_000;

    @Test
    void aPageOfOneHundredThousandRetainedJobsAnswersWithinASecond() throws Exception {
        try (JobRuntime runtime = JobRuntime.builder().maxRunning(64).maxQueued(JOBS)
                .retention(Retention.keep(Duration.ofHours(1), JOBS)).shutdownGrace(Duration.ZERO).build();
             var server = WeftHttpServer.start(JobApi.builder(runtime)
                     .config(HttpConfig.builder().port(0).build()).build());
             var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            List<JobSpec<Integer>> specs = new ArrayList<>(JOBS);
            for (int i = 0; i < JOBS; i++) {
                int n = i;
                specs.add(JobSpec.named("job-" + i).key("k-" + i).group(i % 10 == 0 ? "tens" : "rest")
                        .body(Integer.class, ctx -> n));
            }
            for (JobHandle<Integer> h : runtime.submitAll(specs)) {
                assertThat(h.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            }
            assertThat(runtime.counts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(JOBS);

            for (String query : List.of("limit=50", "limit=50&offset=50000", "limit=50&state=SUCCEEDED&offset=99950",
                    "limit=50&q=job-4242", "limit=50&group=tens&offset=5000")) {
                long[] nanos = new long[20];
                for (int i = 0; i < nanos.length; i++) {
                    long t0 = System.nanoTime();
                    var r = http.send(HttpRequest.newBuilder(server.uri().resolve("/api/jobs?" + query)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    nanos[i] = System.nanoTime() - t0;
                    assertThat(r.statusCode()).isEqualTo(200);
                }
                Arrays.sort(nanos);
                System.out.printf("jobs list with %,d retained jobs, GET /api/jobs?%s: median %.1f ms, worst %.1f ms%n",
                        JOBS, query, nanos[nanos.length / 2] / 1e6, nanos[nanos.length - 1] / 1e6);
                assertThat(nanos[nanos.length / 2]).isLessThan(Duration.ofSeconds(1).toNanos());
            }
        }
    }
}
