package dev.weft.internal;

import java.util.List;
import java.util.function.Function;

/**
 * A bridge from Weft's other packages to scope internals that are not public API (the threads running a scope's
 * tasks, for stuck-job reports). The scope package installs the accessor when its implementation class loads.
 */
public final class ScopeInternals {

    private static volatile Function<Object, List<Thread>> liveThreads = scope -> List.of();

    private ScopeInternals() {
    }

    /** Installed by the scope implementation. */
    public static void install(Function<Object, List<Thread>> accessor) {
        liveThreads = accessor;
    }

    /** The threads running tasks of {@code scope} and of every scope nested in it, right now. */
    public static List<Thread> liveThreads(Object scope) {
        return liveThreads.apply(scope);
    }
}
