package dev.weft.bench.durable;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * db-scheduler (com.github.kagkarlsson:db-scheduler) in the configuration its README recommends for high
 * throughput on PostgreSQL: the {@code lock-and-fetch} polling strategy ({@code SELECT ... FOR UPDATE SKIP LOCKED},
 * fetched executions already picked) with lower/upper limits 1.0/4.0 of the thread count, 20 threads (the count in
 * its own benchmark on 2-core nodes), immediate execution (a local schedule wakes the scheduler, so the start does
 * not wait for the polling interval), and {@code SchedulerClient.scheduleBatch} for bulk submits. Its one table is
 * created from the PostgreSQL DDL in its repository ({@code postgresql_tables.sql}, v16.7.1).
 */
final class DbSchedulerContender implements Contender {

    private static final String DDL = """
            create table if not exists scheduled_tasks (
              task_name text not null,
              task_instance text not null,
              task_data bytea,
              execution_time timestamp with time zone not null,
              picked BOOLEAN not null,
              picked_by text,
              last_success timestamp with time zone,
              last_failure timestamp with time zone,
              consecutive_failures INT,
              last_heartbeat timestamp with time zone,
              version BIGINT not null,
              priority SMALLINT,
              PRIMARY KEY (task_name, task_instance)
            );
            CREATE INDEX IF NOT EXISTS execution_time_idx ON scheduled_tasks (execution_time);
            CREATE INDEX IF NOT EXISTS last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
            CREATE INDEX IF NOT EXISTS priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc);
            """;

    private final OneTimeTask<Integer> task = Tasks.oneTime("noop", Integer.class)
            .execute((instance, context) -> Recorder.ran(instance.getData()));
    private DataSource ds;
    private Scheduler scheduler;
    private int threads;
    private double lower;
    private double upper;
    private String nodeName;

    @Override
    public String name() {
        return "db-scheduler";
    }

    @Override
    public List<String> settings() {
        return List.of("db-scheduler 16.7.1, one Scheduler" + (nodeName == null ? "" : " per node, "
                        + "schedulerName(new SchedulerName.Fixed(node name))"),
                "pollUsingLockAndFetch(" + lower + ", " + upper + ") (README: lock-and-fetch for >1000 executions/s; "
                        + "1.0, 4.0 \"for high throughput\")",
                "threads(" + threads + ") (its README benchmark used 20 threads on 2-core nodes)",
                "enableImmediateExecution() (a schedule for now() wakes the local scheduler); pollingInterval default 10 s",
                "bulk submit: SchedulerClient.scheduleBatch(Stream, now) (its default chunk of 100 per batch insert); "
                        + "latency: schedule(instance, now)",
                "one-time task, data = job index (Integer, its default Java serializer); completed executions are "
                        + "deleted, so unfinished = rows left in scheduled_tasks");
    }

    @Override
    public void start(DataSource ds, Options o, String nodeName) throws Exception {
        this.ds = ds;
        this.threads = o.dbSchedulerThreads();
        this.lower = o.dbSchedulerLower();
        this.upper = o.dbSchedulerUpper();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(DDL);
        }
        this.nodeName = nodeName;
        var builder = Scheduler.create(ds, task);
        if (nodeName != null) {
            builder.schedulerName(new SchedulerName.Fixed(nodeName));
        }
        scheduler = builder
                .threads(threads)
                .pollUsingLockAndFetch(lower, upper)
                .enableImmediateExecution()
                .shutdownMaxWait(Duration.ofSeconds(10))
                .build();
        scheduler.start();
    }

    @Override
    public void submitMany(int from, int to) {
        Stream<TaskInstance<?>> instances = IntStream.range(from, to).mapToObj(i -> task.instance("j" + i, i));
        scheduler.scheduleBatch(instances, Instant.now());
    }

    @Override
    public void submitOne(int index) {
        scheduler.schedule(task.instance("j" + index, index), Instant.now());
    }

    @Override
    public String unfinishedQuery() {
        return "select count(*) from scheduled_tasks";
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
        if (scheduler != null) {
            scheduler.stop();
        }
    }
}
