package dev.weft.bench.durable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the server's own pgbench (as the postgres user when this JVM is root, as LocalPostgres runs the server). */
final class PgBench {

    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final Pattern LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");

    /** pgbench's figures. */
    record Result(double tps, double latencyAverageMillis, String command, String output) {
    }

    private final Path bin;
    private final int port;

    PgBench(Path bin, int port) {
        this.bin = bin;
        this.port = port;
    }

    /** {@code pgbench -i -s SCALE -q} into database {@code db} (which must exist). */
    void init(String db, int scale) throws IOException, InterruptedException {
        run(List.of("-i", "-s", Integer.toString(scale), "-q", db), 600);
    }

    /** A pgbench run on {@code db}, e.g. {@code -c 8 -j 2 -T 20 -N}; parses tps and the average latency. */
    Result run(String db, List<String> options, int seconds) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(options);
        args.add(db);
        String out = run(args, seconds + 120);
        Matcher tps = TPS.matcher(out);
        if (!tps.find()) {
            throw new IllegalStateException("no 'tps = ...' line in pgbench's output:\n" + out);
        }
        Matcher lat = LATENCY.matcher(out);
        return new Result(Double.parseDouble(tps.group(1)), lat.find() ? Double.parseDouble(lat.group(1)) : -1,
                "pgbench " + String.join(" ", args), out);
    }

    private String run(List<String> args, int timeoutSeconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (isRoot()) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.add(bin.resolve("pgbench").toString());
        cmd.addAll(List.of("-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).directory(Path.of("/tmp").toFile()).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("pgbench did not finish within " + timeoutSeconds + " s: " + cmd);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("pgbench failed (exit " + p.exitValue() + "): " + cmd + "\n" + text);
        }
        return text;
    }

    static boolean isRoot() {
        try {
            return Objects.equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"), 0);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
