package dev.weft.bench.durable;

import javax.sql.DataSource;
import java.util.List;

/**
 * One job system under test, started on its own fresh database. Every job is a trivial one that calls
 * {@link Recorder#ran(int)} with its index and returns.
 */
interface Contender extends AutoCloseable {

    /** Thrown by {@link #start} when the system cannot run here (classes missing, not yet supported). */
    final class Unavailable extends Exception {
        Unavailable(String why, Throwable cause) {
            super(why, cause);
        }
    }

    /** The name in the tables: weft, db-scheduler, jobrunr. */
    String name();

    /** The settings used, one line each, said in the output. */
    List<String> settings();

    /**
     * Creates what the system needs in {@code ds}'s database (unless it is there already: the nodes of one
     * many-node run start one after the other on one database) and starts processing.
     *
     * @param nodeName this instance's name among the instances on the database (Weft's node name, db-scheduler's
     *                 scheduler name), or null for the system's default (one instance)
     */
    void start(DataSource ds, Options options, String nodeName) throws Exception;

    /** Submits jobs {@code from} (inclusive) to {@code to} (exclusive) the system's fastest recommended way. */
    void submitMany(int from, int to) throws Exception;

    /**
     * How long the worker side may sit idle between a submit and its noticing the job, when a submit in the same
     * JVM does not wake it: the poll interval of a pure poller, else zero. The latency run spreads its submits
     * over that much extra random pause, so that they fall at random points of the poll cycle, as real submits
     * do, rather than all just after a poll.
     */
    default java.time.Duration unwokenPollInterval() {
        return java.time.Duration.ZERO;
    }

    /** Submits one job. */
    void submitOne(int index) throws Exception;

    /** How many submitted jobs the store has not yet recorded as completed. */
    long unfinishedInStore() throws Exception;

    /**
     * The query that counts the jobs the store has not yet recorded as completed, for a process that is not an
     * instance of the system (the parent of a many-node run): one row, one number.
     */
    String unfinishedQuery();

    @Override
    void close() throws Exception;
}
