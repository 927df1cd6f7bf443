package dev.weft.postgres;

import dev.weft.jobs.JobCodec;
import dev.weft.jobs.JobEvent;
import dev.weft.jobs.JobQuery;
import dev.weft.jobs.JobState;
import dev.weft.jobs.Retention;
import dev.weft.jobs.spi.AttemptEnd;
import dev.weft.jobs.spi.EndedAndClaimed;
import dev.weft.jobs.spi.CancelOutcome;
import dev.weft.jobs.spi.Heartbeat;
import dev.weft.jobs.NodeInfo;
import dev.weft.jobs.spi.Inserted;
import dev.weft.jobs.spi.JobStore;
import dev.weft.jobs.spi.Lease;
import dev.weft.jobs.spi.LeaseReport;
import dev.weft.jobs.spi.NewJob;
import dev.weft.jobs.spi.ProgressUpdate;
import dev.weft.jobs.spi.StoreListener;
import dev.weft.jobs.spi.StoreUnavailableException;
import dev.weft.jobs.spi.RetryOutcome;
import dev.weft.jobs.spi.StoredEvent;
import dev.weft.jobs.spi.StoredJob;
import dev.weft.jobs.spi.StoredPage;
import dev.weft.scope.CancellationReason;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A durable {@link JobStore} on PostgreSQL: jobs, their results and their events live in two tables of the
 * user's database, so queued jobs and history survive a restart, and several runtimes (nodes) can share them.
 *
 * <pre>{@code
 * DataSource ds = ...;                                   // e.g. a HikariDataSource; the store never closes it
 * JobRuntime runtime = JobRuntime.builder()
 *         .store(PostgresJobStore.builder(ds).tablePrefix("weft_").build())
 *         .register(RESIZE)
 *         .build();
 * }</pre>
 *
 * <h2>What it guarantees</h2>
 * <ul>
 *   <li><b>Schema.</b> At {@link #open} the store creates or upgrades its tables ({@code <prefix>jobs},
 *       {@code <prefix>events}, {@code <prefix>nodes}, {@code <prefix>schema_version}) from the SQL files it ships as resources
 *       ({@code dev/weft/postgres/schema/V<n>__*.sql}, placeholder {@code ${prefix}}), under a lock so that nodes
 *       starting together do not race. With {@code migrate(false)} it only checks that the tables are at its
 *       version, for users who apply the same files with Flyway or Liquibase. A database whose schema is newer
 *       than this code fails {@code open} with an {@link IllegalStateException} naming both versions.</li>
 *   <li><b>Claims</b> take queued jobs in priority then submission order with {@code FOR UPDATE SKIP LOCKED},
 *       a batch per round trip; every later write about an attempt is fenced by the claim's epoch.</li>
 *   <li><b>De-duplication</b> is a unique index over the keys of queued and running jobs.</li>
 *   <li><b>Wake-ups.</b> Submits and re-queues send {@code NOTIFY <prefix>work}, cancellations of running jobs
 *       {@code NOTIFY <prefix>cancel} (the job id and the reason), and every change that writes events
 *       {@code NOTIFY <prefix>events}; one connection of the store listens, and is re-established after a lost
 *       connection (a restarted server), reporting {@link StoreListener#reachable}.</li>
 *   <li><b>Values</b> are always bind parameters: names, keys and reasons are stored literally.</li>
 * </ul>
 *
 * <p>Connections: each call borrows one connection of the data source for one short transaction; while the store
 * is open it also holds one connection of its own for {@code LISTEN}, so size a pool for one more.
 *
 * <p>Failures: a lost or unreachable database throws {@link StoreUnavailableException} (at {@link #open} its
 * message has the JDBC URL, password masked); other database errors throw {@link IllegalStateException} with
 * the SQL state. Thread-safe.
 */
public final class PostgresJobStore implements JobStore {

    /*
     * Implementation notes: a thin facade. Each SPI method borrows one connection from the user's DataSource for
     * one short transaction and returns it (StoreCalls); the SQL lives in JobSql, row mapping in JobRows, the
     * schema in SchemaMigrator, the LISTEN connection in NoticeListener. Invariants:
     * - Every method that changes jobs is one transaction, and the event rows (and NOTIFYs) are written by the
     *   same statements (see JobSql), so a caller that sees the returned events knows they committed together
     *   with the change. Methods that are one statement run it in auto-commit (one round trip); insertAll and
     *   cancel, which may need several statements, run an explicit transaction.
     * - insertAll: one statement inserts the batch with ON CONFLICT DO NOTHING on the active-key index; the jobs
     *   not inserted read their key's holder in the same transaction (READ COMMITTED, so each statement sees
     *   the latest commits). A holder that ended in between leaves the job pending and the insert is tried
     *   again, so every job ends either inserted or with a live holder. pg_notify is sent in the transaction,
     *   and PostgreSQL delivers it only at commit.
     * - eventsAfter never skips an event that commits later: event ids come from a sequence when the event is
     *   written, so a transaction may commit an id below one already read. A reader that resumes after the
     *   highest id it saw would lose it; so eventsAfter returns events only up to the first gap in the ids
     *   whose next event is younger than EVENT_GAP_GRACE (the store's transactions are single short
     *   statements, far shorter than the grace). A gap left by a rolled-back transaction, or by purged events,
     *   is read past once the event after it is older than the grace.
     * - The store holds no mutable state but the listener; all per-call state is on the caller's stack.
     */

    /**
     * How long {@link #eventsAfter} waits for a missing event id to appear before it reads past the gap: an id
     * is taken when a transaction writes the event, which may commit after a transaction that took a higher id.
     */
    static final Duration EVENT_GAP_GRACE = Duration.ofSeconds(5);

    /**
     * A cancel notice carries the reason (so the running node needs no read) when its JSON is shorter than this
     * many chars: NOTIFY payloads must stay under 8,000 bytes. A longer reason is read from the row.
     */
    private static final int NOTICE_REASON_LIMIT = 2_000;

    /** The default largest payload: 1 MiB of UTF-8. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;

    private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,40}");

    private final DataSource dataSource;
    private final String prefix;
    private final boolean migrate;
    private final JobCodec codec;
    private final int maxPayloadBytes;
    private final JobSql sql;
    private final StoreCalls calls;
    private final JobQueries queries;
    private final Object lifecycle = new Object();
    private NoticeListener listener; // guarded by lifecycle
    private boolean opened;          // guarded by lifecycle
    private boolean closed;          // guarded by lifecycle

    private PostgresJobStore(Builder b) {
        this.dataSource = b.dataSource;
        this.prefix = b.tablePrefix;
        this.migrate = b.migrate;
        this.codec = b.codec;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.sql = new JobSql(prefix);
        this.calls = new StoreCalls(dataSource);
        this.queries = new JobQueries(sql, calls);
    }

    /** A builder of a store on {@code dataSource} (which the store uses but never closes). */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource must not be null"));
    }

    @Override
    public JobCodec codec() {
        return codec;
    }

    @Override
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** The table prefix. */
    public String tablePrefix() {
        return prefix;
    }

    /**
     * Creates or checks the schema, then starts listening for notices on a connection of its own.
     *
     * @throws StoreUnavailableException if PostgreSQL cannot be reached; the message has the JDBC URL (password
     *                                   masked) and the cause
     * @throws IllegalStateException     if the schema is newer than this code knows, or (without migration) not
     *                                   at this code's version, or the store was opened or closed before
     */
    @Override
    public void open(StoreListener storeListener) {
        Objects.requireNonNull(storeListener, "listener");
        synchronized (lifecycle) {
            if (opened || closed) {
                throw new IllegalStateException("a PostgresJobStore is opened once; this one was "
                        + (closed ? "closed" : "opened already"));
            }
            var migrator = new SchemaMigrator(prefix);
            var notices = new NoticeListener(dataSource, sql.workChannel(), sql.cancelChannel(), sql.eventsChannel(),
                    storeListener);
            try {
                try (Connection c = dataSource.getConnection()) {
                    if (migrate) {
                        migrator.migrate(c);
                    } else {
                        migrator.check(c);
                    }
                }
                notices.start();
            } catch (SQLException e) {
                String where = StoreFailures.describe(dataSource);
                if (StoreFailures.isConnectionLoss(e)) {
                    throw new StoreUnavailableException("cannot reach PostgreSQL at " + where + ": " + e.getMessage(),
                            e);
                }
                throw new IllegalStateException("cannot open the Weft job tables at " + where + ": "
                        + e.getMessage() + " (SQLState " + e.getSQLState() + ")", e);
            }
            listener = notices;
            opened = true;
        }
    }

    @Override
    public List<Inserted> insertAll(List<NewJob> jobs) {
        Objects.requireNonNull(jobs, "jobs");
        for (NewJob j : jobs) {
            checkNewJob(j);
        }
        if (jobs.isEmpty()) {
            return List.of();
        }
        return calls.inTransaction("insert jobs", c -> {
            Inserted[] out = new Inserted[jobs.size()];
            List<Integer> pending = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                pending.add(i);
            }
            while (!pending.isEmpty()) {
                Map<String, StoredEvent> inserted = insertBatch(c, jobs, pending);
                Set<String> keys = new HashSet<>();
                for (int i : pending) {
                    if (!inserted.containsKey(jobs.get(i).id())) {
                        keys.add(jobs.get(i).key());
                    }
                }
                Map<String, StoredJob> holders = keys.isEmpty() ? Map.of() : holders(c, keys);
                List<Integer> again = new ArrayList<>();
                for (int i : pending) {
                    NewJob j = jobs.get(i);
                    StoredEvent e = inserted.get(j.id());
                    if (e != null) {
                        out[i] = new Inserted(true, e);
                    } else if (holders.containsKey(j.key())) {
                        out[i] = new Inserted(false, new StoredEvent(0, JobEvent.Type.SUBMITTED, holders.get(j.key())));
                    } else {
                        again.add(i); // its key's holder ended meanwhile: the key is free, insert again
                    }
                }
                pending = again;
            }
            return List.of(out);
        });
    }

    private Map<String, StoredEvent> insertBatch(Connection c, List<NewJob> jobs, List<Integer> which)
            throws SQLException {
        int n = which.size();
        UUID[] ids = new UUID[n];
        String[] types = new String[n];
        String[] names = new String[n];
        String[] keys = new String[n];
        String[] groups = new String[n];
        Integer[] priorities = new Integer[n];
        String[] payloads = new String[n];
        Integer[] maxAttempts = new Integer[n];
        Long[] timeouts = new Long[n];
        Long[] expected = new Long[n];
        for (int k = 0; k < n; k++) {
            NewJob j = jobs.get(which.get(k));
            ids[k] = UUID.fromString(j.id());
            types[k] = j.type();
            names[k] = j.name();
            keys[k] = j.key();
            groups[k] = j.group();
            priorities[k] = j.priority();
            payloads[k] = j.payload();
            maxAttempts[k] = j.maxAttempts();
            timeouts[k] = JobRows.millis(j.timeout());
            expected[k] = JobRows.millis(j.expectedDuration());
        }
        try (PreparedStatement ps = c.prepareStatement(sql.insert)) {
            ps.setArray(1, c.createArrayOf("uuid", ids));
            ps.setArray(2, c.createArrayOf("text", types));
            ps.setArray(3, c.createArrayOf("text", names));
            ps.setArray(4, c.createArrayOf("text", keys));
            ps.setArray(5, c.createArrayOf("text", groups));
            ps.setArray(6, c.createArrayOf("int4", priorities));
            ps.setArray(7, c.createArrayOf("text", payloads));
            ps.setArray(8, c.createArrayOf("int4", maxAttempts));
            ps.setArray(9, c.createArrayOf("int8", timeouts));
            ps.setArray(10, c.createArrayOf("int8", expected));
            ps.setString(11, sql.workChannel());
            ps.setString(12, sql.eventsChannel());
            Map<String, StoredEvent> out = new HashMap<>();
            for (StoredEvent e : JobRows.events(ps)) {
                out.put(e.job().id(), e);
            }
            return out;
        }
    }

    private Map<String, StoredJob> holders(Connection c, Set<String> keys) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.holders)) {
            ps.setArray(1, c.createArrayOf("text", keys.toArray(String[]::new)));
            Map<String, StoredJob> out = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                JobRows.Columns k = new JobRows.Columns(rs, false);
                while (rs.next()) {
                    StoredJob j = JobRows.job(rs, k);
                    out.put(j.key(), j);
                }
            }
            return out;
        }
    }

    private void checkNewJob(NewJob j) {
        Objects.requireNonNull(j, "a job in the list is null");
        try {
            UUID.fromString(Objects.requireNonNull(j.id(), "job id"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("job id must be a UUID, was \"" + j.id() + "\"", e);
        }
        Objects.requireNonNull(j.type(), "job type");
        Objects.requireNonNull(j.name(), "job name");
        noNul("type", j.type());
        noNul("name", j.name());
        noNul("key", j.key());
        noNul("group", j.group());
        noNul("payload", j.payload());
        if (j.payload() != null) {
            int bytes = utf8Length(j.payload(), maxPayloadBytes);
            if (bytes > maxPayloadBytes) {
                throw new IllegalArgumentException("the payload of job \"" + j.name() + "\" (type " + j.type()
                        + ") is more than " + maxPayloadBytes + " bytes encoded, the store's limit "
                        + "(PostgresJobStore.Builder.maxPayloadBytes); keep large data elsewhere and pass a "
                        + "reference to it");
            }
        }
    }

    private static void noNul(String what, String value) {
        if (value != null && value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("the job's " + what + " contains a NUL character (\\u0000), which "
                    + "PostgreSQL cannot store" + (what.equals("payload") ? "" : "; was \""
                    + value.replace('\0', '\uFFFD') + "\""));
        }
    }

    /** The UTF-8 length of {@code s}, or some value above {@code limit} once it is known to exceed it. */
    private static int utf8Length(String s, int limit) {
        if ((long) s.length() * 3 <= limit) {
            return s.length(); // at most 3 bytes per char: certainly within the limit, exact size not needed
        }
        if (s.length() > limit) {
            return s.length();
        }
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public List<StoredEvent> claim(String node, Collection<String> types, int max, Duration lease,
                                   int maxPerGroup) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(types, "types");
        Objects.requireNonNull(lease, "lease");
        checkMaxPerGroup(maxPerGroup);
        if (max <= 0 || types.isEmpty()) {
            return List.of();
        }
        if (maxPerGroup == Integer.MAX_VALUE) {
            return calls.oneStatement("claim jobs", c -> claim(c, node, types, max, lease, maxPerGroup));
        }
        return calls.inTransaction("claim jobs", c -> claim(c, node, types, max, lease, maxPerGroup));
    }

    private static void checkMaxPerGroup(int maxPerGroup) {
        if (maxPerGroup < 1) {
            throw new IllegalArgumentException("maxPerGroup must be at least 1 (Integer.MAX_VALUE for no limit), was "
                    + maxPerGroup);
        }
    }

    /** A claim; with a cap per group, the caller's transaction takes the lock of capped claims first. */
    private List<StoredEvent> claim(Connection c, String node, Collection<String> types, int max, Duration lease,
                                    int maxPerGroup) throws SQLException {
        if (maxPerGroup == Integer.MAX_VALUE) {
            try (PreparedStatement ps = c.prepareStatement(sql.claim)) {
                ps.setArray(1, c.createArrayOf("text", types.toArray(String[]::new)));
                ps.setString(2, node);
                ps.setInt(3, max);
                ps.setString(4, node);
                ps.setLong(5, JobRows.millis(lease));
                ps.setString(6, sql.eventsChannel());
                return JobRows.events(ps);
            }
        }
        try (PreparedStatement lock = c.prepareStatement(sql.lockCappedClaims)) {
            lock.setString(1, prefix);
            lock.execute();
        }
        try (PreparedStatement ps = c.prepareStatement(sql.claimCapped)) {
            ps.setArray(1, c.createArrayOf("text", types.toArray(String[]::new)));
            ps.setString(2, node);
            ps.setInt(3, maxPerGroup);
            ps.setInt(4, (int) Math.min(Integer.MAX_VALUE, 4L * max + 64)); // the candidates' window
            ps.setInt(5, maxPerGroup);
            ps.setInt(6, max);
            ps.setString(7, node);
            ps.setLong(8, JobRows.millis(lease));
            ps.setString(9, sql.eventsChannel());
            return JobRows.events(ps);
        }
    }

    /** Both in one transaction: one commit for a pass of the runtime's store loop. */
    @Override
    public EndedAndClaimed endAndClaim(List<AttemptEnd> ends, String node, Collection<String> types, int max,
                                       Duration lease, int maxPerGroup) {
        Objects.requireNonNull(ends, "ends");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(types, "types");
        Objects.requireNonNull(lease, "lease");
        checkMaxPerGroup(maxPerGroup);
        if (ends.isEmpty()) {
            return new EndedAndClaimed(List.of(), claim(node, types, max, lease, maxPerGroup));
        }
        if (max <= 0 || types.isEmpty()) {
            return new EndedAndClaimed(endAttempts(ends), List.of());
        }
        EndArrays a = new EndArrays(ends);
        return calls.inTransaction("end job attempts and claim jobs", c -> {
            List<StoredEvent> ended = endAttempts(c, a);
            return new EndedAndClaimed(ended, claim(c, node, types, max, lease, maxPerGroup));
        });
    }

    @Override
    public List<StoredEvent> endAttempts(List<AttemptEnd> ends) {
        Objects.requireNonNull(ends, "ends");
        if (ends.isEmpty()) {
            return List.of();
        }
        EndArrays a = new EndArrays(ends);
        return calls.oneStatement("end job attempts", c -> endAttempts(c, a));
    }

    private List<StoredEvent> endAttempts(Connection c, EndArrays a) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.endAttempts)) {
            ps.setArray(1, c.createArrayOf("uuid", a.ids));
            ps.setArray(2, c.createArrayOf("int8", a.epochs));
            ps.setArray(3, c.createArrayOf("text", a.outcomes));
            ps.setArray(4, c.createArrayOf("text", a.results));
            ps.setArray(5, c.createArrayOf("text", a.errors));
            ps.setArray(6, c.createArrayOf("text", a.reasons));
            ps.setArray(7, c.createArrayOf("text", a.progress));
            ps.setArray(8, c.createArrayOf("int8", a.retryMs));
            ps.setString(9, sql.workChannel());
            ps.setString(10, sql.eventsChannel());
            return JobRows.events(ps);
        }
    }

    /** The columns of a batch of attempt ends, as the end statement binds them. */
    private static final class EndArrays {
        final UUID[] ids;
        final Long[] epochs;
        final String[] outcomes;
        final String[] results;
        final String[] errors;
        final String[] reasons;
        final String[] progress;
        final Long[] retryMs;

        EndArrays(List<AttemptEnd> ends) {
            int n = ends.size();
            ids = new UUID[n];
            epochs = new Long[n];
            outcomes = new String[n];
            results = new String[n];
            errors = new String[n];
            reasons = new String[n];
            progress = new String[n];
            retryMs = new Long[n];
            for (int k = 0; k < n; k++) {
                AttemptEnd e = Objects.requireNonNull(ends.get(k), "an attempt end in the list is null");
                Objects.requireNonNull(e.outcome(), "outcome");
                ids[k] = JobRows.uuid(e.lease().jobId());
                epochs[k] = e.lease().epoch();
                outcomes[k] = e.outcome().name();
                results[k] = e.result();
                errors[k] = JobRows.errorJson(e.error());
                reasons[k] = JobRows.reasonJson(e.reason());
                progress[k] = JobRows.progressJson(e.progress());
                retryMs[k] = e.retryAfter() == null ? 0L : JobRows.millis(e.retryAfter());
            }
        }
    }

    @Override
    public List<StoredEvent> writeProgress(List<ProgressUpdate> updates) {
        Objects.requireNonNull(updates, "updates");
        if (updates.isEmpty()) {
            return List.of();
        }
        int n = updates.size();
        UUID[] ids = new UUID[n];
        Long[] epochs = new Long[n];
        String[] progress = new String[n];
        for (int k = 0; k < n; k++) {
            ProgressUpdate u = Objects.requireNonNull(updates.get(k), "a progress update in the list is null");
            ids[k] = JobRows.uuid(u.lease().jobId());
            epochs[k] = u.lease().epoch();
            progress[k] = JobRows.progressJson(Objects.requireNonNull(u.progress(), "progress"));
        }
        return calls.oneStatement("write job progress", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.writeProgress)) {
                ps.setArray(1, c.createArrayOf("uuid", ids));
                ps.setArray(2, c.createArrayOf("int8", epochs));
                ps.setArray(3, c.createArrayOf("text", progress));
                ps.setString(4, sql.eventsChannel());
                return JobRows.events(ps);
            }
        });
    }

    @Override
    public Optional<StoredEvent> markStuck(Lease lease, String threads) {
        Objects.requireNonNull(lease, "lease");
        UUID id = JobRows.uuid(lease.jobId());
        String kept = threads == null ? null : threads.replace('\0', '\uFFFD');
        return calls.oneStatement("mark a job stuck", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.markStuck)) {
                ps.setString(1, kept);
                ps.setObject(2, id);
                ps.setLong(3, lease.epoch());
                ps.setString(4, sql.eventsChannel());
                return JobRows.events(ps).stream().findFirst();
            }
        });
    }

    @Override
    public LeaseReport renew(String node, Collection<Lease> held, Duration lease) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(held, "held");
        Objects.requireNonNull(lease, "lease");
        if (held.isEmpty()) {
            return new LeaseReport(Set.of(), Map.of());
        }
        Set<Lease> distinct = new LinkedHashSet<>(held);
        UUID[] ids = new UUID[distinct.size()];
        Long[] epochs = new Long[distinct.size()];
        int k = 0;
        for (Lease l : distinct) {
            ids[k] = JobRows.uuid(l.jobId());
            epochs[k++] = l.epoch();
        }
        return calls.oneStatement("renew job leases", c -> {
            Set<Lease> lost = new LinkedHashSet<>(distinct);
            Map<Lease, CancellationReason> cancel = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(sql.renew)) {
                ps.setArray(1, c.createArrayOf("uuid", ids));
                ps.setArray(2, c.createArrayOf("int8", epochs));
                ps.setLong(3, JobRows.millis(lease));
                ps.setString(4, node);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Lease l = new Lease(rs.getObject(1, UUID.class).toString(), rs.getLong(2));
                        lost.remove(l);
                        CancellationReason r = JobRows.reason(rs.getString(3));
                        if (r != null) {
                            cancel.put(l, r);
                        }
                    }
                }
            }
            return new LeaseReport(Set.copyOf(lost), Map.copyOf(cancel));
        });
    }

    @Override
    public List<StoredEvent> recover(String node) {
        return calls.oneStatement("recover interrupted jobs", c -> {
            try (PreparedStatement ps = c.prepareStatement(node == null ? sql.recoverExpired : sql.recoverNode)) {
                int i = 1;
                ps.setString(i++, node == null ? "its lease expired" : "found when node " + node + " started again");
                if (node != null) {
                    ps.setString(i++, node);
                }
                ps.setString(i++, sql.workChannel());
                ps.setString(i, sql.eventsChannel());
                return JobRows.events(ps);
            }
        });
    }

    @Override
    public CancelOutcome cancel(String id, CancellationReason reason) {
        Objects.requireNonNull(reason, "reason");
        UUID uuid = JobRows.parseUuid(id);
        if (uuid == null) {
            return new CancelOutcome(CancelOutcome.Result.NOT_FOUND, null, null);
        }
        String reasonJson = JobRows.reasonJson(reason);
        return calls.inTransaction("cancel a job", c -> {
            while (true) {
                try (PreparedStatement ps = c.prepareStatement(sql.cancelQueued)) {
                    ps.setString(1, reasonJson);
                    ps.setObject(2, uuid);
                    ps.setString(3, sql.eventsChannel());
                    List<StoredEvent> e = JobRows.events(ps);
                    if (!e.isEmpty()) {
                        return new CancelOutcome(CancelOutcome.Result.CANCELLED, e.get(0), null);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(sql.cancelRunning)) {
                    ps.setString(1, reasonJson);
                    ps.setObject(2, uuid);
                    ps.setString(3, sql.cancelChannel());
                    ps.setString(4, reasonJson.length() < NOTICE_REASON_LIMIT ? "\n" + reasonJson : "");
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            String node = rs.getString(1);
                            return new CancelOutcome(CancelOutcome.Result.REQUESTED, null, node);
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(sql.stateOf)) {
                    ps.setObject(1, uuid);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return new CancelOutcome(CancelOutcome.Result.NOT_FOUND, null, null);
                        }
                        if (!rs.getString(1).equals("QUEUED")) {
                            return new CancelOutcome(CancelOutcome.Result.TOO_LATE, null, null);
                        }
                        // re-queued (a retry) between the two updates: cancel it as queued
                    }
                }
            }
        });
    }

    @Override
    public RetryOutcome retry(String id, int attemptsPerRun) {
        if (attemptsPerRun < 1) {
            throw new IllegalArgumentException("attemptsPerRun must be at least 1, was " + attemptsPerRun);
        }
        UUID uuid = JobRows.parseUuid(id);
        if (uuid == null) {
            return new RetryOutcome(RetryOutcome.Result.NOT_FOUND, null, null, null);
        }
        return calls.inTransaction("retry a job", c -> {
            // the unique index on active keys is the arbiter: a key taken by another job fails the update, which
            // the savepoint undoes, so the transaction can still say who holds the key
            Savepoint beforeUpdate = c.setSavepoint();
            try (PreparedStatement ps = c.prepareStatement(sql.retry)) {
                ps.setInt(1, attemptsPerRun);
                ps.setObject(2, uuid);
                ps.setString(3, sql.workChannel());
                ps.setString(4, sql.eventsChannel());
                List<StoredEvent> e = JobRows.events(ps);
                if (!e.isEmpty()) {
                    return new RetryOutcome(RetryOutcome.Result.RETRIED, e.get(0), null, null);
                }
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                c.rollback(beforeUpdate);
                try (PreparedStatement ps = c.prepareStatement(sql.keyHolder)) {
                    ps.setObject(1, uuid);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            return new RetryOutcome(RetryOutcome.Result.KEY_HELD, null, null, rs.getString(1));
                        }
                    }
                }
                throw e; // not a key: let it be reported as the refusal it is
            }
            try (PreparedStatement ps = c.prepareStatement(sql.stateOf)) {
                ps.setObject(1, uuid);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                            ? new RetryOutcome(RetryOutcome.Result.NOT_RETRYABLE, null,
                                    JobState.valueOf(rs.getString(1)), null)
                            : new RetryOutcome(RetryOutcome.Result.NOT_FOUND, null, null, null);
                }
            }
        });
    }

    /** SQLState of a unique constraint's violation. */
    private static final String UNIQUE_VIOLATION = "23505";

    @Override
    public Optional<JobState> deleteFinished(String id) {
        UUID uuid = JobRows.parseUuid(id);
        if (uuid == null) {
            return Optional.empty();
        }
        return calls.oneStatement("delete a finished job", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.deleteFinished)) {
                ps.setObject(1, uuid);
                ps.setObject(2, uuid);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(JobState.valueOf(rs.getString(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Optional<StoredJob> find(String id) {
        return queries.find(id);
    }

    @Override
    public StoredPage list(JobQuery query) {
        return queries.list(query);
    }

    @Override
    public Map<JobState, Long> counts() {
        return queries.counts();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Event ids are taken when events are written, so an event may commit after one with a higher id. So
     * that a reader resuming after the highest id it saw misses nothing, the events returned stop before the
     * first missing id that may still commit: one followed by an event younger than a few seconds. Events of
     * deleted (purged) jobs are gone.
     */
    @Override
    public List<StoredEvent> eventsAfter(long afterId, int max) {
        return queries.eventsAfter(afterId, max);
    }

    @Override
    public long lastEventId() {
        return calls.oneStatement("read the last event id", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.lastEventId); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public NodeInfo register(String nodeId, String name, String version) {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        noNul("node name", name);
        return calls.inTransaction("register a node", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.declareSameNameDead)) {
                ps.setString(1, name);
                ps.setString(2, nodeId);
                ps.executeQuery().close();
            }
            try (PreparedStatement ps = c.prepareStatement(sql.registerNode)) {
                ps.setString(1, nodeId);
                ps.setString(2, name);
                ps.setString(3, version);
                return JobRows.nodes(ps).get(0);
            }
        });
    }

    @Override
    public boolean heartbeat(String nodeId, int running, long queued) {
        Objects.requireNonNull(nodeId, "nodeId");
        return calls.oneStatement("heartbeat", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.beat)) {
                ps.setInt(1, running);
                ps.setLong(2, queued);
                ps.setString(3, nodeId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public Heartbeat checkNodes(String nodeId, Duration deadAfter) {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(deadAfter, "deadAfter");
        return calls.inTransaction("check nodes", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.isAlive)) {
                ps.setString(1, nodeId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return new Heartbeat(false, List.of(), List.of());
                    }
                }
            }
            List<NodeInfo> dead;
            try (PreparedStatement ps = c.prepareStatement(sql.declareDead)) {
                ps.setLong(1, JobRows.millis(deadAfter));
                dead = JobRows.nodes(ps);
            }
            List<StoredEvent> recovered;
            try (PreparedStatement ps = c.prepareStatement(sql.recoverDeparted)) {
                ps.setString(1, "the node left or was declared dead");
                ps.setString(2, sql.workChannel());
                ps.setString(3, sql.eventsChannel());
                recovered = JobRows.events(ps);
            }
            try (PreparedStatement ps = c.prepareStatement(sql.purgeNodes)) {
                ps.executeUpdate();
            }
            return new Heartbeat(true, dead, recovered);
        });
    }

    @Override
    public void leave(String nodeId) {
        Objects.requireNonNull(nodeId, "nodeId");
        calls.oneStatement("deregister a node", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.leave)) {
                ps.setString(1, nodeId);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public List<NodeInfo> nodes() {
        return calls.oneStatement("list nodes", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.nodes)) {
                return JobRows.nodes(ps);
            }
        });
    }

    @Override
    public int purge(Retention retention, int maxRows) {
        Objects.requireNonNull(retention, "retention");
        if (maxRows <= 0) {
            return 0;
        }
        return calls.oneStatement("delete old jobs", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.purge)) {
                int i = 1;
                for (JobState s : List.of(JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED,
                        JobState.TIMED_OUT)) {
                    ps.setLong(i++, JobRows.millis(retention.maxAge(s)));
                    ps.setInt(i++, maxRows);
                    ps.setInt(i++, retention.maxCount(s));
                    ps.setInt(i++, maxRows);
                }
                ps.setInt(i, maxRows);
                return ps.executeUpdate();
            }
        });
    }

    /** Stops the listener thread and closes its connection; the data source stays open. Idempotent. */
    @Override
    public void close() {
        NoticeListener l;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            l = listener;
            listener = null;
        }
        if (l != null) {
            l.close();
        }
    }

    @Override
    public String toString() {
        return "PostgresJobStore[" + StoreFailures.describe(dataSource) + ", prefix " + prefix + "]";
    }

    // ---- plumbing

    /**
     * Configures a {@link PostgresJobStore}. Every setting has a default; only the data source is required.
     */
    public static final class Builder {

        private final DataSource dataSource;
        private String tablePrefix = "weft_";
        private boolean migrate = true;
        private JobCodec codec;
        private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /**
         * The prefix of the store's table names (default {@code weft_}): tables {@code <prefix>jobs},
         * {@code <prefix>events}, {@code <prefix>schema_version}, channels {@code <prefix>work} and
         * {@code <prefix>cancel}. Stores with different prefixes share a database without seeing each other.
         *
         * @throws IllegalArgumentException unless it matches {@code [a-z_][a-z0-9_]{0,40}}
         */
        public Builder tablePrefix(String prefix) {
            Objects.requireNonNull(prefix, "table prefix must not be null");
            if (!PREFIX.matcher(prefix).matches()) {
                throw new IllegalArgumentException("table prefix must be 1 to 41 characters of lower-case letters, "
                        + "digits and '_', not starting with a digit ([a-z_][a-z0-9_]{0,40}), was \"" + prefix + "\"");
            }
            this.tablePrefix = prefix;
            return this;
        }

        /**
         * Whether {@link PostgresJobStore#open} creates or upgrades the tables (default true). With false it only
         * checks that they are at this code's schema version, and fails otherwise: for users who apply the
         * schema files ({@code dev/weft/postgres/schema/*.sql}, placeholder {@code prefix}) with their own
         * migration tool.
         */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /** The codec of payloads and results (default: a {@link JacksonJobCodec}). */
        public Builder codec(JobCodec codec) {
            this.codec = Objects.requireNonNull(codec, "codec must not be null");
            return this;
        }

        /**
         * The largest encoded payload, in bytes of UTF-8 (default 1 MiB, 1,048,576); a larger one is refused at
         * submit with an {@link IllegalArgumentException}.
         *
         * @throws IllegalArgumentException unless positive
         */
        public Builder maxPayloadBytes(int maxPayloadBytes) {
            if (maxPayloadBytes < 1) {
                throw new IllegalArgumentException("maxPayloadBytes must be at least 1, was " + maxPayloadBytes);
            }
            this.maxPayloadBytes = maxPayloadBytes;
            return this;
        }

        /** The store; nothing touches the database until {@link PostgresJobStore#open}. */
        public PostgresJobStore build() {
            if (codec == null) {
                codec = new JacksonJobCodec();
            }
            return new PostgresJobStore(this);
        }
    }
}
