/**
 * Weft: structured concurrency on virtual threads.
 *
 * <ul>
 *   <li>{@code dev.weft.scope}: scopes, tasks, join policies, deadlines, cancellation and retry;</li>
 *   <li>{@code dev.weft.progress}: lock-free progress that rolls up the scope tree;</li>
 *   <li>{@code dev.weft.time}: the time source behind deadlines and backoff, and a manual one for tests.</li>
 * </ul>
 * Everything under {@code dev.weft.internal} is implementation and not exported.
 */
module dev.weft.core {
    requires org.slf4j;
    requires jdk.jfr;

    exports dev.weft.scope;
    exports dev.weft.progress;
    exports dev.weft.time;
    exports dev.weft.jobs;
    exports dev.weft.jobs.spi;
    exports dev.weft.internal to dev.weft.postgres;
}
