package dev.weft.http;

import dev.weft.scope.Scope;
import dev.weft.scope.Task;
import dev.weft.scope.TaskState;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A job's live tree of scopes and tasks as the dashboard shows it ({@code GET /api/jobs/{id}/tree}), readable for
 * a job with tens of thousands of tasks: every scope with its state, progress, age and cancellation reason, and
 * its tasks counted per state; of the tasks, only the running and the failed (or timed out) are listed, at most
 * {@value #LISTED} of each per scope, and of the child scopes at most {@value #SCOPES} per scope.
 */
final class TaskTree {

    /*
     * Implementation notes: scopes and tasks have no start time in the API, so the first time this tree sees one
     * stands for it (a weak map, so ended scopes and tasks can go). A walk is O(scopes + tasks) of the job and
     * allocates only for what it lists; depth is capped at 32 like /api/scopes.
     */

    static final int LISTED = 50;
    static final int SCOPES = 100;
    private static final int MAX_DEPTH = 32;

    private final Map<Object, Instant> firstSeen = Collections.synchronizedMap(new WeakHashMap<>());

    /** The tree of job {@code id}'s running attempt among {@code roots}, or null if it has none. */
    Map<String, Object> of(String id, List<Scope<?, ?>> roots, Instant now) {
        for (Scope<?, ?> s : roots) {
            if (s.name().endsWith("#" + id)) {
                return describe(s, now, 0);
            }
        }
        return null;
    }

    /** When this tree first saw {@code scopeOrTask}. */
    Instant seen(Object scopeOrTask, Instant now) {
        return firstSeen.computeIfAbsent(scopeOrTask, x -> now);
    }

    private Map<String, Object> describe(Scope<?, ?> s, Instant now, int depth) {
        var m = new LinkedHashMap<String, Object>();
        m.put("name", depth == 0 ? "job" : s.name());
        m.put("path", s.path());
        m.put("state", s.state());
        m.put("age", Duration.between(seen(s, now), now));
        m.put("remaining", s.remaining().orElse(null));
        m.put("maxConcurrency", s.maxConcurrency());
        m.put("cancellationReason", s.cancellationReason().map(r -> r.kind() + ": " + r.detail()).orElse(null));
        m.put("progress", s.progress().snapshot());
        var byState = new EnumMap<TaskState, Integer>(TaskState.class);
        var running = new ArrayList<Map<String, Object>>();
        var failed = new ArrayList<Map<String, Object>>();
        List<? extends Task<?>> tasks = s.tasks();
        for (Task<?> t : tasks) {
            TaskState state = t.state();
            byState.merge(state, 1, Integer::sum);
            if (state == TaskState.RUNNING && running.size() < LISTED) {
                running.add(task(t, state, now));
            } else if ((state == TaskState.FAILED || state == TaskState.TIMED_OUT) && failed.size() < LISTED) {
                failed.add(task(t, state, now));
            }
        }
        var summary = new LinkedHashMap<String, Object>();
        summary.put("total", tasks.size());
        summary.put("byState", byState);
        summary.put("running", running);
        summary.put("failed", failed);
        m.put("tasks", summary);
        var children = new ArrayList<Map<String, Object>>();
        List<Scope<?, ?>> kids = s.children();
        if (depth < MAX_DEPTH) {
            for (Scope<?, ?> c : kids.subList(0, Math.min(kids.size(), SCOPES))) {
                children.add(describe(c, now, depth + 1));
            }
        }
        m.put("children", children);
        m.put("childrenNotShown", kids.size() - children.size());
        return m;
    }

    private Map<String, Object> task(Task<?> t, TaskState state, Instant now) {
        var m = new LinkedHashMap<String, Object>();
        m.put("name", t.name());
        m.put("state", state);
        m.put("age", Duration.between(seen(t, now), now));
        if (state == TaskState.FAILED) {
            Throwable e = t.exception();
            m.put("error", e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        t.cancellationReason().ifPresent(r -> m.put("cancellationReason", r.kind() + ": " + r.detail()));
        return m;
    }
}
