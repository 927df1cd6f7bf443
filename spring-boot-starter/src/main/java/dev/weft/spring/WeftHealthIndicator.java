package dev.weft.spring;

import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobState;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import java.util.Map;

/**
 * Actuator health of the job runtime ({@code /actuator/health/weft}): UP, or DOWN while a durable store cannot be
 * reached; details: the store, the counts per state and the nodes.
 */
final class WeftHealthIndicator implements HealthIndicator {

    private final JobRuntime runtime;
    private final String store;

    WeftHealthIndicator(JobRuntime runtime, String store) {
        this.runtime = runtime;
        this.store = store;
    }

    @Override
    public Health health() {
        JobRuntime.Health h = runtime.health();
        Health.Builder b = h.status() == JobRuntime.Health.Status.UP ? Health.up() : Health.down();
        b.withDetail("store", store);
        if (!h.detail().isEmpty()) {
            b.withDetail("detail", h.detail());
        }
        if (h.status() != JobRuntime.Health.Status.UP) {
            return b.build(); // counts and nodes would wait for the data source to give up on the store
        }
        try {
            Map<JobState, Long> counts = runtime.counts();
            b.withDetail("counts", counts);
            b.withDetail("nodes", runtime.nodes().stream().map(n -> Map.of("name", n.name(), "state", n.state(),
                    "running", n.running(), "queued", n.queued())).toList());
        } catch (RuntimeException unreadable) {
            b.down().withDetail("detail", "the job store cannot be read: " + unreadable.getMessage());
        }
        return b.build();
    }
}
