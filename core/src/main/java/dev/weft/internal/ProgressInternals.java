package dev.weft.internal;

import java.util.function.Consumer;

/**
 * A bridge from tests outside the progress package (the jcstress suite) to a progress node's internals that are
 * not public API. The progress package installs the accessor when its node class loads.
 */
public final class ProgressInternals {

    private static volatile Consumer<Object> stripe = node -> {
        throw new IllegalStateException("the progress package has not installed its internals yet");
    };

    private ProgressInternals() {
    }

    /** Installed by the progress package. */
    public static void install(Consumer<Object> striper) {
        stripe = striper;
    }

    /**
     * Makes {@code node} (a {@code dev.weft.progress.Progress}) count its done over cells now, as it does by itself
     * once two threads contend for it, so that a test can race the striped state without first creating contention.
     */
    public static void stripe(Object node) {
        stripe.accept(node);
    }
}
