package dev.weft.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.spi.StoreListener;
import dev.weft.jobs.spi.StoreUnavailableException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.weft.postgres.Stores.LEASE;
import static org.assertj.core.api.Assertions.assertThat;

/** LISTEN/NOTIFY: submits and cancellations on one connection wake the listener of another store. */
class NoticeListenerTest {

    /** Records what the store reports; latches can be swapped in to wait for the next call. */
    static final class Recorder implements StoreListener {
        final List<String> calls = new ArrayList<>();
        final AtomicReference<CountDownLatch> work = new AtomicReference<>(new CountDownLatch(1));
        final AtomicReference<CountDownLatch> cancel = new AtomicReference<>(new CountDownLatch(1));
        final CountDownLatch down = new CountDownLatch(1);
        final CountDownLatch up = new CountDownLatch(1);
        volatile String cancelledId;

        @Override
        public void workAvailable() {
            record("work");
            work.get().countDown();
        }

        @Override
        public void cancelRequested(String jobId) {
            record("cancel " + jobId);
            cancelledId = jobId;
            cancel.get().countDown();
        }

        @Override
        public void reachable(boolean isUp, String detail) {
            record("reachable " + isUp);
            (isUp ? up : down).countDown();
        }

        synchronized void record(String call) {
            calls.add(call);
        }

        synchronized List<String> calls() {
            return List.copyOf(calls);
        }
    }

    @Test
    void aSubmitAndACancelOnAnotherStoreWakeTheListener() throws Exception {
        try (HikariDataSource ds = PostgresFixture.newDatabase(); HikariDataSource other = sameDatabase(ds)) {
            var recorder = new Recorder();
            try (PostgresJobStore listening = PostgresJobStore.builder(ds).build();
                 PostgresJobStore submitting = Stores.open(other)) {
                listening.open(recorder);

                var j = Stores.job("wake");
                submitting.insertAll(List.of(j));

                assertThat(recorder.work.get().await(10, TimeUnit.SECONDS)).as("work notice").isTrue();
                submitting.claim("n", List.of("wake"), 1, LEASE);
                submitting.cancel(j.id(), Stores.reason("from elsewhere"));
                assertThat(recorder.cancel.get().await(10, TimeUnit.SECONDS)).as("cancel notice").isTrue();
                assertThat(recorder.cancelledId).isEqualTo(j.id());
            }
        }
    }

    @Test
    void afterADatabaseRestartTheListenerReportsDownThenUpAndStillReceivesNotices() throws Exception {
        try (LocalPostgres pg = LocalPostgres.start(false); HikariDataSource ds = pool(pg.jdbcUrl())) {
            var recorder = new Recorder();
            try (PostgresJobStore store = PostgresJobStore.builder(ds).build()) {
                store.open(recorder);

                pg.restart();

                assertThat(recorder.down.await(30, TimeUnit.SECONDS)).as("reachable(false)").isTrue();
                assertThat(recorder.up.await(30, TimeUnit.SECONDS)).as("reachable(true)").isTrue();
                List<String> calls = recorder.calls();
                int downAt = calls.indexOf("reachable false");
                int upAt = calls.indexOf("reachable true");
                assertThat(downAt).isLessThan(upAt);
                awaitCall(recorder, "work", upAt + 1); // missed notices: claim anyway

                var fresh = new CountDownLatch(1);
                recorder.work.set(fresh);
                insertRetrying(store);
                assertThat(fresh.await(10, TimeUnit.SECONDS)).as("notice after the restart").isTrue();
            }
        }
    }

    /** Polls until {@code call} was recorded at or after index {@code from}; fails after 10 s. */
    private static void awaitCall(Recorder r, String call, int from) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            List<String> calls = r.calls();
            if (calls.subList(Math.min(from, calls.size()), calls.size()).contains(call)) {
                return;
            }
            assertThat(System.nanoTime() - deadline).as(call + " after " + calls).isNegative();
            Thread.sleep(10); // polling a condition with a deadline
        }
    }

    /** The pool may still hold connections broken by the restart: the first writes may be unavailable. */
    private static void insertRetrying(PostgresJobStore store) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                store.insert(Stores.job("after-restart"));
                return;
            } catch (StoreUnavailableException e) {
                assertThat(System.nanoTime() - deadline).as("insert after restart: " + e).isNegative();
                Thread.sleep(50); // polling a condition with a deadline
            }
        }
    }

    private static HikariDataSource sameDatabase(HikariDataSource ds) {
        return pool(ds.getJdbcUrl());
    }

    private static HikariDataSource pool(String url) {
        var config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(2_000);
        config.setPoolName("weft-test-listener");
        return new HikariDataSource(config);
    }
}
