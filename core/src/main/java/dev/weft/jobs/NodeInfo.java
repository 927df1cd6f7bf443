package dev.weft.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One runtime (node) as the cluster sees it. An in-memory runtime is a cluster of one: {@link JobRuntime#nodes()}
 * answers itself. On a durable store every runtime that opened it is a node, registered in the store and kept
 * alive by its heartbeats; times are the store's clock, so the clocks of the nodes' machines do not matter.
 *
 * @param id          unique for each start of a runtime (a restarted node has a new id)
 * @param name        the name given by {@link JobRuntime.Builder#nodeName} (or the host's and the runtime's)
 * @param startedAt   when the node registered
 * @param version     the Weft version the node runs
 * @param heartbeatAt the node's latest heartbeat
 * @param state       ALIVE, LEFT (shut down and deregistered) or DEAD (missed its heartbeats)
 * @param running     jobs the node was running at its latest heartbeat
 * @param queued      jobs waiting in the node's own admission queue at its latest heartbeat
 */
public record NodeInfo(String id, String name, Instant startedAt, String version, Instant heartbeatAt,
                       State state, int running, long queued) {

    /** A node's condition. */
    public enum State {
        /** Heartbeating. */
        ALIVE,
        /** Shut down and deregistered: its queued work stays for other nodes. */
        LEFT,
        /** Declared dead after missing its heartbeats: its running jobs were recovered. */
        DEAD
    }

    public NodeInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(heartbeatAt, "heartbeatAt");
        Objects.requireNonNull(state, "state");
    }

    /** How long before {@code now} the latest heartbeat was (zero if in the future). */
    public Duration heartbeatAge(Instant now) {
        Duration age = Duration.between(heartbeatAt, now);
        return age.isNegative() ? Duration.ZERO : age;
    }
}
