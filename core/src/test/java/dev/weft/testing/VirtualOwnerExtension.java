package dev.weft.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs every test method on a virtual thread when {@code -Dweft.test.virtualOwner=true}, so that each scope a
 * test opens is owned by a virtual thread, as a request handler's scope is in a server. Registered for every test
 * class through {@code META-INF/services}; without the property it does nothing. The build runs the scope tests
 * once more this way, and once more with {@code -Djdk.virtualThreadScheduler.parallelism=1} (core/pom.xml).
 */
public final class VirtualOwnerExtension implements InvocationInterceptor {

    static final boolean ENABLED = Boolean.getBoolean("weft.test.virtualOwner");

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext extensionContext) throws Throwable {
        if (!ENABLED) {
            invocation.proceed();
            return;
        }
        var failure = new AtomicReference<Throwable>();
        Thread owner = Thread.ofVirtual().name("test-owner-" + extensionContext.getDisplayName()).start(() -> {
            try {
                invocation.proceed();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        try {
            owner.join();
        } catch (InterruptedException e) {
            owner.interrupt(); // the test timed out: pass the interrupt on, as to a test on this thread
            owner.join();
            throw e;
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }
}
