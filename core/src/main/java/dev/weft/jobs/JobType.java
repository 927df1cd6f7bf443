package dev.weft.jobs;

import dev.weft.scope.Retry;

import java.lang.invoke.MethodType;
import java.util.Objects;

/**
 * A named kind of job with a payload class, a result class and a handler: the form of job that a durable
 * {@linkplain JobRuntime.Builder#store store} can keep, since a payload can be written down and a lambda cannot.
 * Register each type on every runtime that may run it ({@link JobRuntime.Builder#register}); submit a job as the
 * type plus a payload ({@link JobRuntime#submit(JobType, Object)} or {@link JobSpec.Builder#run(JobType, Object)}).
 * Typed jobs run on the in-memory store too, so an application moves between stores by configuration alone.
 *
 * <pre>{@code
 * record Resize(String image, int width) {}
 * JobType<Resize, String> RESIZE = JobType.of("resize", Resize.class, String.class, (ctx, r) -> resize(r))
 *         .withRetry(Retry.attempts(3));
 * }</pre>
 *
 * <p>The payload and result are written by the store's codec (JSON by default on PostgreSQL): they must be
 * values the codec can write and read back, such as records of strings, numbers, lists and maps.
 *
 * <p>Immutable; the {@code with...} methods return a copy.
 *
 * @param <P> the payload type
 * @param <R> the result type
 */
public final class JobType<P, R> {

    /** The longest type name. */
    public static final int MAX_NAME_LENGTH = 200;

    private final String name;
    private final Class<P> payloadType;
    private final Class<R> resultType;
    private final JobHandler<P, R> handler;
    private final Retry retry;
    private final boolean requeueOnShutdown;

    private JobType(String name, Class<P> payloadType, Class<R> resultType, JobHandler<P, R> handler, Retry retry,
                    boolean requeueOnShutdown) {
        this.name = name;
        this.payloadType = payloadType;
        this.resultType = resultType;
        this.handler = handler;
        this.retry = retry;
        this.requeueOnShutdown = requeueOnShutdown;
    }

    /**
     * A job type named {@code name}, whose jobs take a {@code payloadType} and return a {@code resultType} (a
     * primitive class stands for its wrapper; {@code Void.class} for no result).
     *
     * @throws IllegalArgumentException if {@code name} is blank, longer than {@value #MAX_NAME_LENGTH} characters,
     *                                  or contains '/' or a control character
     */
    @SuppressWarnings("unchecked")
    public static <P, R> JobType<P, R> of(String name, Class<P> payloadType, Class<R> resultType,
                                          JobHandler<P, R> handler) {
        Objects.requireNonNull(name, "job type name must not be null");
        if (name.isBlank() || name.length() > MAX_NAME_LENGTH || name.indexOf('/') >= 0
                || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("job type name must be 1 to " + MAX_NAME_LENGTH + " characters, not "
                    + "blank, without '/' or control characters, was \"" + name + "\"");
        }
        Objects.requireNonNull(payloadType, "payload type must not be null (use Void.class for none)");
        Objects.requireNonNull(resultType, "result type must not be null (use Void.class for none)");
        Objects.requireNonNull(handler, "job handler must not be null");
        return new JobType<>(name, (Class<P>) wrap(payloadType), (Class<R>) wrap(resultType), handler, null, true);
    }

    /**
     * The same type with retry policy {@code retry} for its jobs. On a durable store the policy travels with the
     * type, not the job, so every node that registers the type retries its jobs alike.
     */
    public JobType<P, R> withRetry(Retry retry) {
        return new JobType<>(name, payloadType, resultType, handler, Objects.requireNonNull(retry, "retry"),
                requeueOnShutdown);
    }

    /**
     * The same type, whose jobs still running when a graceful shutdown's grace period ends are failed instead
     * of being put back in the queue (the default) to run again after the restart.
     */
    public JobType<P, R> failOnShutdown() {
        return new JobType<>(name, payloadType, resultType, handler, retry, false);
    }

    public String name() {
        return name;
    }

    public Class<P> payloadType() {
        return payloadType;
    }

    public Class<R> resultType() {
        return resultType;
    }

    public JobHandler<P, R> handler() {
        return handler;
    }

    /** The retry policy, or null for a single attempt. */
    public Retry retry() {
        return retry;
    }

    /** Whether a job still running at the end of a graceful shutdown goes back to the queue (else it fails). */
    public boolean requeueOnShutdown() {
        return requeueOnShutdown;
    }

    /** Whether {@code other} has this type's name and classes (its handler may differ). */
    boolean sameShape(JobType<?, ?> other) {
        return name.equals(other.name) && payloadType == other.payloadType && resultType == other.resultType;
    }

    @Override
    public String toString() {
        return "JobType[" + name + ": " + payloadType.getName() + " -> " + resultType.getName() + "]";
    }

    private static Class<?> wrap(Class<?> c) {
        return MethodType.methodType(c).wrap().returnType();
    }
}
