package dev.weft.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.weft.jobs.JobEvent;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobType;
import dev.weft.jobs.NodeInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Two runtimes (nodes) on one store: each one's subscribers see every node's events, and both see the nodes. */
class ClusterEventsTest {

    static HikariDataSource db;

    @BeforeAll
    static void database() {
        db = PostgresFixture.newDatabase();
    }

    @AfterAll
    static void closeDatabase() {
        db.close();
    }

    static final JobType<Integer, Integer> DOUBLE = JobType.of("double", Integer.class, Integer.class,
            (ctx, n) -> 2 * n);

    @Test
    void aSubscriberOnOneNodeGetsTheEventsOfJobsSubmittedAndRunOnAnotherInEventIdOrder() throws Exception {
        List<JobEvent> seen = new CopyOnWriteArrayList<>();
        var finished = new CountDownLatch(20);
        try (var watcher = JobRuntime.builder().store(PostgresJobStore.builder(db).build()).nodeName("watcher")
                .shutdownGrace(Duration.ZERO).build();
             var worker = JobRuntime.builder().store(PostgresJobStore.builder(db).build()).nodeName("worker")
                     .register(DOUBLE).shutdownGrace(Duration.ZERO).build()) {
            watcher.subscribe(e -> {
                seen.add(e);
                if (e.type() == JobEvent.Type.FINISHED) {
                    finished.countDown();
                }
            });
            List<Integer> payloads = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                payloads.add(i);
            }
            var handles = worker.submitAll(DOUBLE, payloads);
            assertThat(finished.await(60, TimeUnit.SECONDS)).as("the watcher saw every job finish").isTrue();

            assertThat(seen).extracting(JobEvent::sequence).isSorted().doesNotHaveDuplicates();
            for (var h : handles) {
                assertThat(seen).filteredOn(e -> e.job().id().equals(h.id())).extracting(JobEvent::type)
                        .containsExactly(JobEvent.Type.SUBMITTED, JobEvent.Type.STARTED, JobEvent.Type.FINISHED);
            }
            assertThat(watcher.nodes().getFirst().name()).as("itself first").isEqualTo("watcher");
            assertThat(worker.nodes().getFirst().name()).as("itself first").isEqualTo("worker");
            assertThat(watcher.nodes()).filteredOn(n -> n.state() == NodeInfo.State.ALIVE).extracting(NodeInfo::name)
                    .containsExactly("watcher", "worker");
        }
    }

    @Test
    void aStuckJobsThreadsAreSeenFromAnotherNodeWhichCanCancelIt() throws Exception {
        var started = new CountDownLatch(1);
        var interrupted = new CountDownLatch(1);
        JobType<Integer, Integer> hangs = JobType.of("hangs", Integer.class, Integer.class, (ctx, n) -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return n;
        });
        var stuck = new CountDownLatch(1);
        try (var watcher = JobRuntime.builder().store(PostgresJobStore.builder(db).build()).nodeName("doctor")
                .shutdownGrace(Duration.ZERO).build();
             var worker = JobRuntime.builder().store(PostgresJobStore.builder(db).build()).nodeName("patient")
                     .register(hangs).progressInterval(Duration.ofMillis(50)).shutdownGrace(Duration.ZERO)
                     .build()) {
            watcher.subscribe(e -> {
                if (e.type() == JobEvent.Type.STUCK) {
                    stuck.countDown();
                }
            });
            var h = worker.submit(dev.weft.jobs.JobSpec.named("hangs").expectedDuration(Duration.ofMillis(100))
                    .run(hangs, 1));
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(stuck.await(60, TimeUnit.SECONDS)).as("the other node saw the STUCK event").isTrue();

            var seen = watcher.get(h.id());
            assertThat(seen.stuck()).isTrue();
            assertThat(seen.state()).isEqualTo(dev.weft.jobs.JobState.RUNNING);
            assertThat(seen.node()).as("the node running it, seen from another")
                    .isEqualTo(worker.nodes().getFirst().id());
            // the body's own frame: it is on the stack from the body's start, parked or not yet (no timing race)
            assertThat(seen.stuckThreads()).contains("on node patient")
                    .contains("ClusterEventsTest.lambda$aStuckJobsThreadsAreSeenFromAnotherNodeWhichCanCancelIt");
            assertThat(watcher.nodes()).filteredOn(n -> n.name().equals("patient")).singleElement()
                    .satisfies(n -> assertThat(n.state()).as("stuck is not dead").isEqualTo(NodeInfo.State.ALIVE));
            assertThat(watcher.cancel(h.id(), "stuck for too long")).isTrue();
            assertThat(interrupted.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(h.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(watcher.get(h.id()).state()).isEqualTo(dev.weft.jobs.JobState.CANCELLED);
        }
    }

    @Test
    void aNodeThatShutsDownLeavesTheClusterAndItsSubscribersGetItsLastEvents() throws Exception {
        List<JobEvent> seen = new CopyOnWriteArrayList<>();
        var observer = JobRuntime.builder().store(PostgresJobStore.builder(db).build()).nodeName("observer")
                .shutdownGrace(Duration.ZERO).build();
        try (observer) {
            var leaving = JobRuntime.builder().store(PostgresJobStore.builder(db).build()).nodeName("leaving")
                    .register(DOUBLE).shutdownGrace(Duration.ofSeconds(5)).build();
            leaving.subscribe(seen::add);
            var h = leaving.submit(DOUBLE, 21);
            assertThat(h.await(Duration.ofSeconds(60))).isEqualTo(42);
            leaving.close();

            assertThat(seen).filteredOn(e -> e.job().id().equals(h.id())).extracting(JobEvent::type)
                    .containsExactly(JobEvent.Type.SUBMITTED, JobEvent.Type.STARTED, JobEvent.Type.FINISHED);
            assertThat(observer.nodes()).filteredOn(n -> n.name().equals("leaving")).singleElement()
                    .satisfies(n -> assertThat(n.state()).isEqualTo(NodeInfo.State.LEFT));
        }
    }
}
