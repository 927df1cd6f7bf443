package dev.weft.http.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import dev.weft.http.JobLogs;
import dev.weft.jobs.JobRuntime;

/**
 * A logback appender that keeps each job's log lines for the dashboard: every event at INFO or above whose MDC
 * has a {@code jobId} ({@link JobRuntime#MDC_JOB_ID}; every thread of a job carries it) goes to
 * {@link JobLogs#shared()}. Logback is an optional dependency of weft-http: this class is needed only where it is
 * configured.
 *
 * <pre>{@code
 * <appender name="WEFT_JOBS" class="dev.weft.http.logback.JobLogAppender"/>
 * <root level="INFO"><appender-ref ref="WEFT_JOBS"/></root>
 * }</pre>
 */
public final class JobLogAppender extends AppenderBase<ILoggingEvent> {

    private JobLogs logs = JobLogs.shared();

    /** Feeds {@code logs} instead of the shared log (for tests and applications that keep their own). */
    public void setLogs(JobLogs logs) {
        this.logs = logs;
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (!event.getLevel().isGreaterOrEqual(Level.INFO)) {
            return;
        }
        String jobId = event.getMDCPropertyMap().get(JobRuntime.MDC_JOB_ID);
        if (jobId == null) {
            return;
        }
        IThrowableProxy t = event.getThrowableProxy();
        String error = t == null ? null : t.getClassName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        logs.add(jobId, new JobLogs.Line(event.getInstant(), event.getLevel().toString(), event.getLoggerName(),
                event.getThreadName(), event.getFormattedMessage(), error));
    }
}
