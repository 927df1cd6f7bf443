package dev.weft.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./weft cluster}, as a real process: three nodes serve one set of jobs, and SIGTERM stops them all. */
class ClusterDemoTest {

    private static final Pattern NODE = Pattern.compile("node-(\\d)\\s+http://127\\.0\\.0\\.1:(\\d+)/\\s+pid (\\d+)");

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void threeNodesServeOneSetOfJobsAndSigtermStopsThemAndTheDatabase() throws Exception {
        int first = freePorts();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process launcher = new ProcessBuilder(java, "--enable-preview", "-cp", System.getProperty("java.class.path"),
                ClusterDemo.class.getName(), "--first-port", Integer.toString(first))
                .redirectErrorStream(true).start();
        List<Long> pids = new ArrayList<>();
        var listed = new CountDownLatch(3);
        var serving = new CountDownLatch(3);
        Thread reader = new Thread(() -> {
            try (var in = new BufferedReader(new InputStreamReader(launcher.getInputStream()))) {
                String line;
                while ((line = in.readLine()) != null) {
                    Matcher m = NODE.matcher(line);
                    if (m.find()) {
                        synchronized (pids) {
                            pids.add(Long.parseLong(m.group(3)));
                        }
                        listed.countDown();
                    }
                    if (line.startsWith("Weft demo serving on")) {
                        serving.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the launcher ended
            }
        }, "cluster-demo-output");
        reader.setDaemon(true);
        reader.start();
        try (HttpClient http = HttpClient.newHttpClient()) {
            assertThat(listed.await(4, TimeUnit.MINUTES)).as("the launcher listed three nodes").isTrue();
            assertThat(serving.await(4, TimeUnit.MINUTES)).as("three nodes serve").isTrue();
            var submit = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first
                            + "/api/demo/jobs?sample=pipeline")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(submit.statusCode()).as(submit.body()).isEqualTo(201);
            String id = new ObjectMapper().readTree(submit.body()).get("id").asText();
            var seen = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (first + 2) + "/api/jobs/"
                    + id)).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(seen.statusCode()).as("the third node knows the job submitted on the first").isEqualTo(200);
        } finally {
            launcher.destroy(); // SIGTERM, as Ctrl-C would
            boolean exited = launcher.waitFor(90, TimeUnit.SECONDS);
            if (!exited) {
                launcher.destroyForcibly();
            }
            assertThat(exited).as("the launcher stopped within 90 s of SIGTERM").isTrue();
        }
        synchronized (pids) {
            assertThat(pids).hasSize(3);
            for (long pid : pids) {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                        .as("node process %s stopped", pid).isFalse();
            }
        }
    }

    /** The first of three consecutive ports that are free now. */
    private static int freePorts() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (var probe = new ServerSocket(0)) {
                base = probe.getLocalPort();
            }
            if (base > 65000) {
                continue;
            }
            try (var a = new ServerSocket(base); var b = new ServerSocket(base + 1); var c = new ServerSocket(base + 2)) {
                return base;
            } catch (IOException taken) {
                // try another base
            }
        }
        throw new IOException("no three consecutive free ports found");
    }
}
