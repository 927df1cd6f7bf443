package dev.weft.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.jobs.JobError;
import dev.weft.jobs.JobEvent;
import dev.weft.jobs.JobRecord;
import dev.weft.jobs.JobState;
import dev.weft.jobs.NodeInfo;
import dev.weft.progress.ProgressSnapshot;
import dev.weft.progress.ProgressState;
import dev.weft.scope.CancellationReason;
import dev.weft.jobs.spi.StoredEvent;
import dev.weft.jobs.spi.StoredJob;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.UUID;

/**
 * Turns rows of the jobs table into {@link StoredJob}s and {@link StoredEvent}s, and the store's own JSON columns
 * ({@code error}, {@code reason}, {@code cancel_requested}, {@code progress}) into text and back.
 *
 * <p>A row read by the store carries every column of the jobs table, plus {@code read_at} (the database's
 * {@code now()}), and for events {@code event_id} and {@code event_type}.
 */
final class JobRows {

    /*
     * Implementation notes: the JSON columns have a fixed shape that this class alone writes and reads, so they
     * are built by hand from tree nodes rather than by data binding; a field added to one of the core records
     * later cannot silently change the stored shape. A CancellationReason's cause (a Throwable) is not stored:
     * it is the in-memory cause of a sibling failure and means nothing on another node.
     *   error            {"type": ..., "message": ..., "stackTrace": ...}
     *   reason           {"kind": ..., "detail": ...}
     *   progress         {"name", "done", "total", "fraction", "step", "message", "rate", "eta" (ISO-8601),
     *                     "complete", "state", "takenAt" (ISO-8601)}
     *   earlier_runs     [{"firstAttempt", "lastAttempt", "state", "startedAt", "finishedAt" (ISO-8601 with an
     *                     offset, as PostgreSQL writes a timestamptz into JSON), "error", "reason"}], built in SQL
     *                     by the retry statement from the row's own columns
     * Durations (timeout, expected) are stored as milliseconds, saturated (see millis). Text in these columns has
     * NUL replaced (see storable), and a non-finite rate is stored as unknown, since jsonb holds neither.
     */

    /** The longest duration the store writes: about 1,000 years, far beyond any lease or delay that matters. */
    static final long MAX_MILLIS = Duration.ofDays(365_000).toMillis();

    private static final ObjectMapper JSON = new ObjectMapper();

    private JobRows() {
    }

    /** {@code d} in milliseconds, saturated to 0..{@link #MAX_MILLIS}; null stays null. */
    static Long millis(Duration d) {
        if (d == null) {
            return null;
        }
        if (d.isNegative()) {
            return 0L;
        }
        return d.compareTo(Duration.ofMillis(MAX_MILLIS)) >= 0 ? MAX_MILLIS : d.toMillis();
    }

    /** The job of the current row. */
    static StoredJob job(ResultSet rs) throws SQLException {
        long timeout = rs.getLong("timeout_ms");
        Duration timeoutD = rs.wasNull() ? null : Duration.ofMillis(timeout);
        long expected = rs.getLong("expected_ms");
        Duration expectedD = rs.wasNull() ? null : Duration.ofMillis(expected);
        return new StoredJob(
                rs.getObject("id", UUID.class).toString(),
                rs.getString("type"),
                rs.getString("name"),
                rs.getString("dedupe_key"),
                rs.getString("group_name"),
                rs.getInt("priority"),
                JobState.valueOf(rs.getString("state")),
                rs.getString("payload"),
                rs.getString("result"),
                error(rs.getString("error")),
                reason(rs.getString("reason")),
                reason(rs.getString("cancel_requested")),
                progress(rs.getString("progress")),
                rs.getInt("attempt"),
                rs.getInt("max_attempts"),
                rs.getInt("interruptions"),
                instant(rs, "submitted_at"),
                instant(rs, "started_at"),
                instant(rs, "finished_at"),
                instant(rs, "run_after"),
                rs.getLong("epoch"),
                rs.getString("node"),
                instant(rs, "lease_until"),
                timeoutD,
                expectedD,
                rs.getBoolean("stuck"),
                rs.getString("stuck_threads"),
                earlierRuns(rs.getString("earlier_runs")),
                instant(rs, "read_at"));
    }

