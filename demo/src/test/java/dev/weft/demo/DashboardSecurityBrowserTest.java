package dev.weft.demo;

import com.sun.net.httpserver.HttpServer;
import dev.weft.http.HttpConfig;
import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobQuery;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard and the API in headless chromium: pages of another origin change nothing, a token is asked for
 * and used, a refused event stream is retried, and a resume past the replay log refetches the jobs.
 * Needs chromium and chromedriver (see {@link Browser}).
 */
class DashboardSecurityBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private DemoServer demo;
    private Browser browser;
    private HttpServer attacker;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void startBrowser(org.junit.jupiter.api.TestInfo test) throws Exception {
        browser = Browser.start("security-" + test.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        try {
            if (browser != null) {
                browser.screenshot("end");
                browser.close();
            }
        } finally {
            if (attacker != null) {
                attacker.stop(0);
                ((java.util.concurrent.ExecutorService) attacker.getExecutor()).close();
            }
            if (demo != null) {
                demo.close();
            }
        }
    }

    private JobHandle<String> longJob(String name) {
        return demo.runtime().submit(JobSpec.named(name).body(ctx -> {
            release.await();
            return "done";
        }));
    }

    /** Serves {@code html} at every path of a second origin (another port on loopback). */
    private String attackerPage(String html) throws Exception {
        attacker = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        attacker.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        attacker.createContext("/", ex -> {
            byte[] b = html.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, b.length);
            try (var out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        attacker.start();
        return "http://127.0.0.1:" + attacker.getAddress().getPort();
    }

    @Test
    void aCrossOriginFormPostAndANoCorsFetchChangeNothing() throws Exception {
        demo = DemoServer.start(HttpConfig.builder().port(0).build());
        var victim = longJob("victim");
        int jobsBefore = demo.runtime().list(JobQuery.all()).total();
        String target = demo.uri().toString();
        // a text/plain form body that reads as JSON, and a no-cors fetch that asks for a JSON type it cannot send
        String origin = attackerPage("""
                <!doctype html><html><body>
                <form id="f" method="POST" enctype="text/plain" action="%1$s/api/jobs/%2$s/cancel?reason=csrf">
                  <input name='{"reason":"csrf","x":"' value='"}'>
                </form>
                <script>
                  if (location.pathname === '/form') {
                    document.getElementById('f').submit();
                  } else {
                    Promise.allSettled([
                      fetch('%1$s/api/demo/jobs?sample=pipeline', {method: 'POST', mode: 'no-cors',
                            headers: {'Content-Type': 'application/json'}, body: '{}'}),
                      fetch('%1$s/api/jobs/%2$s/cancel', {method: 'POST', mode: 'no-cors',
                            headers: {'Content-Type': 'application/json'}, body: '{"reason":"csrf"}'})
                    ]).then(() => { document.title = 'sent'; });
                  }
                </script></body></html>
                """.formatted(target, victim.id()));

        browser.navigate(origin + "/fetch");
        browser.await("return document.title === 'sent'", WAIT, "the no-cors fetches");
        browser.navigate(origin + "/form");
        browser.await("return location.href.startsWith('" + target + "') && document.readyState === 'complete'",
                WAIT, "the form post");
        String answer = browser.text();

        assertThat(answer).contains("\"status\":403");
        assertThat(demo.runtime().get(victim.id()).state()).isEqualTo(JobState.RUNNING);
        assertThat(demo.runtime().get(victim.id()).cancellationReason()).isNull();
        assertThat(demo.runtime().list(JobQuery.all()).total()).isEqualTo(jobsBefore);
    }

    @Test
    void theDashboardAsksForTheTokenKeepsItAndShowsJobsLive() throws Exception {
        demo = DemoServer.start(HttpConfig.builder().port(0).bearerToken("s3cret").build());
        browser.navigate(demo.uri() + "/");

        browser.find("#login:not([hidden])", WAIT);
        browser.find("#token", WAIT).sendKeys("wrong");
        browser.click("#login button", WAIT);
        browser.await("return document.getElementById('login-why').textContent === 'wrong token'", WAIT,
                "refusing a wrong token");
        browser.script("document.getElementById('token').value = ''");
        browser.find("#token", WAIT).sendKeys("s3cret");
        browser.click("#login button", WAIT);

        browser.find("#conn.live", WAIT);
        browser.click("button[data-sample='pipeline']", WAIT);
        browser.find(".run[data-name='pipeline']", WAIT);
        browser.await("const b = document.querySelector(\".run[data-name='pipeline'] progress.bar\");"
                + " return b !== null && b.value > 0", WAIT, "the pipeline's bar moving (events over the cookie)");
        assertThat(browser.script("return sessionStorage.getItem('weft-token')")).isEqualTo("s3cret");
        assertThat(browser.script("return document.getElementById('login').hidden")).isEqualTo(true);
    }

    @Test
    void theDashboardReconnectsWithBackoffAfterTheStreamCapRefusedIt() throws Exception {
        demo = DemoServer.start(HttpConfig.builder().port(0).maxEventStreams(1).build());
        try (var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<InputStream> occupant = http.send(HttpRequest.newBuilder(demo.uri().resolve("/api/events"))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(occupant.statusCode()).isEqualTo(200);

            try {
                browser.navigate(demo.uri() + "/");
                browser.await("return document.getElementById('conn').textContent.startsWith('reconnecting in')",
                        WAIT, "the page noticing the refused stream");
            } finally {
                occupant.body().close();
            }

            browser.find("#conn.live", Duration.ofSeconds(40));
        }
        longJob("seen-live");
        browser.find(".run[data-name='seen-live']", WAIT);
    }

    @Test
    void aResumeOlderThanTheReplayLogMakesTheDashboardRefetchTheJobs() throws Exception {
        demo = DemoServer.start(HttpConfig.builder().port(0).replayEvents(3).build());
        browser.navigate(demo.uri() + "/");
        browser.find("#conn.live", WAIT);
        browser.script("weft.closeStream();");

        demo.runtime().submit("missed", ctx -> 1).await();     // its events leave the 3-event log ...
        for (int i = 0; i < 2; i++) {
            demo.runtime().submit("filler", ctx -> 1).await(); // ... pushed out by these
        }
        browser.script("weft.resumeFrom('1');");

        browser.find("#recent tr.job[data-name='missed'][data-state='SUCCEEDED']", WAIT);
    }
}
