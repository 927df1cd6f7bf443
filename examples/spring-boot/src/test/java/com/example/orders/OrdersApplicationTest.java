package com.example.orders;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** A smoke request against the application on a random port: submit an invoice run at /weft and read it back. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OrdersApplicationTest {

    @LocalServerPort
    int port;

    @Test
    void anInvoiceRunSubmittedOverHttpCanBeReadBack() throws Exception {
        URI base = URI.create("http://localhost:" + port);
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> submitted = http.send(HttpRequest.newBuilder(base.resolve("/weft/api/jobs"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"type\": \"invoice\", \"payload\": {\"order\": \"o-17\", \"lines\": 3}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
            String location = submitted.headers().firstValue("Location").orElseThrow();
            assertThat(location).startsWith("/weft/api/jobs/");

            var job = http.send(HttpRequest.newBuilder(base.resolve(location)).build(),
                    HttpResponse.BodyHandlers.ofString());
            var health = http.send(HttpRequest.newBuilder(base.resolve("/actuator/health/weft")).build(),
                    HttpResponse.BodyHandlers.ofString());
            var route = http.send(HttpRequest.newBuilder(base.resolve("/weft/api/orders/open")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(job.body()).contains("\"name\":\"invoice\"");
            assertThat(health.body()).contains("\"status\":\"UP\"");
            assertThat(route.body()).isEqualTo("{\"open\":3}");
        }
    }
}
