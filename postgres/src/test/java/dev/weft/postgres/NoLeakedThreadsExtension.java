package dev.weft.postgres;

import dev.weft.internal.RuntimeThreads;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Fails any test after which a thread started by the Weft runtime is still running.
 *
 * <p>Registered for every test class through {@code META-INF/services} and JUnit's extension auto-detection
 * (see {@code junit-platform.properties}); the surefire configuration turns on
 * {@code -Dweft.trackThreads=true}. A thread gets a short grace period to finish returning from its body after
 * the code that ended it returned, then the test fails with the names and stacks of the survivors.
 */
public final class NoLeakedThreadsExtension implements AfterEachCallback {

    private static final Duration GRACE = Duration.ofSeconds(5);

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!RuntimeThreads.TRACKING) {
            throw new AssertionError("run tests with -Dweft.trackThreads=true: the leak check is blind without it");
        }
        long deadline = System.nanoTime() + GRACE.toNanos();
        List<Thread> live = RuntimeThreads.live();
        while (!live.isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.sleep(10); // polling a condition with a deadline, not ordering a test
            live = RuntimeThreads.live();
        }
        if (!live.isEmpty()) {
            String report = live.stream()
                    .map(t -> t + "\n" + stack(t))
                    .collect(Collectors.joining("\n"));
            throw new AssertionError(live.size() + " Weft runtime thread(s) outlived "
                    + context.getDisplayName() + ":\n" + report);
        }
    }

    private static String stack(Thread t) {
        StringBuilder sb = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) {
            sb.append("    at ").append(e).append('\n');
        }
        return sb.toString();
    }
}
