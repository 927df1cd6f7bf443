package dev.weft.internal;

import dev.weft.progress.Progress;
import dev.weft.progress.ProgressState;
import dev.weft.scope.ScopeState;

/**
 * What a scope does with its progress node when it closes: ends the node in the state the scope ended in, which
 * folds the node into its parent's roll-up (with the fraction of the work done) and releases it there.
 */
public final class ScopeProgress {

    private ScopeProgress() {
    }

    /**
     * Ends {@code node}, the progress node of a scope that is closing in {@code state}. A scope still OPEN at close
     * (its close failed before it reached a terminal state) ends its node CANCELLED: its work was not all done.
     * Called once per scope, by its owner, in close().
     */
    public static void end(Progress node, ScopeState state) {
        node.end(switch (state) {
            case SUCCEEDED -> ProgressState.SUCCEEDED;
            case FAILED -> ProgressState.FAILED;
            case TIMED_OUT -> ProgressState.TIMED_OUT;
            case CANCELLED, OPEN -> ProgressState.CANCELLED;
        });
    }
}
