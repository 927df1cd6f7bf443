package dev.weft.jobs;

import dev.weft.scope.Retry;

import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.Objects;

/**
 * What to run and how: a name, an optional business key (for de-duplication), an optional group (for per-group
 * caps, e.g. a tenant), an optional timeout, retry policy, priority and expected duration, and the body.
 *
 * <pre>{@code
 * JobSpec<Integer> spec = JobSpec.named("reindex")
 *         .key("reindex:tenant-7").group("tenant-7")
 *         .timeout(Duration.ofMinutes(5)).retry(Retry.attempts(3)).priority(10)
 *         .body(Integer.class, ctx -> reindex(ctx));
 * }</pre>
 *
 * <p>A spec with a {@linkplain Builder#key key} declares its result type ({@link Builder#body(Class, JobBody)}):
 * submitting it may return the handle of an earlier job with that key, and the runtime gives that handle only to a
 * spec of the same result type, so {@code await()} returns what the caller's {@code T} says.
 *
 * @param <T> the result type
 */
public final class JobSpec<T> {

    private final Builder builder;
    private final Class<T> resultType;
    private final JobBody<T> body;
    private final JobType<?, T> type;
    private final Object payload;

    private JobSpec(Builder builder, Class<T> resultType, JobBody<T> body, JobType<?, T> type, Object payload) {
        this.builder = builder.copy();
        this.resultType = resultType;
        this.body = body;
        this.type = type;
        this.payload = payload;
    }

    /** A job of type {@code type} with {@code payload}, named after the type, with the defaults otherwise. */
    public static <P, R> JobSpec<R> of(JobType<P, R> type, P payload) {
        Objects.requireNonNull(type, "job type must not be null");
        return named(type.name()).run(type, payload);
    }

    /** Starts describing a job named {@code name}. */
    public static Builder named(String name) {
        return new Builder(name);
    }

    public String name() {
        return builder.name;
    }

    /** The business key, or {@code null}. */
    public String key() {
        return builder.key;
    }

    /** The group for per-group caps, or {@code null}. */
    public String group() {
        return builder.group;
    }

    /** The timeout over all attempts, or {@code null} for none. */
    public Duration timeout() {
        return builder.timeout;
    }

    /** The retry policy, or {@code null} for a single attempt. */
    public Retry retry() {
        return builder.retry;
    }

    /** Higher runs first among queued jobs; 0 by default. */
    public int priority() {
        return builder.priority;
    }

    /** After how long a running job counts as stuck, or {@code null} for the runtime's default. */
    public Duration expectedDuration() {
        return builder.expectedDuration;
    }

    public JobBody<T> body() {
        return body;
    }

    /** The job type, for a typed job ({@link Builder#run(JobType, Object)}), else null. */
    public JobType<?, T> type() {
        return type;
    }

    /** The payload of a typed job (which may be null), else null. */
    public Object payload() {
        return payload;
    }

    /**
     * The declared result type, as given to {@link Builder#body(Class, JobBody)} (a primitive type as its wrapper,
     * {@code int.class} as {@code Integer.class}), or {@code null} if the spec was built with
     * {@link Builder#body(JobBody)}.
     */
    public Class<T> resultType() {
        return resultType;
    }

    /** Describes a job; not thread-safe. */
    public static final class Builder {
        private final String name;
        private String key;
        private String group;
        private Duration timeout;
        private Retry retry;
        private int priority;
        private Duration expectedDuration;

        Builder(String name) {
            Objects.requireNonNull(name, "job name must not be null");
            if (name.isBlank() || name.indexOf('/') >= 0) {
                throw new IllegalArgumentException("job name must be non-blank and contain no '/', was \"" + name + "\"");
            }
            this.name = name;
        }

        private Builder copy() {
            var b = new Builder(name);
            b.key = key;
            b.group = group;
            b.timeout = timeout;
            b.retry = retry;
            b.priority = priority;
            b.expectedDuration = expectedDuration;
            return b;
        }

        /**
         * A business key: while a job with this key is queued or running, submitting another spec with the key
         * returns that job instead of starting a new one. A keyed spec must declare its result type with
         * {@link #body(Class, JobBody)}; a submit whose result type differs from the active job's is refused.
         */
        public Builder key(String key) {
            this.key = requireNonBlank(key, "key");
            return this;
        }

        /** A group (a tenant, a resource) for {@link JobRuntime.Builder#maxRunningPerGroup(int)}. */
        public Builder group(String group) {
            this.group = requireNonBlank(group, "group");
            return this;
        }

        /** Ends the job as {@code TIMED_OUT} when {@code timeout} has passed since it started, over all attempts. */
        public Builder timeout(Duration timeout) {
            this.timeout = requirePositive(timeout, "timeout");
            return this;
        }

        /** Retries failed attempts by this policy (its backoff, filter and attempt timeout). */
        public Builder retry(Retry retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** Higher runs first among queued jobs (any int; ties run in submission order). */
        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        /** A job still running after {@code expected} is flagged stuck and logged once with its threads' stacks. */
        public Builder expectedDuration(Duration expected) {
            this.expectedDuration = requirePositive(expected, "expectedDuration");
            return this;
        }

        /**
         * The finished spec, with no declared result type.
         *
         * @throws IllegalStateException if a {@linkplain #key key} was set: a keyed spec needs
         *         {@link #body(Class, JobBody)}
         */
        public <T> JobSpec<T> body(JobBody<T> body) {
            Objects.requireNonNull(body, "job body must not be null");
            if (key != null) {
                throw new IllegalStateException("job \"" + name + "\" has key \"" + key + "\", so it must declare "
                        + "its result type: use body(ResultType.class, ctx -> ...) instead of body(ctx -> ...)");
            }
            return new JobSpec<>(this, null, body, null, null);
        }

        /**
         * The finished spec, whose body returns a {@code resultType} (or null). A job whose body returns anything
         * else (possible only through unchecked casts) ends FAILED with a {@link ClassCastException}.
         * De-duplication compares result types as classes: {@code List<String>} and {@code List<Integer>} are both
         * {@code List}.
         */
        @SuppressWarnings("unchecked")
        public <T> JobSpec<T> body(Class<T> resultType, JobBody<T> body) {
            Objects.requireNonNull(resultType, "result type must not be null");
            Objects.requireNonNull(body, "job body must not be null");
            return new JobSpec<>(this, (Class<T>) MethodType.methodType(resultType).wrap().returnType(), body, null, null);
        }

        /**
         * The finished spec of a typed job: {@code type}'s handler run on {@code payload}, result type
         * {@code type.resultType()}. This is the form a durable store can keep. The type must be
         * {@linkplain JobRuntime.Builder#register registered} on the runtime it is submitted to; a spec for a
         * durable store takes its retry policy from the type ({@link JobType#withRetry}), not from
         * {@link #retry(Retry)}.
         */
        public <P, R> JobSpec<R> run(JobType<P, R> type, P payload) {
            Objects.requireNonNull(type, "job type must not be null");
            JobHandler<P, R> handler = type.handler();
            JobBody<R> body = ctx -> handler.run(ctx, payload);
            return new JobSpec<>(this, type.resultType(), body, type, payload);
        }

        private static String requireNonBlank(String s, String what) {
            Objects.requireNonNull(s, () -> what + " must not be null; omit the call for none");
            if (s.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return s;
        }

        static Duration requirePositive(Duration d, String what) {
            Objects.requireNonNull(d, () -> what + " must not be null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }
    }
}
