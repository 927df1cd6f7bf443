package dev.weft.postgres;

import dev.weft.internal.RuntimeThreads;
import dev.weft.jobs.spi.StoreListener;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The store's one listening connection: {@code LISTEN} on {@code <prefix>work}, {@code <prefix>cancel} and
 * {@code <prefix>events} on a connection of its own, and a thread that passes every notice on to the runtime's
 * {@link StoreListener}. When the connection is lost it tells the listener ({@code reachable(false)}),
 * reconnects with backoff, listens again, tells it ({@code reachable(true)}) and reports work and events
 * available, since notices sent meanwhile are lost.
 */
final class NoticeListener {

    /*
     * Implementation notes: one thread (a tracked virtual thread) owns the connection after start(): only it
     * reads, reconnects and closes it. close() counts down `closing`, interrupts the thread and joins it; the
     * thread sees it within one POLL (getNotifications' timeout), at once while it waits between reconnects (the
     * backoff waits on the same latch), and by the interrupt while it waits for a connection from the pool. A silent connection is checked with isValid every IDLE_CHECK, so a lost server is
     * noticed even when the socket gives no error. Backoff: 100 ms, doubling, at most 5 s; reset by a success.
     * The first connection is made by start() on the caller's thread, so that an unreachable database fails
     * open() instead of being retried in the background.
     */

    private static final Logger LOG = LoggerFactory.getLogger(NoticeListener.class);
    private static final int POLL_MS = 250;
    private static final long IDLE_CHECK_NANOS = Duration.ofSeconds(5).toNanos();
    private static final long FIRST_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;

    private final DataSource dataSource;
    private final String workChannel;
    private final String cancelChannel;
    private final String eventsChannel;
    private final StoreListener listener;
    private final CountDownLatch closing = new CountDownLatch(1);
    private Connection connection; // owned by the listener thread once it runs
    private Thread thread;

    NoticeListener(DataSource dataSource, String workChannel, String cancelChannel, String eventsChannel,
                   StoreListener listener) {
        this.dataSource = dataSource;
        this.workChannel = workChannel;
        this.cancelChannel = cancelChannel;
        this.eventsChannel = eventsChannel;
        this.listener = listener;
    }

    /** Connects and listens, then starts the thread. */
    void start() throws SQLException {
        connection = connect();
        thread = RuntimeThreads.startVirtual("weft-pg-listener-" + workChannel, this::run);
    }

    /** Stops the thread, waits for it, and closes the connection. */
    void close() {
        closing.countDown();
        if (thread != null) {
            // a thread reconnecting to an unreachable database may wait in getConnection for the pool's timeout
            thread.interrupt();
            RuntimeThreads.joinUninterruptibly(thread);
        } else {
            unlistenAndClose(connection);
        }
    }

    private Connection connect() throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("LISTEN " + workChannel + "; LISTEN " + cancelChannel + "; LISTEN " + eventsChannel);
            }
            c.unwrap(PGConnection.class); // fails clearly if the data source is not PostgreSQL
            return c;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private void run() {
        try {
            while (!isClosing()) {
                try {
                    listen();
                } catch (SQLException | RuntimeException e) {
                    if (isClosing()) {
                        break;
                    }
                    closeQuietly(connection);
                    connection = null;
                    String detail = "lost the PostgreSQL listening connection: " + e.getMessage();
                    LOG.warn("{}; reconnecting", detail);
                    listener.reachable(false, detail);
                    if (!reconnect()) {
                        break;
                    }
                    listener.reachable(true, "");
                    listener.workAvailable();
                    listener.eventsAvailable();
                }
            }
        } finally {
            unlistenAndClose(connection);
            connection = null;
        }
    }

    /** Stops listening before the connection goes back to a pool, where the next user must not get notices. */
    private static void unlistenAndClose(Connection c) {
        if (c != null) {
            try (Statement s = c.createStatement()) {
                s.execute("UNLISTEN *");
            } catch (SQLException | RuntimeException ignored) {
                // a broken connection: the pool drops it
            }
            closeQuietly(c);
        }
    }

    /** Passes notices on until the connection fails (throws) or the listener closes (returns). */
    private void listen() throws SQLException {
        PGConnection pg = connection.unwrap(PGConnection.class);
        long lastHeard = System.nanoTime();
        while (!isClosing()) {
            PGNotification[] notices = pg.getNotifications(POLL_MS);
            if (notices != null && notices.length > 0) {
                lastHeard = System.nanoTime();
                // one wake-up for any number of work (and of event) notices, given before the cancels
                boolean work = false;
                boolean events = false;
                for (PGNotification n : notices) {
                    work |= n.getName().equals(workChannel);
                    events |= n.getName().equals(eventsChannel);
                }
                if (work) {
                    listener.workAvailable();
                }
                if (events) {
                    listener.eventsAvailable();
                }
                for (PGNotification n : notices) {
                    if (n.getName().equals(cancelChannel)) {
                        cancelNotice(n.getParameter());
                    }
                }
            } else if (System.nanoTime() - lastHeard > IDLE_CHECK_NANOS) {
                if (!connection.isValid(5)) {
                    throw new SQLException("the connection stopped answering", "08006");
                }
                lastHeard = System.nanoTime();
            }
        }
    }

    /** A cancel notice's payload: the job id, then optionally a newline and the reason as JSON. */
    private void cancelNotice(String payload) {
        int nl = payload.indexOf('\n');
        if (nl < 0) {
            listener.cancelRequested(payload);
            return;
        }
        String id = payload.substring(0, nl);
        dev.weft.scope.CancellationReason reason;
        try {
            reason = JobRows.reason(payload.substring(nl + 1));
        } catch (RuntimeException unreadable) {
            reason = null; // the node reads the request from the store instead
        }
        if (reason == null) {
            listener.cancelRequested(id);
        } else {
            listener.cancelRequested(id, reason);
        }
    }

    /** Connects again with backoff; false if the listener closed first. */
    private boolean reconnect() {
        long backoff = FIRST_BACKOFF_MS;
        while (true) {
            try {
                if (closing.await(backoff, TimeUnit.MILLISECONDS)) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            try {
                connection = connect();
                LOG.info("PostgreSQL listening connection is back");
                return true;
            } catch (SQLException | RuntimeException e) {
                LOG.debug("reconnecting the listening connection failed: {}", e.getMessage());
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
    }

    private boolean isClosing() {
        return closing.getCount() == 0;
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException | RuntimeException ignored) {
                // the connection is being dropped anyway
            }
        }
    }
}
