package dev.weft.scope;

import java.util.Objects;

/**
 * Why a scope or task was cancelled. Every cancellation in Weft carries one; a task reads the reason for its
 * own cancellation with {@link CurrentTask#cancellationReason()}, an owner with
 * {@link Scope#cancellationReason()}.
 *
 * @param kind   the category, for programs
 * @param detail a sentence for people: who cancelled, which deadline, which task failed
 * @param cause  the failure behind a {@link Kind#SIBLING_FAILED} cancellation, else {@code null}
 */
public record CancellationReason(Kind kind, String detail, Throwable cause) {

    /** The categories of cancellation. */
    public enum Kind {
        /** Someone called {@link Scope#cancel(String)} (or cancelled the job the scope belongs to). */
        EXPLICIT,
        /** The scope's deadline, its own or one inherited from a parent, passed. */
        DEADLINE,
        /** A task's own timeout passed (only that task is cancelled). */
        TASK_TIMEOUT,
        /** Another task of the scope failed and the join policy stopped the scope. */
        SIBLING_FAILED,
        /** The join policy had its answer (a winner, a quorum) and no longer needs the other tasks. */
        OUTCOME_DECIDED,
        /** The join policy itself threw while judging a task; the exception is the {@link #cause()}. */
        POLICY_FAILED,
        /** The enclosing scope was cancelled, for the reason in {@link #cause()}'s chain or detail. */
        PARENT_CANCELLED,
        /** The runtime is shutting down. */
        SHUTDOWN,
        /** The owner left the scope before joining it (an exception or interrupt in the owner's code). */
        OWNER_EXITED,
        /**
         * A durable job's claim was lost: its lease expired or another claim took the job over, so this node's
         * work on it no longer counts and nothing it writes about the job lands.
         */
        LEASE_LOST
    }

    public CancellationReason {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }

    /** An explicit cancellation with the given explanation. */
    public static CancellationReason explicit(String detail) {
        return new CancellationReason(Kind.EXPLICIT, detail, null);
    }

    /** A cancellation because the runtime is shutting down. */
    public static CancellationReason shutdown(String detail) {
        return new CancellationReason(Kind.SHUTDOWN, detail, null);
    }

    static CancellationReason siblingFailed(String taskPath, Throwable cause) {
        return new CancellationReason(Kind.SIBLING_FAILED, "task " + taskPath + " failed: " + cause, cause);
    }

    static CancellationReason outcomeDecided(String taskPath) {
        return new CancellationReason(Kind.OUTCOME_DECIDED,
                "the join policy decided the outcome when task " + taskPath + " completed", null);
    }

    static CancellationReason parentCancelled(String parentPath, CancellationReason parentReason) {
        return new CancellationReason(Kind.PARENT_CANCELLED,
                "enclosing scope " + parentPath + " was cancelled (" + parentReason + ")", parentReason.cause());
    }

    /** {@code KIND: detail}. */
    @Override
    public String toString() {
        return kind + ": " + detail;
    }
}
