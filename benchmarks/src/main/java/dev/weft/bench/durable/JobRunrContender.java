package dev.weft.bench.durable;

import org.jobrunr.configuration.JobRunr;
import org.jobrunr.jobs.lambdas.JobRequest;
import org.jobrunr.jobs.lambdas.JobRequestHandler;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static org.jobrunr.server.BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration;

/**
 * JobRunr (org.jobrunr:jobrunr, open-source edition) with its PostgreSQL StorageProvider (tables created by its own
 * migrations), one BackgroundJobServer with its default worker policy (virtual threads on Java 21+,
 * {@code availableProcessors * 16} workers), the poll interval at its minimum (5 s; JobRunr refuses less for a
 * SQL store), no dashboard, and JobRunr's batch API for bulk submits, {@code JobRequestScheduler.enqueue(Stream)}.
 * Jobs are {@link JobRequest}s (no lambda analysis), serialized by its Jackson mapper.
 */
final class JobRunrContender implements Contender {

    /** The job: the index of the job. A bean, for JobRunr's JSON mapper. */
    public static final class Noop implements JobRequest {
        private int index;

        public Noop() {
        }

        Noop(int index) {
            this.index = index;
        }

        public int getIndex() {
            return index;
        }

        public void setIndex(int index) {
            this.index = index;
        }

        @Override
        public Class<NoopHandler> getJobRequestHandler() {
            return NoopHandler.class;
        }
    }

    /** Runs a {@link Noop}; JobRunr creates it through its no-argument constructor. */
    public static final class NoopHandler implements JobRequestHandler<Noop> {
        public NoopHandler() {
        }

        @Override
        public void run(Noop job) {
            Recorder.ran(job.getIndex());
        }
    }

    private DataSource ds;
    private JobRequestScheduler scheduler;
    private int workers;

    @Override
    public String name() {
        return "jobrunr";
    }

    @Override
    public List<String> settings() {
        return List.of("JobRunr 8.2.0 (open-source), one BackgroundJobServer, no dashboard",
                "PostgresStorageProvider(dataSource) (default options: its migrations create the tables)",
                "workers: its default policy, virtual threads, " + workers + " workers (availableProcessors * 16)",
                "pollInterval 5 s, the minimum it accepts for a SQL store (an idle worker also fetches more work "
                        + "at once when it finishes a job)",
                "bulk submit: JobRequestScheduler.enqueue(Stream<JobRequest>) (it saves in batches); latency: "
                        + "JobRequestScheduler.enqueue(JobRequest)",
                "job = a JobRequest bean holding the index; unfinished = rows in jobrunr_jobs not SUCCEEDED");
    }

    @Override
    public void start(DataSource ds, Options o, String nodeName) {
        this.ds = ds;
        var server = usingStandardBackgroundJobServerConfiguration().andPollInterval(Duration.ofSeconds(5));
        var result = JobRunr.configure()
                .useStorageProvider(new PostgresStorageProvider(ds))
                .useBackgroundJobServer(server)
                .initialize();
        scheduler = result.getJobRequestScheduler();
        workers = JobRunr.getBackgroundJobServer().getServerStatus().getWorkerPoolSize();
    }

    @Override
    public void submitMany(int from, int to) {
        scheduler.enqueue(IntStream.range(from, to).mapToObj(Noop::new));
    }

    /** JobRunr's workers look for enqueued work every poll interval, or when one finishes a job. */
    @Override
    public Duration unwokenPollInterval() {
        return Duration.ofSeconds(5);
    }

    @Override
    public void submitOne(int index) {
        scheduler.enqueue(new Noop(index));
    }

    @Override
    public String unfinishedQuery() {
        return "select count(*) from jobrunr_jobs where state <> 'SUCCEEDED'";
    }

    @Override
    public long unfinishedInStore() throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery(unfinishedQuery())) {
            r.next();
            return r.getLong(1);
        }
    }

    @Override
    public void close() {
        JobRunr.destroy();
    }
}
