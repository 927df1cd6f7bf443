package dev.weft.postgres;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
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
     * are built by hand rather than by data binding; a field added to one of the core records later cannot
     * silently change the stored shape. Progress, written with every attempt's end and read with every row that
     * has it, goes through Jackson's streaming generator and parser, and its takenAt through a direct reader of
     * Instant.toString's usual shape (see instant); the rarer columns through tree nodes. A CancellationReason's
     * cause (a Throwable) is not stored: it is the in-memory cause of a sibling failure and means nothing on
     * another node. Rows are read by column position, found once per result set (Columns).
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

    /** The job of the current row (a single row; for many rows of one result set see {@link Columns}). */
    static StoredJob job(ResultSet rs) throws SQLException {
        return job(rs, new Columns(rs, false));
    }

    /** The job of the current row of the result set that {@code k} was made for. */
    static StoredJob job(ResultSet rs, Columns k) throws SQLException {
        long timeout = rs.getLong(k.timeoutMs);
        Duration timeoutD = rs.wasNull() ? null : Duration.ofMillis(timeout);
        long expected = rs.getLong(k.expectedMs);
        Duration expectedD = rs.wasNull() ? null : Duration.ofMillis(expected);
        return new StoredJob(
                rs.getObject(k.id, UUID.class).toString(),
                rs.getString(k.type),
                rs.getString(k.name),
                rs.getString(k.dedupeKey),
                rs.getString(k.groupName),
                rs.getInt(k.priority),
                JobState.valueOf(rs.getString(k.state)),
                rs.getString(k.payload),
                rs.getString(k.result),
                error(rs.getString(k.error)),
                reason(rs.getString(k.reason)),
                reason(rs.getString(k.cancelRequested)),
                progress(rs.getString(k.progress)),
                rs.getInt(k.attempt),
                rs.getInt(k.maxAttempts),
                rs.getInt(k.interruptions),
                instant(rs, k.submittedAt),
                instant(rs, k.startedAt),
                instant(rs, k.finishedAt),
                instant(rs, k.runAfter),
                rs.getLong(k.epoch),
                rs.getString(k.node),
                instant(rs, k.leaseUntil),
                timeoutD,
                expectedD,
                rs.getBoolean(k.stuck),
                rs.getString(k.stuckThreads),
                earlierRuns(rs.getString(k.earlierRuns)),
                instant(rs, k.readAt));
    }

    /** The event of the current row ({@code event_id}, {@code event_type} and the job's columns). */
    static StoredEvent event(ResultSet rs, Columns k) throws SQLException {
        return new StoredEvent(rs.getLong(k.eventId), JobEvent.Type.valueOf(rs.getString(k.eventType)), job(rs, k));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return instant(rs, rs.findColumn(column));
    }

    /**
     * The positions of a job row's columns in one result set, found by name once rather than for every value of
     * every row.
     */
    static final class Columns {
        final int id, type, name, dedupeKey, groupName, priority, state, payload, result, error, reason,
                cancelRequested, progress, attempt, maxAttempts, interruptions, submittedAt, startedAt, finishedAt,
                runAfter, epoch, node, leaseUntil, timeoutMs, expectedMs, stuck, stuckThreads, earlierRuns, readAt;
        /** {@code event_id} and {@code event_type}, or 0 without {@code events}. */
        final int eventId, eventType;

        /** The columns of {@code rs}; with {@code events}, also the event's. */
        Columns(ResultSet rs, boolean events) throws SQLException {
            id = rs.findColumn("id");
            type = rs.findColumn("type");
            name = rs.findColumn("name");
            dedupeKey = rs.findColumn("dedupe_key");
            groupName = rs.findColumn("group_name");
            priority = rs.findColumn("priority");
            state = rs.findColumn("state");
            payload = rs.findColumn("payload");
            result = rs.findColumn("result");
            error = rs.findColumn("error");
            reason = rs.findColumn("reason");
            cancelRequested = rs.findColumn("cancel_requested");
            progress = rs.findColumn("progress");
            attempt = rs.findColumn("attempt");
            maxAttempts = rs.findColumn("max_attempts");
            interruptions = rs.findColumn("interruptions");
            submittedAt = rs.findColumn("submitted_at");
            startedAt = rs.findColumn("started_at");
            finishedAt = rs.findColumn("finished_at");
            runAfter = rs.findColumn("run_after");
            epoch = rs.findColumn("epoch");
            node = rs.findColumn("node");
            leaseUntil = rs.findColumn("lease_until");
            timeoutMs = rs.findColumn("timeout_ms");
            expectedMs = rs.findColumn("expected_ms");
            stuck = rs.findColumn("stuck");
            stuckThreads = rs.findColumn("stuck_threads");
            earlierRuns = rs.findColumn("earlier_runs");
            readAt = rs.findColumn("read_at");
            eventId = events ? rs.findColumn("event_id") : 0;
            eventType = events ? rs.findColumn("event_type") : 0;
        }
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
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("name", storable(p.name()));
            g.writeNumberField("done", p.done());
            g.writeNumberField("total", p.total());
            g.writeNumberField("fraction", p.fraction());
            g.writeStringField("step", storable(p.step()));
            g.writeStringField("message", storable(p.message()));
            if (p.rate().isPresent() && Double.isFinite(p.rate().getAsDouble())) {
                g.writeNumberField("rate", p.rate().getAsDouble());
            } else {
                g.writeNullField("rate");
            }
            g.writeStringField("eta", p.eta().map(Duration::toString).orElse(null));
            g.writeBooleanField("complete", p.complete());
            g.writeStringField("state", p.state().name());
            g.writeStringField("takenAt", p.takenAt().toString());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    static ProgressSnapshot progress(String json) {
        if (json == null) {
            return null;
        }
        String name = null, step = null, message = null, eta = null, state = null, takenAt = null;
        long done = 0, total = 0;
        double fraction = 0;
        OptionalDouble rate = OptionalDouble.empty();
        boolean complete = false;
        try (JsonParser p = JSON.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalStateException("unreadable JSON column in the jobs table: a progress that is not "
                        + "an object: " + json);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "name" -> name = p.getValueAsString();
                    case "done" -> done = p.getValueAsLong();
                    case "total" -> total = p.getValueAsLong();
                    case "fraction" -> fraction = p.getValueAsDouble();
                    case "step" -> step = p.getValueAsString();
                    case "message" -> message = p.getValueAsString();
                    case "rate" -> rate = value == JsonToken.VALUE_NULL ? OptionalDouble.empty()
                            : OptionalDouble.of(p.getValueAsDouble());
                    case "eta" -> eta = p.getValueAsString();
                    case "complete" -> complete = p.getValueAsBoolean();
                    case "state" -> state = p.getValueAsString();
                    case "takenAt" -> takenAt = p.getValueAsString();
                    default -> {
                    }
                }
                p.skipChildren(); // a value that is not a scalar: past it
            }
        } catch (IOException e) {
            throw new IllegalStateException("unreadable JSON column in the jobs table: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
        return new ProgressSnapshot(name, done, total, fraction, step, message, rate,
                eta == null ? Optional.empty() : Optional.of(Duration.parse(eta)), complete,
                ProgressState.valueOf(state), instant(takenAt));
    }

    /**
     * The instant of ISO-8601 text such as {@link Instant#toString} writes. The common shape,
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with a four-digit year, is read directly (Instant.parse costs a
     * general formatter's work per call); anything else goes through {@link Instant#parse}.
     */
    static Instant instant(String text) {
        int n = text.length();
        if (n < 20 || n > 30 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(n - 1) != 'Z'
                || (n > 20 && (n == 21 || text.charAt(19) != '.'))) {
            return Instant.parse(text);
        }
        int year = digits(text, 0, 4), month = digits(text, 5, 7), day = digits(text, 8, 10);
        int hour = digits(text, 11, 13), minute = digits(text, 14, 16), second = digits(text, 17, 19);
        int nanos = 0;
        if (n > 20) {
            int f = digits(text, 20, n - 1);
            nanos = f < 0 ? -1 : f * POWERS_OF_TEN[9 - (n - 21)];
        }
        if (year < 0 || month < 1 || month > 12 || day < 1
                || (day > 28 && day > YearMonth.of(year, month).lengthOfMonth())
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || nanos < 0) {
            return Instant.parse(text); // not the common shape, or out of range: Instant.parse says what is wrong
        }
        long days = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600 + minute * 60 + second, nanos);
    }

    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
            100_000_000};

    /** The decimal number of text[from, to), or -1 if a char there is not an ASCII digit. */
    private static int digits(String text, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
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
            Columns k = new Columns(rs, true);
            while (rs.next()) {
                out.add(JobRows.event(rs, k));
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
