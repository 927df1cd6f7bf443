package dev.weft.jobs;

import dev.weft.progress.Progress;
import dev.weft.scope.CancellationReason;
import dev.weft.scope.Scope;

import java.util.List;
import java.util.Optional;

/**
 * What a running job's body knows about itself: its id and attempt, its scope (fork into it), its progress
 * (report on it) and its cancellation.
 *
 * <pre>{@code
 * runtime.submit(JobSpec.named("import").body(ctx -> {
 *     ctx.progress().setTotal(files.size());
 *     for (var f : files) {
 *         ctx.scope().fork(f.name(), () -> { load(f); ctx.progress().advance(); return null; });
 *     }
 *     return files.size();            // the job ends when every forked task has too
 * }));
 * }</pre>
 */
public sealed interface JobContext permits Job {

    /** The job's id. */
    String jobId();

    /** The job's name. */
    String name();

    /** The attempt number, 1 for the first run. */
    int attempt();

    /**
     * The root scope of this attempt (policy all-successful, deadline the job's remaining timeout), owned by the
     * body's thread. Tasks forked here are joined before the job ends; the first failure fails the attempt.
     */
    Scope<Object, List<Object>> scope();

    /** The progress of this attempt: the scope's progress node. */
    Progress progress();

    /** Why the job is being cancelled, if it is. */
    Optional<CancellationReason> cancellationReason();

    /** Whether the job is being cancelled. */
    default boolean isCancelled() {
        return cancellationReason().isPresent();
    }
}
