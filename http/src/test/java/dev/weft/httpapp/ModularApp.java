package dev.weft.httpapp;

import dev.weft.http.JobApi;
import dev.weft.http.WeftHttpServer;
import dev.weft.http.HttpConfig;
import dev.weft.jobs.JobRuntime;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * An application on the class path that uses weft-http and weft-core as named modules: {@link ModulePathTest}
 * runs it in a JVM of its own. Serves one finished job and prints {@code status} and body of
 * {@code GET /api/jobs/<id>} and of {@code GET /}, one per line; exits 0 unless something threw.
 */
public final class ModularApp {

    private ModularApp() {
    }

    public static void main(String[] args) throws Exception {
        if (!JobApi.class.getModule().isNamed()) {
            throw new IllegalStateException("weft-http is not a named module here: " + JobApi.class.getModule());
        }
        try (JobRuntime runtime = JobRuntime.builder().shutdownGrace(Duration.ZERO).build();
             JobApi api = JobApi.builder(runtime).config(HttpConfig.builder().port(0).build())
                     .staticResources("/web-root").build();
             WeftHttpServer server = WeftHttpServer.start(api);
             HttpClient http = HttpClient.newHttpClient()) {
            var job = runtime.submit("modular", ctx -> "served");
            job.await();
            for (String path : new String[] {"/api/jobs/" + job.id(), "/"}) {
                var request = HttpRequest.newBuilder(server.uri().resolve(path))
                        .timeout(Duration.ofSeconds(10)).build();
                var response = http.send(request, HttpResponse.BodyHandlers.ofString());
                System.out.println(response.statusCode() + " " + response.body().replace('\n', ' '));
            }
        }
    }
}
