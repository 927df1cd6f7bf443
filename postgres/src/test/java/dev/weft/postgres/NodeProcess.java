package dev.weft.postgres;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link ClusterNode} in a process of its own: commands in, answers out, real signals. */
final class NodeProcess implements AutoCloseable {

    final String name;
    final Process process;
    final String nodeId;
    private final Path log;
    private final PrintWriter commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final java.util.ArrayDeque<String> output = new java.util.ArrayDeque<>();

    private NodeProcess(String name, Process process, Path log) throws IOException, InterruptedException {
        this.name = name;
        this.process = process;
        this.log = log;
        this.commands = new PrintWriter(process.getOutputStream(), true);
        Thread reader = new Thread(() -> {
            try (var in = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("READY ")) {
                        answers.add(line);
                    } else if (line.startsWith("ANSWER ")) {
                        answers.add(line.substring("ANSWER ".length()));
                    } else {
                        synchronized (output) {
                            output.addLast(line); // the node's log, kept for a failure's message
                            if (output.size() > 200) {
                                output.removeFirst();
                            }
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            answers.add("EOF");
        }, "cluster-node-output-" + name);
        reader.setDaemon(true);
        reader.start();
        String ready = answer(TimeUnit.MINUTES.toMillis(3));
        if (!ready.startsWith("READY ")) {
            process.destroyForcibly();
            throw new AssertionError("node " + name + " did not start (" + ready + "); its log:\n" + logText());
        }
        this.nodeId = ready.substring("READY ".length());
    }

    static NodeProcess start(String url, String name, long heartbeatMs, int maxRunning, int maxPerGroup)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = Files.createTempFile("weft-cluster-" + name + "-", ".log");
        Process p = new ProcessBuilder(java, "--enable-preview", "-Xmx384m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ClusterNode.class.getName(), url, name,
                Long.toString(heartbeatMs), Integer.toString(maxRunning), Integer.toString(maxPerGroup))
                .redirectError(log.toFile())
                .start();
        return new NodeProcess(name, p, log);
    }

    /** Sends {@code command} and returns its answer line. */
    String send(String command) throws InterruptedException, IOException {
        commands.println(command);
        String a = answer(TimeUnit.MINUTES.toMillis(3));
        if (a.startsWith("ERROR") || a.equals("EOF")) {
            throw new AssertionError("node " + name + " answered \"" + a + "\" to " + command + "; its log:\n"
                    + logText());
        }
        return a;
    }

    private String answer(long millis) throws InterruptedException, IOException {
        String a = answers.poll(millis, TimeUnit.MILLISECONDS);
        if (a == null) {
            throw new AssertionError("node " + name + " did not answer in " + millis + " ms; its log:\n" + logText());
        }
        return a;
    }

    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    String logText() throws IOException {
        synchronized (output) {
            return Files.readString(log) + "\n--- last lines of its standard output:\n" + String.join("\n", output);
        }
    }

    /** SIGTERM, and waits for the graceful shutdown. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("node " + name + " did not stop within 90 s of SIGTERM");
        }
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            signal("CONT"); // a stopped process ignores SIGKILL's exit until continued on some systems
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(log);
    }
}
