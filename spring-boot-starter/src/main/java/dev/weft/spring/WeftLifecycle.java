package dev.weft.spring;

import dev.weft.http.JobApi;
import dev.weft.jobs.JobRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;

/**
 * Stops Weft in Spring's lifecycle before the web server: the runtime drains (stops admitting, lets running jobs
 * finish within {@code weft.shutdown-grace}, cancels the rest with reason SHUTDOWN), then the open event streams
 * send those last events and end, and only then does the web server begin its own (graceful) shutdown.
 */
final class WeftLifecycle implements SmartLifecycle {

    /*
     * Implementation notes: SmartLifecycle beans stop in descending phase order. The web server's graceful
     * shutdown runs at SmartLifecycle.DEFAULT_PHASE - 1024 and its stop below that; this bean's phase is
     * DEFAULT_PHASE, so it stops first, while the server still serves the event streams. The runtime is built
     * (and running) before start(); start() only records that it is running.
     */

    private static final Logger log = LoggerFactory.getLogger(WeftLifecycle.class);
    private static final Duration STREAM_GRACE = Duration.ofSeconds(5);

    private final JobRuntime runtime;
    private final JobApi api;
    private volatile boolean running;

    WeftLifecycle(JobRuntime runtime, JobApi api) {
        this.runtime = runtime;
        this.api = api;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        try {
            runtime.close(); // drains within the runtime's shutdown grace (weft.shutdown-grace)
        } finally {
            if (api != null) {
                api.finishEventStreams();
                try {
                    if (!api.awaitNoEventStreams(STREAM_GRACE)) {
                        log.warn("{} event streams had not ended {} after the runtime stopped; ending them",
                                api.openEventStreams(), STREAM_GRACE);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                api.close();
            }
            running = false;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }
}
