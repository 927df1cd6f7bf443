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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./weft cluster}, as a real process: three nodes serve one set of jobs; a node killed with SIGKILL is shown
 * dead by the others (their API, and their dashboard's nodes view in chromium when it is installed); SIGTERM
 * stops the rest.
 */
class ClusterDemoTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Pattern NODE = Pattern.compile("node-(\\d)\\s+http://127\\.0\\.0\\.1:(\\d+)/\\s+pid (\\d+)");

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void threeNodesServeOneSetOfJobsAKilledOneIsShownDeadAndSigtermStopsTheRest() throws Exception {
        int first = freePorts();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process launcher = new ProcessBuilder(java, "--enable-preview", "-cp", System.getProperty("java.class.path"),
                ClusterDemo.class.getName(), "--first-port", Integer.toString(first))
                .redirectErrorStream(true).start();
        List<Long> pids = new ArrayList<>();
        Map<Integer, Long> pidOfNode = new ConcurrentHashMap<>();
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
                        pidOfNode.put(Integer.parseInt(m.group(1)), Long.parseLong(m.group(3)));
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

            // a long job: the node running it shows its tree; another node says where it runs
            var crawl = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first + "/api/jobs"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"crawl\",\"payload\":{\"pages\":1000000}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(crawl.statusCode()).as(crawl.body()).isEqualTo(201);
            String crawlId = JSON.readTree(crawl.body()).get("id").asText();
            String runner = awaitRunner(http, first, crawlId);
            int runnerPort = first + Integer.parseInt(runner.substring("node-".length())) - 1;
            int viewerPort = runnerPort == first ? first + 1 : first;
            var tree = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + viewerPort
                    + "/api/jobs/" + crawlId + "/tree")).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(tree.get("runsOn").asText()).as("another node names the node running the job")
                    .isEqualTo(runner);
            if (Browser.browserInstalledOrRequired()) {
                try (Browser browser = Browser.start("cluster-job", 1280, 800)) {
                    browser.navigate("http://127.0.0.1:" + viewerPort + "/#/jobs/" + crawlId);
                    browser.find("#tree [data-runs-on='" + runner + "']", Duration.ofSeconds(30));
                    browser.find("#logs [data-runs-on='" + runner + "']", Duration.ofSeconds(30));
                    browser.screenshot("seen-from-another-node");
                    browser.navigate("http://127.0.0.1:" + runnerPort + "/#/jobs/" + crawlId);
                    browser.await("const t = document.getElementById('tree');"
                            + " return t !== null && Number(t.dataset.tasks) > 0", Duration.ofSeconds(30),
                            "the running node's page shows the job's running tasks");
                    browser.screenshot("on-its-node");
                }
            }
            var cancel = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + viewerPort + "/api/jobs/"
                            + crawlId + "/cancel")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);

            ProcessHandle third = ProcessHandle.of(pidOfNode.get(3)).orElseThrow();
            assertThat(third.destroyForcibly()).as("SIGKILL sent to node-3").isTrue();
            third.onExit().get(60, TimeUnit.SECONDS);
            String states = awaitNodeStates(http, first, "node-3", "DEAD", Duration.ofSeconds(90));
            assertThat(states).as("node-1 sees node-1 and node-2 alive, node-3 dead")
                    .contains("node-1=ALIVE").contains("node-2=ALIVE").contains("node-3=DEAD");
            if (Browser.browserInstalledOrRequired()) {
                try (Browser browser = Browser.start("cluster-nodes", 1280, 600)) {
                    browser.navigate("http://127.0.0.1:" + (first + 1) + "/#/nodes");
                    browser.await("return document.querySelectorAll('#nodes tr.node').length === 3"
                            + " && document.querySelector(\"#nodes tr.node[data-state='DEAD']\") !== null",
                            Duration.ofSeconds(30), "node-2's nodes view lists three nodes, one dead");
                    assertThat(browser.text()).contains("node-3").contains("dead").contains("alive");
                    Path shot = browser.screenshot("one-killed");
                    String docs = System.getProperty("weft.docsScreenshots"); // see DashboardDocsScreenshots
                    if (docs != null && !docs.isBlank() && shot != null) {
                        Files.copy(shot, Path.of(docs, "dashboard-nodes.png"), StandardCopyOption.REPLACE_EXISTING);
                    }
                    browser.navigate("http://127.0.0.1:" + (first + 1) + "/#/jobs/" + id);
                    browser.find("#view-job:not([hidden])", Duration.ofSeconds(30));
                    browser.await("return document.body.innerText.includes('" + id + "')", Duration.ofSeconds(30),
                            "node-2's page of the job submitted on node-1");
                    browser.screenshot("job-on-another-node");
                }
            }
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

    /**
     * Polls {@code /api/nodes} of the node on {@code port} until {@code node} is in {@code state}; returns every
     * node's {@code name=STATE}. It waits on other processes (the heartbeat checks of the nodes), so it polls.
     */
    private static String awaitNodeStates(HttpClient http, int port, String node, String state, Duration max)
            throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        var mapper = new ObjectMapper();
        String last = "";
        while (System.nanoTime() - deadline < 0) {
            var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/nodes"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            StringBuilder states = new StringBuilder();
            boolean found = false;
            for (var n : mapper.readTree(r.body()).get("nodes")) {
                String name = n.get("name").asText(), s = n.get("state").asText();
                states.append(name).append('=').append(s).append(' ');
                found |= name.equals(node) && s.equals(state);
            }
            last = states.toString();
            if (found) {
                return last;
            }
            new CountDownLatch(1).await(200, TimeUnit.MILLISECONDS); // the next heartbeat check is due
        }
        throw new AssertionError(node + " not " + state + " within " + max + "; nodes: " + last);
    }

    /** Polls job {@code id} on the node at {@code port} until it runs; returns the name of the node running it. */
    private static String awaitRunner(HttpClient http, int port, String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            var job = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/api/jobs/" + id)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            if (job.hasNonNull("node")) {
                String nodeId = job.get("node").asText();
                var nodes = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/api/nodes")).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).get("nodes");
                for (var n : nodes) {
                    if (n.get("id").asText().equals(nodeId)) {
                        return n.get("name").asText();
                    }
                }
            }
            assertThat(System.nanoTime() - deadline).as("job %s started: %s", id, job).isNegative();
            new CountDownLatch(1).await(100, TimeUnit.MILLISECONDS); // it is claimed by another process
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
