package dev.weft.jobs.spi;

import dev.weft.jobs.NodeInfo;

import java.util.List;

/**
 * What one {@link JobStore#checkNodes} found.
 *
 * @param alive        whether the checking node was still ALIVE; false once another node declared it dead (or it
 *                     left): its claims are gone, and it must register again to take work
 * @param declaredDead the nodes this heartbeat declared dead
 * @param recovered    an event per running job of a dead or departed node that this heartbeat recovered
 */
public record Heartbeat(boolean alive, List<NodeInfo> declaredDead, List<StoredEvent> recovered) {

    public Heartbeat {
        declaredDead = List.copyOf(declaredDead);
        recovered = List.copyOf(recovered);
    }
}
