package dev.weft.progress;

import dev.weft.scope.CurrentTask;
import dev.weft.scope.Join;
import dev.weft.scope.Scope;
import dev.weft.scope.ScopeFailedException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** A scope's progress node ends with the scope, in its state, and is folded into the parent's and released. */
class ScopeProgressTest {

    @Test
    void aChildScopeThatFailsAtThreeOfAHundredReportsThreePercentAndFailed() throws Exception {
        try (var outer = Scope.named("outer").open(Join.<Object>allSettled())) {
            Progress inner;
            try (var scope = Scope.named("inner").open(Join.<Object>allSuccessful())) {
                inner = scope.progress();
                scope.fork("work", () -> {
                    Progress p = CurrentTask.progress().orElseThrow();
                    p.setTotal(100);
                    p.advance(3);
                    throw new IllegalStateException("item 4 is broken");
                });
                assertThatThrownBy(scope::join).isInstanceOf(ScopeFailedException.class);
            }

            ProgressSnapshot s = inner.snapshot();
            assertThat(s.fraction()).isEqualTo(0.03);
            assertThat(s.complete()).isFalse();
            assertThat(s.state()).isEqualTo(ProgressState.FAILED);
            assertThat(outer.progress().children()).isEmpty();
            assertThat(outer.progress().fraction()).isEqualTo(0.03);
            outer.join();
        }
    }

    @Test
    void aChildScopeThatSucceedsIsCompleteAndFoldedIntoItsParent() throws Exception {
        try (var outer = Scope.named("outer").open(Join.<Object>allSettled())) {
            outer.progress().setTotal(1);
            Progress inner;
            try (var scope = Scope.named("inner").open(Join.<Object>allSuccessful())) {
                inner = scope.progress();
                assertThat(outer.progress().children()).containsExactly(inner);
                scope.fork("work", () -> null);
                scope.join();
            }

            assertThat(inner.snapshot().complete()).isTrue();
            assertThat(inner.snapshot().state()).isEqualTo(ProgressState.SUCCEEDED);
            assertThat(outer.progress().children()).isEmpty();
            assertThat(outer.progress().fraction()).isEqualTo(0.5); // own 0 of 1, the child's 1 of 1
            outer.join();
        }
    }

    /**
     * A root scope's node is made on first use: one first asked for after close is already ended, in the state the
     * scope ended in, like a node asked for while the scope ran; a child opened under a root that never asked for
     * its node still counts in the root's node.
     */
    @Test
    void aRootScopesNodeAskedForOnlyAfterCloseHasEndedInTheScopesState() throws Exception {
        Scope<Object, List<Object>> succeeded;
        try (var scope = Scope.named("ok").open(Join.<Object>allSuccessful())) {
            succeeded = scope;
            scope.fork("work", () -> null);
            scope.join();
        }
        Scope<Object, List<Object>> failed;
        try (var scope = Scope.named("broken").open(Join.<Object>allSuccessful())) {
            failed = scope;
            scope.fork("work", () -> {
                throw new IllegalStateException("broken");
            });
            assertThatThrownBy(scope::join).isInstanceOf(ScopeFailedException.class);
        }

        assertThat(succeeded.progress().snapshot().state()).isEqualTo(ProgressState.SUCCEEDED);
        assertThat(succeeded.progress().snapshot().complete()).isTrue();
        assertThat(failed.progress().snapshot().state()).isEqualTo(ProgressState.FAILED);
        assertThat(failed.progress()).isSameAs(failed.progress());

        try (var outer = Scope.named("outer").open(Join.<Object>allSettled())) {
            try (var inner = Scope.named("inner").open(Join.<Object>allSuccessful())) {
                assertThat(outer.progress().children()).containsExactly(inner.progress());
                inner.join();
            }
            assertThat(outer.progress().fraction()).isEqualTo(1.0); // the child's 1 of 1, no own work
            outer.join();
        }
    }

    /**
     * A long-lived parent that opens a million child scopes, one after the other, holds none of their nodes: the
     * parent's running children stay at 0, the heap retained after a GC stays flat, and each quarter of the run
     * takes about as long as the first (the bounds are generous: a shared 2-core machine is noisy).
     */
    @Test
    void aMillionClosedChildScopesKeepTheParentsMemoryAndTimeFlat() throws Exception {
        int children = 1_000_000;
        int quarter = children / 4;
        Runtime memory = Runtime.getRuntime(); // java.management is not readable from the patched module
        List<Long> retained = new ArrayList<>();
        List<Long> quarterNanos = new ArrayList<>();
        try (var parent = Scope.named("parent").open(Join.<Object>allSettled())) {
            Progress node = parent.progress();
            retained.add(retainedHeap(memory));
            long quarterStart = System.nanoTime();
            for (int i = 1; i <= children; i++) {
                try (var child = Scope.named("item").open(Join.<Object>allSettled())) {
                    child.progress().setTotal(1);
                    child.progress().advance();
                    child.join();
                }
                if (i % 10_000 == 0 && System.nanoTime() - quarterStart > 120_000_000_000L) {
                    fail("quarter " + (i / quarter + 1) + " has run for more than 120 s at child " + i
                            + "; quarters so far took " + quarterNanos + " ns, parent holds " + node.children().size());
                }
                if (i % quarter == 0) {
                    quarterNanos.add(System.nanoTime() - quarterStart);
                    assertThat(node.children()).as("running children after %d closed", i).isEmpty();
                    retained.add(retainedHeap(memory));
                    quarterStart = System.nanoTime();
                }
            }
            assertThat(node.fraction()).isEqualTo(1.0);
            parent.join();
        }

        System.out.printf("a million child scopes: quarters took %s ms; retained heap after GC %s KiB%n",
                quarterNanos.stream().map(n -> n / 1_000_000).toList(), retained.stream().map(b -> b / 1024).toList());
        long first = quarterNanos.getFirst();
        for (int q = 1; q < quarterNanos.size(); q++) {
            assertThat(quarterNanos.get(q)).as("quarter %d against the first (%d ns)", q + 1, first)
                    .isLessThan(3 * first + 2_000_000_000L);
        }
        // a node held per child would be about 30 MB a quarter
        assertThat(retained.getLast() - retained.get(1)).as("heap retained from the first quarter to the last")
                .isLessThan(8L << 20);
    }

    private static long retainedHeap(Runtime memory) {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(least, memory.totalMemory() - memory.freeMemory());
        }
        return least;
    }
}
