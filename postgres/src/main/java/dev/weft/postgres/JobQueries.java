package dev.weft.postgres;

import dev.weft.jobs.JobQuery;
import dev.weft.jobs.JobState;
import dev.weft.jobs.spi.StoredEvent;
import dev.weft.jobs.spi.StoredJob;
import dev.weft.jobs.spi.StoredPage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** The store's reads: one job, a page of jobs, the counts per state, and the events after an id. */
final class JobQueries {

    private final JobSql sql;
    private final StoreCalls calls;

    JobQueries(JobSql sql, StoreCalls calls) {
        this.sql = sql;
        this.calls = calls;
    }

    Optional<StoredJob> find(String id) {
        UUID uuid = JobRows.parseUuid(id);
        if (uuid == null) {
            return Optional.empty();
        }
        return calls.oneStatement("find a job", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.find)) {
                ps.setObject(1, uuid);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(JobRows.job(rs)) : Optional.empty();
                }
            }
        });
    }

    StoredPage list(JobQuery query) {
        Objects.requireNonNull(query, "query");
        boolean states = !query.states().isEmpty();
        String[] stateNames = query.states().stream().map(Enum::name).toArray(String[]::new);
        return calls.oneStatement("list jobs", c -> {
            List<StoredJob> jobs = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql.list(query))) {
                int i = bindFilter(c, ps, states, stateNames, query);
                ps.setInt(i++, query.offset());
                ps.setInt(i, query.limit());
                try (ResultSet rs = ps.executeQuery()) {
                    JobRows.Columns k = new JobRows.Columns(rs, false);
                    while (rs.next()) {
                        jobs.add(JobRows.job(rs, k));
                    }
                }
            }
            long total;
            if (query.offset() == 0 && jobs.size() < query.limit()) {
                total = jobs.size();
            } else {
                try (PreparedStatement ps = c.prepareStatement(sql.count(query))) {
                    bindFilter(c, ps, states, stateNames, query);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        total = rs.getLong(1);
                    }
                }
            }
            return new StoredPage(List.copyOf(jobs), total);
        });
    }

    private static int bindFilter(Connection c, PreparedStatement ps, boolean states, String[] stateNames,
                                  JobQuery query) throws SQLException {
        int i = 1;
        if (states) {
            ps.setArray(i++, c.createArrayOf("text", stateNames));
        }
        if (query.name() != null) {
            ps.setString(i++, query.name());
        }
        if (query.key() != null) {
            ps.setString(i++, query.key());
        }
        if (query.group() != null) {
            ps.setString(i++, query.group());
        }
        if (query.type() != null) {
            ps.setString(i++, query.type());
        }
        if (query.search() != null) {
            String pattern = "%" + query.search().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            for (int k = 0; k < 3; k++) {
                ps.setString(i++, pattern);
            }
        }
        return i;
    }

    Map<JobState, Long> counts() {
        return calls.oneStatement("count jobs", c -> {
            Map<JobState, Long> out = new EnumMap<>(JobState.class);
            for (JobState s : JobState.values()) {
                out.put(s, 0L);
            }
            try (PreparedStatement ps = c.prepareStatement(sql.counts); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(JobState.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
            return out;
        });
    }

    /** Events after {@code afterId}, stopping before an id gap that may still fill (see the store). */
    List<StoredEvent> eventsAfter(long afterId, int max) {
        if (max <= 0) {
            return List.of();
        }
        return calls.oneStatement("read job events", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.eventsAfter)) {
                ps.setLong(1, PostgresJobStore.EVENT_GAP_GRACE.toMillis());
                ps.setLong(2, afterId);
                ps.setInt(3, max);
                List<StoredEvent> out = new ArrayList<>();
                long previous = afterId;
                try (ResultSet rs = ps.executeQuery()) {
                    JobRows.Columns k = new JobRows.Columns(rs, true);
                    while (rs.next()) {
                        StoredEvent e = JobRows.event(rs, k);
                        if (e.id() != previous + 1 && rs.getBoolean("recent")) {
                            break; // a lower id may belong to a transaction that has not committed yet
                        }
                        out.add(e);
                        previous = e.id();
                    }
                }
                return out;
            }
        });
    }
}
