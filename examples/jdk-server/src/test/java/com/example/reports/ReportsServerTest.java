package com.example.reports;

import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A smoke request against the running example: submit a report over HTTP and read it back. */
class ReportsServerTest {

    @Test
    void aReportSubmittedOverHttpCanBeReadBack() throws Exception {
        try (ReportsServer app = ReportsServer.start(0);
             HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpResponse<String> submitted = http.send(HttpRequest.newBuilder(app.uri().resolve("/api/jobs"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"type\": \"report\", \"payload\": {\"customer\": \"acme\", \"months\": 2}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, submitted.statusCode(), submitted.body());
            String location = submitted.headers().firstValue("Location").orElseThrow();

            HttpResponse<String> job = http.send(HttpRequest.newBuilder(app.uri().resolve(location)).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> hello = http.send(HttpRequest.newBuilder(app.uri().resolve("/api/hello?name=weft"))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, job.statusCode());
            assertTrue(job.body().contains("\"name\":\"report\""), job.body());
            assertEquals("{\"hello\":\"weft\"}", hello.body());
        }
    }
}
