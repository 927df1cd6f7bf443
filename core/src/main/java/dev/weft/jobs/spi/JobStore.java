package dev.weft.jobs.spi;

import dev.weft.jobs.JobCodec;
import dev.weft.jobs.JobQuery;
import dev.weft.jobs.JobState;
import dev.weft.jobs.NodeInfo;
import dev.weft.jobs.Retention;
import dev.weft.scope.CancellationReason;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A durable home for jobs, shared by every runtime (node) that opens it. The runtime keeps nothing about a job
 * that the store does not also hold, so a runtime that restarts, or another node, carries on from the store.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Claims and fencing.</b> {@link #claim} moves queued jobs to RUNNING for one node, each with a lease
 *       (renewed by {@link #renew}) and a fresh <em>epoch</em>, a number that grows with every claim of the job.
 *       Every later write about a running job names the epoch it claimed ({@link Lease}); a write whose epoch is
 *       no longer the job's, or whose job is no longer RUNNING, changes nothing and is left out of the result.
 *       So a job is never run twice at once by the store's account, and a node that lost its lease writes
 *       nothing.</li>
 *   <li><b>Events.</b> Every change that the runtime reports as a {@link dev.weft.jobs.JobEvent} is written
 *       with an event whose id the store assigns, in the same transaction as the change; the methods return
 *       those events. Ids grow over time and survive restarts, so a client can resume after one.</li>
 *   <li><b>De-duplication.</b> {@link #insert} of a job with a key that a queued or running job holds inserts
 *       nothing and returns the holder; the store enforces it atomically (a unique constraint), not by a
 *       check-then-insert.</li>
 *   <li><b>Nodes.</b> Every runtime on the store registers as a node ({@link #register}) and beats
 *       ({@link #heartbeat}); a node whose latest heartbeat is older than the dead-after interval, by the store's
 *       clock, is declared DEAD by any live node's heartbeat, which also recovers the running jobs of dead and
 *       departed nodes. A dead node claims nothing ({@link #claim} returns nothing for it).</li>
 *   <li><b>Failures.</b> Every method may throw {@link StoreUnavailableException} when the store cannot be
 *       reached; the runtime retries writes with backoff. A write is all-or-nothing.</li>
 * </ul>
 *
 * <p>Implementations must be thread-safe.
 */
public interface JobStore extends AutoCloseable {

    /** The codec for typed jobs' payloads and results. */
    JobCodec codec();

    /** The largest encoded payload the store accepts, in bytes of UTF-8. */
    int maxPayloadBytes();

    /**
     * Prepares the store for a runtime (creates or checks its schema, starts listening for other nodes'
     * notices). Called once, before anything else.
     *
     * @throws StoreUnavailableException if the store cannot be reached; the message says where (no password)
     * @throws IllegalStateException     if the store's schema is newer than this code knows
     */
    void open(StoreListener listener);

    /** Inserts {@code job} (QUEUED), or returns the queued or running job holding its key. */
    default Inserted insert(NewJob job) {
        return insertAll(List.of(job)).get(0);
    }

    /**
     * Inserts {@code jobs} in one transaction (one commit), each as {@link #insert} would, and wakes idle
     * claimers on every node once it has committed. Of jobs in the list sharing a key, the first is inserted
     * and the others get it as their holder.
     *
     * @return what happened to each job, in the list's order
     */
    List<Inserted> insertAll(List<NewJob> jobs);

    /**
     * Claims up to {@code max} queued jobs of the given types whose time has come, in priority then submission
     * order, for node {@code node} with a lease of {@code lease}, in one round trip and without a global lock
     * (jobs another claimer holds are skipped). Each becomes RUNNING with its attempt counted and a new epoch.
     *
     * @return a STARTED event per claimed job
     */
    default List<StoredEvent> claim(String node, Collection<String> types, int max, Duration lease) {
        return claim(node, types, max, lease, Integer.MAX_VALUE);
    }

    /**
     * Claims as {@link #claim(String, Collection, int, Duration)} does, such that no group ends up with more than
     * {@code maxPerGroup} RUNNING jobs in the whole store (over every node), even when nodes claim at once. Jobs
     * without a group are not limited. With {@code Integer.MAX_VALUE}, no group is limited.
     */
    List<StoredEvent> claim(String node, Collection<String> types, int max, Duration lease, int maxPerGroup);

    /** Ends the attempts of {@code ends}, in one transaction; returns an event for each that applied (fenced). */
    List<StoredEvent> endAttempts(List<AttemptEnd> ends);

    /**
     * Ends the attempts of {@code ends}, then claims up to {@code max} jobs as {@link #claim} does, in one
     * transaction: the two for the price of one commit. The default calls the two methods one after the other.
     */
    default EndedAndClaimed endAndClaim(List<AttemptEnd> ends, String node, Collection<String> types, int max,
                                        Duration lease, int maxPerGroup) {
        return new EndedAndClaimed(ends.isEmpty() ? List.of() : endAttempts(ends),
                claim(node, types, max, lease, maxPerGroup));
    }

    /** Writes running jobs' progress; returns a PROGRESS event for each that applied (fenced). */
    List<StoredEvent> writeProgress(List<ProgressUpdate> updates);

    /**
     * Marks a running job stuck, with its threads as the node running it captured them ({@code threads}, kept so
     * that every node can show them); the STUCK event, or empty if its lease is gone.
     */
    Optional<StoredEvent> markStuck(Lease lease, String threads);

    /**
     * Extends the leases {@code held} by node {@code node} to {@code lease} from now.
     *
     * @return which of them are lost (no longer this claim's), and which have a cancellation requested
     */
    LeaseReport renew(String node, Collection<Lease> held, Duration lease);

    /**
     * Ends the attempts of jobs left RUNNING by a node that is gone: those of node {@code node} whatever their
     * lease (this node, restarted), or, with {@code node} null, those of any node whose lease has expired. Each
     * goes back to the queue if its attempts allow another, else ends FAILED; either way its attempt is recorded
     * as interrupted.
     *
     * @return an event per job recovered
     */
    List<StoredEvent> recover(String node);

    /**
     * Cancels job {@code id}: a queued job ends CANCELLED at once; a running one gets the request recorded (its
     * node cancels it).
     */
    CancelOutcome cancel(String id, CancellationReason reason);

    /**
     * Runs job {@code id} again if it is FAILED, CANCELLED or TIMED_OUT, in one transaction: the row goes back to
     * QUEUED under the same id, its ended run appended to {@link StoredJob#earlierRuns()}, its outcome (error,
     * reason, result, progress), node, lease, start and finish cleared, due now, with {@code attemptsPerRun} more
     * attempts allowed after those counted (the next claim counts attempt + 1), and a SUBMITTED event written
     * that every node sees; idle claimers on every node are woken once it has committed. The epoch is kept, so
     * the next claim's epoch is higher than every earlier claim's and a runner of an earlier attempt writes
     * nothing. The state check and the change are one atomic step: of concurrent retries exactly one returns
     * RETRIED. A key held by another queued or running job refuses the retry (KEY_HELD), changing nothing.
     *
     * @param attemptsPerRun how many attempts the new run may make (its type's retry policy's, at least 1)
     */
    RetryOutcome retry(String id, int attemptsPerRun);

    /**
     * Deletes job {@code id} and its events if it is finished (SUCCEEDED, FAILED, CANCELLED or TIMED_OUT), in one
     * transaction.
     *
     * @return empty if the store has no such job; else its state, the job deleted exactly when that state is
     *         terminal
     */
    Optional<JobState> deleteFinished(String id);

    /** The job {@code id}, if the store has it. */
    Optional<StoredJob> find(String id);

    /** A page of jobs matching {@code query}, newest submission first, and how many match in all. */
    StoredPage list(JobQuery query);

    /** How many jobs the store holds in each state (every state present). */
    Map<JobState, Long> counts();

    /**
     * Deletes terminal jobs beyond {@code retention} (too old, or beyond the count per state), and their events:
     * at most {@code maxRows} jobs, in a short transaction of its own.
     *
     * @return how many jobs were deleted (fewer than {@code maxRows}: none is left to delete now)
     */
    int purge(Retention retention, int maxRows);

    /** Up to {@code max} events with ids above {@code afterId}, in id order. */
    List<StoredEvent> eventsAfter(long afterId, int max);

    /** The highest event id written so far (0 when none). */
    long lastEventId();

    /**
     * Registers node {@code nodeId} (named {@code name}, running Weft {@code version}) as ALIVE, with a heartbeat
     * of now by the store's clock. Nodes still ALIVE under the same name are earlier runs of this node that
     * stopped without leaving: they are declared DEAD, and the next heartbeat recovers their jobs.
     *
     * @return the node as registered
     */
    NodeInfo register(String nodeId, String name, String version);

    /**
     * One heartbeat of node {@code nodeId}, which runs {@code running} jobs and holds {@code queued} waiting ones:
     * its heartbeat time becomes now by the store's clock.
     *
     * @return whether the node is still ALIVE; false once another node declared it dead (or it left): its claims
     *         are gone, and it must register again to take work
     */
    boolean heartbeat(String nodeId, int running, long queued);

    /**
     * Node {@code nodeId} checks the others: if it is still ALIVE, it declares dead every ALIVE node whose latest
     * heartbeat is older than {@code deadAfter}, and recovers (as {@link #recover} does) the running jobs of every
     * node that is not ALIVE, skipping rows another transaction holds (a later check gets them).
     */
    Heartbeat checkNodes(String nodeId, Duration deadAfter);

    /** Node {@code nodeId} shuts down: it becomes LEFT, and the next heartbeat of any node recovers its jobs. */
    void leave(String nodeId);

    /** The nodes the store knows: alive ones, and departed or dead ones until they are purged. */
    List<NodeInfo> nodes();

    /** Stops listening and releases the store's own connections (not the user's data source). */
    @Override
    void close();
}
