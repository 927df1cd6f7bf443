package dev.weft.jobs;

import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Says once per JVM, on stderr, when no SLF4J provider is bound: Weft reports failed jobs' stack traces and stuck
 * jobs only through SLF4J, and without a provider SLF4J drops them (its no-operation fallback).
 */
final class LoggingCheck {

    /*
     * Implementation notes: SLF4J 2 binds its providers on first use; with none it falls back to a provider whose
     * factory is NOPLoggerFactory. That is the only case detected: a provider configured to log nothing is the
     * application's choice. `warned` makes the message once per class loader of this class.
     */

    static final String MESSAGE = "weft: no SLF4J provider is bound, so Weft's logs are dropped: failed jobs' stack"
            + " traces and stuck-job warnings go nowhere. Add a provider to the class path, e.g."
            + " ch.qos.logback:logback-classic (or org.slf4j:slf4j-simple).";

    private static final AtomicBoolean warned = new AtomicBoolean();

    private LoggingCheck() {
    }

    /** At runtime start: warns on stderr, once per JVM, if SLF4J has no provider. */
    static void atRuntimeStart() {
        warnIfNoProvider(LoggerFactory.getILoggerFactory(), System.err, warned);
    }

    /** Whether it printed the warning: when {@code factory} is SLF4J's no-operation fallback, and only once. */
    static boolean warnIfNoProvider(ILoggerFactory factory, PrintStream err, AtomicBoolean once) {
        if (factory instanceof NOPLoggerFactory && once.compareAndSet(false, true)) {
            err.println(MESSAGE);
            return true;
        }
        return false;
    }
}
