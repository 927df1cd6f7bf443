package dev.weft.jobs;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * A job's failure, kept as text so that a record holds no reference to the exception (or to what it references).
 *
 * @param type       the exception's class name
 * @param message    its message, or null
 * @param stackTrace the full stack trace with causes and suppressed exceptions, cut to 16,000 characters
 */
public record JobError(String type, String message, String stackTrace) {

    static final int MAX_STACK_CHARS = 16_000;

    /** The failure {@code t}, its stack trace (with causes and suppressed exceptions) cut to the limit. */
    public static JobError of(Throwable t) {
        var out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        String stack = out.toString();
        if (stack.length() > MAX_STACK_CHARS) {
            stack = stack.substring(0, MAX_STACK_CHARS) + "\n\t... (cut)";
        }
        return new JobError(t.getClass().getName(), t.getMessage(), stack);
    }
}
