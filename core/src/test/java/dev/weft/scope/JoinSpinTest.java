package dev.weft.scope;

import dev.weft.testing.NoLeakedThreadsExtension;
import dev.weft.testing.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The join's spin before it parks: how its budget is learned per path, and which owners spin at all. */
@ExtendWith(NoLeakedThreadsExtension.class)
class JoinSpinTest {

    @Test
    void aJoinThatTheSpinEndedDoublesThePathsBudgetUpToTheMaximum() {
        int slot = JoinSpin.slotOf("spin/doubles");
        JoinSpin.setBudget(slot, 2_000);

        JoinSpin.learn(slot, 2_000, true);
        assertThat(JoinSpin.budgetOf(slot)).isEqualTo(4_000);
        JoinSpin.learn(slot, 4_000, true);
        JoinSpin.learn(slot, 8_000, true);
        JoinSpin.learn(slot, 16_000, true);
        assertThat(JoinSpin.budgetOf(slot)).isEqualTo(JoinSpin.MAX_NANOS);
    }

    @Test
    void aProbeThatEndsAJoinRestoresASpinOfTwiceTheProbe() {
        int slot = JoinSpin.slotOf("spin/probe");
        JoinSpin.setBudget(slot, 0);

        JoinSpin.learn(slot, JoinSpin.FIRST_NANOS, true);

        assertThat(JoinSpin.budgetOf(slot)).isEqualTo(Math.min(JoinSpin.MAX_NANOS, 2 * JoinSpin.FIRST_NANOS));
    }

    @Test
    void joinsThatOutlastTheSpinShrinkTheBudgetToNoSpinAtAll() {
        int slot = JoinSpin.slotOf("spin/shrinks");
        JoinSpin.setBudget(slot, JoinSpin.FIRST_NANOS);

        JoinSpin.learn(slot, JoinSpin.FIRST_NANOS, false);
        assertThat(JoinSpin.budgetOf(slot)).isEqualTo(JoinSpin.FIRST_NANOS - JoinSpin.FIRST_NANOS / 8);
        assertThat(failuresUntilNoSpin(slot)).as("joins from the first budget, this one included").isEqualTo(16 - 1);

        JoinSpin.setBudget(slot, JoinSpin.MAX_NANOS);
        assertThat(failuresUntilNoSpin(slot)).as("joins from the largest budget").isEqualTo(21);
    }

    /** Joins that outlast the spin until the budget is 0; how many it took. */
    private static int failuresUntilNoSpin(int slot) {
        int joins = 0;
        while (JoinSpin.budgetOf(slot) > 0 && joins < 100) {
            JoinSpin.learn(slot, JoinSpin.budgetOf(slot), false);
            joins++;
        }
        assertThat(JoinSpin.budgetOf(slot)).isZero();
        return joins;
    }

    @Test
    void aPathThatStoppedSpinningProbesInAboutOneJoinOfThirtyTwo() {
        int slot = JoinSpin.slotOf("spin/probes");
        JoinSpin.setBudget(slot, 0);

        int probes = 0;
        for (int i = 0; i < 32_000; i++) {
            long budget = JoinSpin.budgetNanos(slot);
            assertThat(budget).isIn(0L, JoinSpin.FIRST_NANOS);
            if (budget > 0) {
                probes++;
            }
        }
        // expected 1,000; the bounds are over 15 standard deviations away
        assertThat(probes).isBetween(500, 1_500);
    }

    @Test
    void aPlatformOwnerWhoseJoinsOutlastTheSpinStopsSpinning() throws Exception {
        String name = "outlasting";
        int slot = JoinSpin.slotOf(name);
        JoinSpin.setBudget(slot, JoinSpin.FIRST_NANOS);
        Thread owner = Thread.currentThread();
        assertThat(owner.isVirtual()).as("JUnit runs tests on a platform thread").isFalse();

        for (int i = 0; i < 40 && JoinSpin.budgetOf(slot) > 0; i++) {
            joinOnceTheOwnerParked(name, owner);
        }

        assertThat(JoinSpin.budgetOf(slot)).as("the budget after joins that each outlasted the spin").isZero();
    }

    @Test
    void aVirtualOwnerNeverSpins() throws Exception {
        String name = "virtual-owner";
        int slot = JoinSpin.slotOf(name);
        JoinSpin.setBudget(slot, JoinSpin.FIRST_NANOS);
        AtomicReference<Throwable> failed = new AtomicReference<>();

        Thread owner = Thread.ofVirtual().start(() -> {
            try {
                joinOnceTheOwnerParked(name, Thread.currentThread());
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        owner.join();

        assertThat(failed.get()).isNull();
        assertThat(JoinSpin.budgetOf(slot)).as("a spin, failed or not, would have changed it").isEqualTo(JoinSpin.FIRST_NANOS);
    }

    /**
     * Opens a scope named {@code name} whose one task ends only once {@code owner} has parked in join: the
     * join's spin, if any, has run out by then.
     */
    private static void joinOnceTheOwnerParked(String name, Thread owner) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread releaser = Thread.ofPlatform().start(() -> {
            Waits.until(() -> owner.getState() == Thread.State.WAITING || owner.getState() == Thread.State.TIMED_WAITING);
            release.countDown();
        });
        try (var scope = Scope.named(name).open(Join.<Integer>allSuccessful())) {
            scope.fork(() -> {
                release.await();
                return 1;
            });
            assertThat(scope.join()).isEqualTo(List.of(1));
        }
        releaser.join();
    }
}