    /** The event of the current row ({@code event_id}, {@code event_type} and the job's columns). */
    static StoredEvent event(ResultSet rs) throws SQLException {
        return new StoredEvent(rs.getLong("event_id"), JobEvent.Type.valueOf(rs.getString("event_type")), job(rs));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    // ---- JSON columns

    static String errorJson(JobError e) {
        if (e == null) {
            return null;
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("type", storable(e.type()));
        n.put("message", storable(e.message()));
        n.put("stackTrace", storable(e.stackTrace()));
        return n.toString();
    }

    static JobError error(String json) {
        if (json == null) {
            return null;
        }
        JsonNode n = parse(json);
        return new JobError(text(n, "type"), text(n, "message"), text(n, "stackTrace"));
    }

    static String reasonJson(CancellationReason r) {
        if (r == null) {
            return null;
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", r.kind().name());
        n.put("detail", storable(r.detail()));
        return n.toString();
    }

    static CancellationReason reason(String json) {
        if (json == null) {
            return null;
        }
        JsonNode n = parse(json);
        return new CancellationReason(CancellationReason.Kind.valueOf(text(n, "kind")),
                String.valueOf(text(n, "detail")), null);
    }

    static List<JobRecord.EarlierRun> earlierRuns(String json) {
        if (json == null) {
            return List.of();
        }
        List<JobRecord.EarlierRun> runs = new ArrayList<>();
        for (JsonNode n : parse(json)) {
            JsonNode error = n.get("error");
            JsonNode reason = n.get("reason");
            runs.add(new JobRecord.EarlierRun(n.path("firstAttempt").asInt(), n.path("lastAttempt").asInt(),
                    JobState.valueOf(text(n, "state")), timestamp(text(n, "startedAt")),
                    timestamp(text(n, "finishedAt")),
                    error == null || error.isNull() ? null : error(error.toString()),
                    reason == null || reason.isNull() ? null : reason(reason.toString())));
        }
        return runs;
    }

    private static Instant timestamp(String iso) {
        return iso == null ? null : OffsetDateTime.parse(iso).toInstant();
    }

    static String progressJson(ProgressSnapshot p) {
        if (p == null) {
            return null;
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("name", storable(p.name()));
        n.put("done", p.done());
        n.put("total", p.total());
        n.put("fraction", p.fraction());
        n.put("step", storable(p.step()));
        n.put("message", storable(p.message()));
        if (p.rate().isPresent() && Double.isFinite(p.rate().getAsDouble())) {
            n.put("rate", p.rate().getAsDouble());
        } else {
            n.putNull("rate");
        }
        n.put("eta", p.eta().map(Duration::toString).orElse(null));
        n.put("complete", p.complete());
        n.put("state", p.state().name());
        n.put("takenAt", p.takenAt().toString());
        return n.toString();
    }

    static ProgressSnapshot progress(String json) {
        if (json == null) {
            return null;
        }
        JsonNode n = parse(json);
        JsonNode rate = n.get("rate");
        String eta = text(n, "eta");
        return new ProgressSnapshot(text(n, "name"), n.path("done").asLong(), n.path("total").asLong(),
                n.path("fraction").asDouble(), text(n, "step"), text(n, "message"),
                rate == null || rate.isNull() ? OptionalDouble.empty() : OptionalDouble.of(rate.asDouble()),
                eta == null ? Optional.empty() : Optional.of(Duration.parse(eta)),
                n.path("complete").asBoolean(), ProgressState.valueOf(text(n, "state")),
                Instant.parse(text(n, "takenAt")));
    }

    /**
     * {@code s} with NUL characters, which PostgreSQL cannot store in text or jsonb, replaced by U+FFFD. Used for
     * text the runtime takes from exceptions and progress reports, so that a stray NUL cannot make an attempt's
     * end unwritable.
     */
    static String storable(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable JSON column in the jobs table: " + e.getOriginalMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** The nodes a statement over the nodes table returns (its columns and {@code read_at}). */
    static List<NodeInfo> nodes(PreparedStatement ps) throws SQLException {
        List<NodeInfo> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new NodeInfo(rs.getString("id"), rs.getString("name"), instant(rs, "started_at"),
                        rs.getString("version"), instant(rs, "heartbeat_at"),
                        NodeInfo.State.valueOf(rs.getString("state")), rs.getInt("running"), rs.getLong("queued")));
            }
        }
        return out;
    }

    static List<StoredEvent> events(PreparedStatement ps) throws SQLException {
        List<StoredEvent> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(JobRows.event(rs));
            }
        }
        return out;
    }

    static UUID uuid(String id) {
        UUID u = parseUuid(id);
        if (u == null) {
            throw new IllegalArgumentException("job id must be a UUID, was \"" + id + "\"");
        }
        return u;
    }

    static UUID parseUuid(String id) {
        if (id == null) {
            return null;
        }
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
