package dev.weft.bench.durable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The parent's handle on one {@link ContenderNode} process: commands go to its standard input, answers come back
 * one line each. {@link #post} sends without waiting, so that every node of a run gets its command at once;
 * {@link #answer} then takes the reply. Its standard error goes to a log file, quoted when it fails.
 */
final class NodeProcess implements AutoCloseable {

    /** The JVM flags of every node process. */
    static final List<String> JVM_FLAGS = List.of("--enable-preview", "-Xmx1g");

    final String name;
    private final Process process;
    private final Path log;
    private final PrintWriter commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

    private NodeProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.commands = new PrintWriter(process.getOutputStream(), true);
        Thread reader = new Thread(() -> {
            try (var in = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                String line;
                while ((line = in.readLine()) != null) {
                    answers.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
            answers.add("EOF");
        }, "node-output-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the node and waits until it says READY. */
    static NodeProcess start(String system, String jdbcUrl, String name, List<String> optionArgs, Path logDir)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(JVM_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ContenderNode.class.getName(), system,
                jdbcUrl, name));
        cmd.addAll(optionArgs);
        Path log = logDir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        NodeProcess node = new NodeProcess(name, p, log);
        String ready = node.next(TimeUnit.MINUTES.toMillis(3));
        if (!ready.startsWith("READY ")) {
            node.close();
            throw new IllegalStateException("node " + name + " did not start (" + ready + "); its log:\n"
                    + node.logTail());
        }
        return node;
    }

    long pid() {
        return process.pid();
    }

    /** Sends a command without waiting for its answer. */
    void post(String command) {
        commands.println(command);
    }

    /** The next answer (without its {@code ANSWER } prefix); fails on an error or the process's end. */
    String answer(long timeoutMillis) throws InterruptedException, IOException {
        String a = next(timeoutMillis);
        if (!a.startsWith("ANSWER ")) {
            throw new IllegalStateException("node " + name + " answered \"" + a + "\"; its log:\n" + logTail());
        }
        return a.substring("ANSWER ".length());
    }

    String send(String command, long timeoutMillis) throws InterruptedException, IOException {
        post(command);
        return answer(timeoutMillis);
    }

    private String next(long timeoutMillis) throws InterruptedException, IOException {
        String a = answers.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (a == null) {
            throw new IllegalStateException("node " + name + " did not answer within " + timeoutMillis
                    + " ms; its log:\n" + logTail());
        }
        return a;
    }

    private String logTail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Waits for the process to exit after {@code quit}; kills it if it does not within the timeout. */
    void awaitExit(long timeoutSeconds) throws InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
