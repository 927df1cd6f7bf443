package dev.weft.http;

import dev.weft.jobs.JobRuntime;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Closing the server ends its event streams as complete responses, never as cut connections. */
class ServerCloseTest {

    @Test
    void closingTheServerEndsEveryOpenEventStreamWithItsLastChunk() throws Exception {
        // the stream's slot is freed before its last chunk is written: a close that went by the slot alone
        // could cut the connection in between, which the client reads as a broken chunked response
        for (int round = 0; round < 40; round++) {
            try (JobRuntime runtime = JobRuntime.builder().shutdownGrace(Duration.ZERO).build();
                 var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                var server = WeftHttpServer.start(JobApi.builder(runtime)
                        .config(HttpConfig.builder().port(0).build()).build());
                var streams = new java.util.ArrayList<java.util.concurrent.CompletableFuture<HttpResponse<String>>>();
                for (int i = 0; i < 4; i++) {
                    streams.add(http.sendAsync(HttpRequest.newBuilder(server.uri().resolve("/api/events")).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (server.api().openEventStreams() < 4) { // the four requests reach the server
                    assertThat(System.nanoTime() - deadline).as("four streams open").isNegative();
                    Thread.onSpinWait();
                }
                runtime.submit("last", ctx -> 1).await();

                server.close();

                for (var s : streams) {
                    var r = s.get(30, TimeUnit.SECONDS); // a cut stream fails here (chunked transfer encoding)
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(r.body()).contains(": connected");
                }
            }
        }
    }
}
