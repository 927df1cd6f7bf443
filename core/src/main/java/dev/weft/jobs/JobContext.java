package dev.weft.jobs;

import dev.weft.progress.Progress;
import dev.weft.scope.CancellationReason;
import dev.weft.scope.Scope;

import java.util.List;
import java.util.Optional;

/**
 * What a running job's body knows about itself: its id and attempt, its scope (fork into it; the runtime joins
 * it), its progress (report on it) and its cancellation.
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
public sealed interface JobContext permits Job, DurableRun {

    /** The job's id. */
    String jobId();

    /** The job's name. */
    String name();

    /**
     * The attempt number: 1 for the first attempt, counted on over the job's runs (after a
     * {@linkplain JobRuntime#retry(String) retry} of a job that ended at attempt N, the next attempt is N + 1).
     */
    int attempt();

    /**
     * The root scope of this attempt (policy all-successful, deadline the job's remaining timeout). The runtime
     * owns it: the body runs as its first task, named {@code main}, and the runtime joins and closes the scope
     * after the body. The body may {@linkplain Scope#fork fork} tasks into it (they run beside the body, and the
     * job ends when the body and every forked task have finished; the first failure fails the attempt), cancel it,
     * read its state and progress, and open nested scopes of its own, which it owns and joins. It must not
     * {@code join()} or {@code close()} this scope: only the runtime's thread may, so those calls throw
     * {@link WrongThreadException}. To wait for one forked task, fork it into a nested scope instead.
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
