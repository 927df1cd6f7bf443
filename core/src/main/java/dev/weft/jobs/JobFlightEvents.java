package dev.weft.jobs;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JDK Flight Recorder events for the job lifecycle: record with {@code -XX:StartFlightRecording} or
 * {@code jcmd <pid> JFR.start}, and look for {@code dev.weft.JobSubmitted}, {@code dev.weft.JobStarted} and
 * {@code dev.weft.JobFinished}. When recording is off, each costs one check of a flag.
 */
final class JobFlightEvents {

    private JobFlightEvents() {
    }

    @Name("dev.weft.JobSubmitted")
    @Label("Job Submitted")
    @Category({"Weft", "Jobs"})
    @StackTrace(false)
    static final class Submitted extends Event {
        @Label("Job Id") String jobId;
        @Label("Name") String name;
        @Label("Key") String key;
    }

    @Name("dev.weft.JobStarted")
    @Label("Job Started")
    @Category({"Weft", "Jobs"})
    @StackTrace(false)
    static final class Started extends Event {
        @Label("Job Id") String jobId;
        @Label("Name") String name;
        @Label("Attempt") int attempt;
    }

    @Name("dev.weft.JobFinished")
    @Label("Job Finished")
    @Description("A job reached its terminal state")
    @Category({"Weft", "Jobs"})
    @StackTrace(false)
    static final class Finished extends Event {
        @Label("Job Id") String jobId;
        @Label("Name") String name;
        @Label("State") String state;
        @Label("Attempts") int attempts;
        @Label("Run Time") @Timespan(Timespan.NANOSECONDS) long runNanos;
    }

    static void submitted(Job<?> job) {
        var e = new Submitted();
        if (e.isEnabled()) {
            e.jobId = job.id;
            e.name = job.name;
            e.key = job.key;
            e.commit();
        }
    }

    static void started(Job<?> job, int attempt) {
        var e = new Started();
        if (e.isEnabled()) {
            e.jobId = job.id;
            e.name = job.name;
            e.attempt = attempt;
            e.commit();
        }
    }

    static void finished(Job<?> job, JobState state, long runNanos) {
        var e = new Finished();
        if (e.isEnabled()) {
            e.jobId = job.id;
            e.name = job.name;
            e.state = state.name();
            e.attempts = job.attempt;
            e.runNanos = runNanos;
            e.commit();
        }
    }
}
