package dev.weft.http;

import com.sun.net.httpserver.HttpServer;
import dev.weft.jobs.JobRuntime;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard that JobApi serves by default, at the root and under a prefix. */
class DashboardResourcesTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final List<String> FILES = List.of("index.html", "app.js", "style.css");

    @Test
    void everyJobApiServesTheDashboardUnlessToldNotTo() throws Exception {
        try (var f = new ServerFixture(b -> b)) {
            var index = f.send("GET", "/", null);
            var script = f.send("GET", "/app.js", null);

            assertThat(index.statusCode()).isEqualTo(200);
            assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(index.body()).contains("<title>Weft");
            assertThat(script.statusCode()).isEqualTo(200);
            assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        }
        try (var f = new ServerFixture(b -> b, api -> api.dashboard(false))) {
            assertThat(f.send("GET", "/", null).statusCode()).isEqualTo(404);
            assertThat(f.send("GET", "/app.js", null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void theDashboardUsesOnlyRelativeUrls() throws Exception {
        // an absolute path ('/api/...', href="/...") would leave a prefix such as /weft/ behind
        Pattern absolute = Pattern.compile("(['\"`])/(api|[a-z]+\\.(js|css|html))|(href|src|action)=\"/");
        for (String file : FILES) {
            try (InputStream in = JobApi.class.getResourceAsStream("/dev/weft/http/dashboard/" + file)) {
                assertThat(in).as(file).isNotNull();
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(absolute.matcher(text).results().map(m -> m.group()).toList()).as(file).isEmpty();
            }
        }
    }

    @Test
    void underAPrefixTheAdapterStripsItAndRedirectsTheBarePrefix() throws Exception {
        try (JobRuntime runtime = JobRuntime.builder().shutdownGrace(Duration.ZERO).build();
             var api = JobApi.builder(runtime).build();
             var executor = Executors.newVirtualThreadPerTaskExecutor();
             var http = HttpClient.newBuilder().connectTimeout(WAIT).build()) {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.setExecutor(executor);
            server.createContext("/weft", new JdkHttpServerAdapter(api));
            server.start();
            try {
                URI base = URI.create("http://localhost:" + server.getAddress().getPort());
                var bare = http.send(HttpRequest.newBuilder(base.resolve("/weft")).timeout(WAIT).build(),
                        HttpResponse.BodyHandlers.ofString());
                var page = http.send(HttpRequest.newBuilder(base.resolve("/weft/")).timeout(WAIT).build(),
                        HttpResponse.BodyHandlers.ofString());
                var jobs = http.send(HttpRequest.newBuilder(base.resolve("/weft/api/jobs")).timeout(WAIT).build(),
                        HttpResponse.BodyHandlers.ofString());

                assertThat(bare.statusCode()).isEqualTo(301);
                assertThat(bare.headers().firstValue("Location")).hasValue("/weft/");
                assertThat(page.statusCode()).isEqualTo(200);
                assertThat(page.body()).contains("<title>Weft");
                assertThat(jobs.statusCode()).isEqualTo(200);
                assertThat(ServerFixture.json(jobs.body()).get("total").asInt()).isZero();
            } finally {
                server.stop(0);
            }
        }
    }
}
