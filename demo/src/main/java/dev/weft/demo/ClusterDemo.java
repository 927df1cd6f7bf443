package dev.weft.demo;

import dev.weft.postgres.LocalPostgres;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./weft cluster}: a local PostgreSQL and three demo nodes on it, each a process of its own serving the
 * dashboard on 127.0.0.1:8081, 8082 and 8083 ({@code --first-port N}: N to N+2). Ctrl-C (or SIGTERM) stops the
 * nodes (SIGTERM, gracefully), then the database, and removes its data.
 */
public final class ClusterDemo {

    static final int FIRST_PORT = 8081;
    static final int NODES = 3;

    private ClusterDemo() {
    }

    public static void main(String[] args) throws Exception {
        int firstPort = FIRST_PORT;
        if (args.length == 2 && args[0].equals("--first-port") && args[1].matches("[0-9]{1,5}")
                && Integer.parseInt(args[1]) >= 1 && Integer.parseInt(args[1]) <= 65535 - NODES) {
            firstPort = Integer.parseInt(args[1]);
        } else if (args.length > 0) {
            System.err.println("usage: ./weft cluster [--first-port N]   (a local PostgreSQL and three demo nodes on "
                    + "ports N to N+2, from 1 to " + (65535 - NODES) + "; default " + FIRST_PORT + ")");
            System.exit(2);
        }
        LocalPostgres pg = LocalPostgres.start(true, false);
        List<Process> nodes = new ArrayList<>();
        var stopped = new CountDownLatch(1);
        var stopping = new java.util.concurrent.atomic.AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            stopAll(nodes, pg);
            stopped.countDown();
        }, "weft-cluster-shutdown"));
        try {
            for (int i = 0; i < NODES; i++) {
                nodes.add(startNode(pg.jdbcUrl(), i + 1, firstPort + i));
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("weft cluster: a node could not start: " + e.getMessage());
            System.exit(1);
        }
        StringBuilder sb = new StringBuilder("\nWeft cluster: PostgreSQL at " + pg.jdbcUrl() + "\n");
        for (int i = 0; i < NODES; i++) {
            sb.append("  node-").append(i + 1).append("  http://127.0.0.1:").append(firstPort + i)
                    .append("/   pid ").append(nodes.get(i).pid()).append('\n');
        }
        sb.append("Kill a node with `kill -9 <pid>` and watch the others declare it dead and take its jobs (about "
                + "4 s); pause one with `kill -STOP <pid>` and resume it with `kill -CONT <pid>`. Ctrl-C stops all.");
        System.out.println(sb);
        for (Process p : nodes) {
            p.onExit().thenRun(() -> {
                if (!stopping.get()) {
                    System.out.println("weft cluster: node with pid " + p.pid() + " exited (" + p.exitValue() + ")");
                }
            });
        }
        stopped.await();
    }

    private static Process startNode(String jdbcUrl, int n, int port) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classPath = System.getProperty("java.class.path");
        return new ProcessBuilder(java, "--enable-preview", "-Xmx512m", "-cp", classPath,
                DemoServer.class.getName(), "--port", Integer.toString(port), "--postgres", jdbcUrl,
                "--node", "node-" + n)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .directory(Path.of(".").toFile())
                .start();
    }

    private static void stopAll(List<Process> nodes, LocalPostgres pg) {
        for (Process p : nodes) {
            p.destroy(); // SIGTERM: each node shuts down gracefully and leaves the cluster
        }
        for (Process p : nodes) {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        pg.close();
        System.out.println("weft cluster: stopped the nodes and the database");
    }
}
