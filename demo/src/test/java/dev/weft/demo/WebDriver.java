package dev.weft.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A minimal W3C WebDriver client over java.net.http, driving Debian's chromedriver and headless chromium: just
 * what the browser test needs (navigate, find, click, run a script). No Selenium, no browser download.
 */
final class WebDriver implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getProperty("weft.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("weft.chromedriver", "/usr/bin/chromedriver"));
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process driver;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final Path profile;
    private String session;

    private WebDriver(Process driver, URI base, Path profile) {
        this.driver = driver;
        this.base = base;
        this.profile = profile;
    }

    /** Starts chromedriver on a free loopback port and opens a headless chromium session. */
    static WebDriver start() throws Exception {
        int port;
        try (var s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Path profile = Files.createTempDirectory("weft-chromium-");
        var wd = new WebDriver(p, URI.create("http://127.0.0.1:" + port), profile);
        try {
            wd.awaitReady();
            var args = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--user-data-dir=" + profile);
            JsonNode r = wd.call("POST", "/session", Map.of("capabilities", Map.of("alwaysMatch", Map.of(
                    "browserName", "chrome",
                    "goog:chromeOptions", Map.of("binary", CHROMIUM.toString(), "args", args)))));
            wd.session = r.get("sessionId").asText();
            return wd;
        } catch (Exception e) {
            wd.close();
            throw e;
        }
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                if (call("GET", "/status", null).get("ready").asBoolean()) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline || !driver.isAlive()) {
                throw new IllegalStateException("chromedriver did not become ready (alive: " + driver.isAlive() + ")");
            }
            Thread.sleep(100);
        }
    }

    private JsonNode call(String method, String path, Object body) throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        var r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode value = JSON.readTree(r.body()).get("value");
        if (r.statusCode() >= 400) {
            throw new IllegalStateException("webdriver " + method + " " + path + " -> " + r.statusCode() + ": " + value);
        }
        return value;
    }

    private String s(String path) {
        return "/session/" + session + path;
    }

    void navigate(String url) throws Exception {
        call("POST", s("/url"), Map.of("url", url));
    }

    /** The element matching {@code css}, waiting up to {@code timeout} for it to appear. */
    String find(String css, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return call("POST", s("/element"), Map.of("using", "css selector", "value", css)).get(ELEMENT).asText();
            } catch (IllegalStateException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no element " + css + " within " + timeout, e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Types {@code text} into an input element. */
    void type(String element, String text) throws Exception {
        call("POST", s("/element/" + element + "/value"), Map.of("text", text));
    }

    /** The URL of the page the browser shows. */
    String currentUrl() throws Exception {
        return call("GET", s("/url"), null).asText();
    }

    /** Waits until {@code script} returns true in the page, at most {@code timeout}. */
    void await(String script, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!script(script).asBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen within " + timeout + "; the page shows: "
                        + script("return document.body ? document.body.innerText : ''").asText());
            }
            Thread.sleep(100);
        }
    }

    void click(String element) throws Exception {
        call("POST", s("/element/" + element + "/click"), Map.of());
    }

    /** Runs {@code script} in the page and returns its value. */
    JsonNode script(String script, Object... args) throws Exception {
        return call("POST", s("/execute/sync"), Map.of("script", script, "args", List.of(args)));
    }

    @Override
    public void close() throws Exception {
        try {
            if (session != null) {
                call("DELETE", s(""), null);
            }
        } catch (Exception ignored) {
            // the driver goes next anyway
        } finally {
            driver.descendants().forEach(ProcessHandle::destroy);
            driver.destroy();
            if (!driver.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
            driver.descendants().forEach(ProcessHandle::destroyForcibly);
            http.close();
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
