package dev.weft.jobs;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

class NodesTest {

    @Test
    void anInMemoryRuntimeIsAClusterOfOneThatCountsItsRunningAndQueuedJobsAndLeavesAtShutdown() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        JobRuntime rt = JobRuntime.builder().name("solo").maxRunning(1).build();
        try {
            var blocks = rt.submit("blocks", ctx -> { started.countDown(); release.await(); return 0; });
            var waits = rt.submit("waits", ctx -> 0);
            started.await();
            NodeInfo node = rt.nodes().getFirst();
            assertThat(rt.nodes()).hasSize(1);
            assertThat(node.name()).isEqualTo("solo");
            assertThat(node.state()).isEqualTo(NodeInfo.State.ALIVE);
            assertThat(node.running()).isEqualTo(1);
            assertThat(node.queued()).isEqualTo(1);
            assertThat(node.version()).isNotBlank().doesNotStartWith("${");
            assertThat(rt.nodes().getFirst().id()).isEqualTo(node.id());
            assertThat(rt.get(blocks.id()).node()).as("a running job names its node").isEqualTo(node.id());
            assertThat(rt.get(waits.id()).node()).as("a queued one none").isNull();
            release.countDown();
            blocks.await(java.time.Duration.ofSeconds(60));
            assertThat(rt.get(blocks.id()).node()).as("an ended one none").isNull();
        } finally {
            release.countDown();
            rt.close();
        }
        assertThat(rt.nodes().getFirst().state()).isEqualTo(NodeInfo.State.LEFT);
    }
}
