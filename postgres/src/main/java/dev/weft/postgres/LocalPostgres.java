package dev.weft.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server on a free loopback port, started from the PostgreSQL binaries installed on the
 * machine, for demos, tests and benchmarks. Its data lives in a fresh temporary directory, removed by
 * {@link #close()}; the server trusts local connections as user {@code postgres}, database {@code postgres}.
 *
 * <pre>{@code
 * try (LocalPostgres pg = LocalPostgres.start()) {
 *     String url = pg.jdbcUrl();      // jdbc:postgresql://127.0.0.1:PORT/postgres?user=postgres
 * }
 * }</pre>
 *
 * <p>The binaries are looked for in {@code $WEFT_PG_BIN}, then the newest {@code /usr/lib/postgresql/N/bin}, then
 * {@code /usr/local/pgsql/bin}. PostgreSQL refuses to run as root; when this JVM runs as root, the server runs as
 * the {@code postgres} system user (through {@code runuser}), which owns the data directory.
 *
 * <p>A JVM shutdown hook stops a server that was not closed, so a killed test run leaves no server behind
 * (unless the JVM itself is killed with SIGKILL); {@link #start(boolean, boolean)} can leave the hook out.
 *
 * <p>Thread safety: every method may be called from any thread; {@link #stop()}, {@link #startAgain()} and
 * {@link #close()} are serialized.
 */
public final class LocalPostgres implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser;
    private final Thread hook;
    private boolean running;
    private boolean closed;

    private LocalPostgres(Path bin, Path dir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
        this.hook = new Thread(this::stopQuietly, "weft-local-postgres-stop");
    }

    /** Starts a server with {@code fsync} on, as a production server runs. */
    public static LocalPostgres start() {
        return start(true);
    }

    /**
     * Starts a server; {@code fsync} off trades crash safety of the throwaway data for speed (for tests that do
     * not measure commits).
     *
     * @throws IllegalStateException if no PostgreSQL binaries are found, or the server does not start (the
     *                               message carries the server's log)
     */
    public static LocalPostgres start(boolean fsync) {
        return start(fsync, true);
    }

    /**
     * Starts a server; with {@code stopAtJvmExit} false no shutdown hook stops it, for an owner whose own hook
     * must still use the server before closing it (JVM shutdown hooks run concurrently, in no order).
     *
     * @throws IllegalStateException if no PostgreSQL binaries are found, or the server does not start
     */
    public static LocalPostgres start(boolean fsync, boolean stopAtJvmExit) {
        Path bin = findBinaries();
        boolean root = isRoot();
        try {
            Path dir = Files.createTempDirectory("weft-pg-");
            var pg = new LocalPostgres(bin, dir, freePort(), root);
            pg.init(fsync);
            pg.startAgain();
            if (stopAtJvmExit) {
                Runtime.getRuntime().addShutdownHook(pg.hook);
            }
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare a data directory for a local PostgreSQL", e);
        }
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/postgres?user=postgres}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    /** The server's TCP port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The directory holding the server's binaries ({@code pg_ctl}, {@code pgbench}, {@code psql}). */
    public Path binaries() {
        return bin;
    }

    /** Stops the server quickly ({@code pg_ctl stop -m fast}), keeping its data; {@link #startAgain()} restarts it. */
    public synchronized void stop() {
        if (running) {
            pgCtl("stop", "-m", "fast", "-w");
            running = false;
        }
    }

    /** Starts the stopped server again on the same port, with its data. */
    public synchronized void startAgain() {
        if (closed) {
            throw new IllegalStateException("this local PostgreSQL was closed");
        }
        if (!running) {
            pgCtl("start", "-w", "-t", "60", "-l", dir.resolve("server.log").toString(),
                    "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1");
            running = true;
        }
    }

    /** {@code pg_ctl restart -m fast}: every connection is dropped, and the server comes back on its port. */
    public synchronized void restart() {
        stop();
        startAgain();
    }

    /** Stops the server and deletes its data. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            stop();
        } finally {
            closed = true;
            deleteTree(dir);
            try {
                Runtime.getRuntime().removeShutdownHook(hook); // false if it was never added
            } catch (IllegalStateException shuttingDown) {
                // the hook runs or ran; it finds the server stopped
            }
        }
    }

    @Override
    public String toString() {
        return "LocalPostgres[" + jdbcUrl() + ", " + (running ? "running" : "stopped") + ", data " + data + "]";
    }

    private synchronized void stopQuietly() {
        try {
            if (running) {
                pgCtl("stop", "-m", "immediate", "-w");
                running = false;
            }
        } catch (RuntimeException ignored) {
            // the JVM is exiting
        }
        deleteTree(dir);
    }

    private void init(boolean fsync) throws IOException {
        if (asPostgresUser) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            run(List.of("chown", "postgres:postgres", dir.toString()), "chown the data directory to postgres");
        }
        run(command(bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres",
                "-E", "UTF8", "--no-locale", "--no-sync"), "initdb");
        String conf = "\n# written by Weft's LocalPostgres\nmax_connections = 200\nshared_buffers = 128MB\n"
                + "fsync = " + (fsync ? "on" : "off") + "\n"
                + (fsync ? "" : "synchronous_commit = off\nfull_page_writes = off\n");
        Path confFile = data.resolve("postgresql.conf");
        if (asPostgresUser) {
            Path tmp = dir.resolve("extra.conf");
            Files.writeString(tmp, conf);
            run(command("sh", "-c", "cat '" + tmp + "' >> '" + confFile + "'"), "configure the server");
        } else {
            Files.writeString(confFile, conf, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        }
    }

    private void pgCtl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString()));
        cmd.addAll(List.of(args));
        try {
            run(command(cmd.toArray(String[]::new)), "pg_ctl " + args[0]);
        } catch (IllegalStateException e) {
            String log = "";
            try {
                Path serverLog = dir.resolve("server.log");
                if (Files.exists(serverLog)) {
                    log = "\nserver log:\n" + Files.readString(serverLog);
                }
            } catch (IOException ignored) {
                // the message goes without it
            }
            throw new IllegalStateException(e.getMessage() + log, e);
        }
    }

    private List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        if (asPostgresUser) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static void run(List<String> cmd, String what) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(Duration.ofMinutes(2).toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " did not finish within 2 minutes: " + String.join(" ", cmd));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed (exit " + p.exitValue() + "): " + String.join(" ", cmd)
                        + "\n" + new String(out, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(what + " could not run: " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " was interrupted", e);
        }
    }

    static Path findBinaries() {
        String env = System.getenv("WEFT_PG_BIN");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            if (Files.isExecutable(p.resolve("pg_ctl"))) {
                return p;
            }
            throw new IllegalStateException("WEFT_PG_BIN=" + env + " holds no pg_ctl");
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                var found = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("pg_ctl")) && Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparingInt(LocalPostgres::majorVersion));
                if (found.isPresent()) {
                    return found.get();
                }
            } catch (IOException ignored) {
                // try the next place
            }
        }
        Path local = Path.of("/usr/local/pgsql/bin");
        if (Files.isExecutable(local.resolve("pg_ctl"))) {
            return local;
        }
        throw new IllegalStateException("no PostgreSQL server binaries found (looked in $WEFT_PG_BIN, "
                + "/usr/lib/postgresql/*/bin and /usr/local/pgsql/bin); install them, e.g. "
                + "'apt-get install -y postgresql', or point WEFT_PG_BIN at a directory holding initdb and pg_ctl");
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return Objects.equals(uid, 0);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static int freePort() throws IOException {
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temporary directory
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
