package dev.weft.progress;

import org.junit.jupiter.api.Test;

import static dev.weft.testing.Waits.runTogether;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The cells behind a striped done: sums, saturation, and threads that collide on one cell. */
class DoneCellsTest {

    @Test
    void addsFromDifferentHashesAllCountInTheSum() {
        long[] cells = DoneCells.create();

        for (int hash = 0; hash < 1_000; hash++) {
            DoneCells.add(cells, 3, hash * 0x61C88647);
        }

        assertThat(DoneCells.sum(cells)).isEqualTo(3_000);
    }

    @Test
    void aCellAlreadyAtMaxUnitsTakesNoMore() {
        long[] cells = DoneCells.create();

        DoneCells.add(cells, Progress.MAX_UNITS, 7);
        DoneCells.add(cells, Progress.MAX_UNITS, 7);
        DoneCells.add(cells, 5, 7);

        assertThat(DoneCells.sum(cells)).isEqualTo(Progress.MAX_UNITS);
    }

    @Test
    void threadsThatShareACellLoseNoAddAndReshuffleTheCells() throws Exception {
        assumeTwoProcessors();
        long[] cells = DoneCells.create();
        int perThread = 500_000;
        int rounds = 0;
        long expected = 0;
        // two threads forced onto one hash: they contend on one cell until a failed CAS changes the salt
        while (DoneCells.salt(cells) == 0 && rounds++ < 20) {
            runTogether(2, () -> {
                for (int i = 0; i < perThread; i++) {
                    DoneCells.add(cells, 1, 42);
                }
            });
            expected += 2L * perThread;
        }

        assertThat(DoneCells.sum(cells)).isEqualTo(expected);
        assertThat(DoneCells.salt(cells)).as("a collision reshuffles the cells").isPositive();
    }

    private static void assumeTwoProcessors() {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2,
                "a collision needs two threads running at once");
    }
}
