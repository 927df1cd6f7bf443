package dev.weft.progress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A node's {@code done} striped over cells, for a node that several threads advance at once: each thread adds
 * to a cell of its own, so that they do not contend on one word, and a reader sums the cells. The cells of a
 * node live in one {@code long[]}, made on first contention and never replaced.
 */
final class DoneCells {

    /*
     * Implementation notes.
     *
     * Layout: cell k sits at index (k + 1) * STRIDE, so that cells are 128 bytes apart (two cache lines: no
     * false sharing between cells, even with adjacent-line prefetch) and no cell shares a line with the
     * array's header. Index 0 holds the salt, which is read by every add and written only on a collision.
     * The number of cells is a power of two: twice the processors, at least 2, at most 64.
     *
     * Choosing a cell: the thread's id is hashed to 32 bits, xored with the salt and hashed again; the top
     * bits pick the cell. There is no per-thread state to move a thread off a contended cell (as LongAdder
     * does with its thread probe, which is not accessible to us), so a CAS that fails on a cell changes the
     * salt instead, which reshuffles every thread's cell, and the add goes on with the next cell. Threads that
     * run at the same time are at most the processors, with twice as many cells, so a few reshuffles find an
     * assignment without collisions; the salt then stays put.
     *
     * The first attempt is written out in NodeCounts.addDone rather than called: while the JIT profiles a node
     * it is mostly unstriped, so a call on the striped path looks rare and C2 may leave it a call ("low call
     * site frequency") in code that then runs striped for good; in about a quarter of JVMs that cost two
     * threads a third of their throughput. Only a failed first attempt calls add().
     *
     * Values: a cell only grows, by CAS, and never past twice MAX_UNITS: an add to a cell already at MAX_UNITS
     * is dropped (the node's done saturates at MAX_UNITS whatever the other cells hold). So a sum of at most 64
     * cells cannot overflow a long. The sum reads each cell once, with volatile semantics; a later sum by a
     * thread that the first happens-before reads every cell at least as large.
     */

    /** Longs between two cells: 128 bytes. */
    static final int STRIDE = 16;
    /** The index of the salt. */
    static final int SALT = 0;
    private static final int CELLS =
            Math.min(64, Math.max(2, Integer.highestOneBit(Runtime.getRuntime().availableProcessors() * 2 - 1) << 1));
    /** The shift that takes a 32-bit hash to a cell number in [0, CELLS). */
    static final int SHIFT = 32 - Integer.numberOfTrailingZeros(CELLS);
    /** The odd constant that spreads a salted hash before SHIFT. */
    static final int SPREAD = 0x9E3779B9;

    private DoneCells() {
    }

    /** New cells, all 0. */
    static long[] create() {
        return new long[(CELLS + 1) * STRIDE];
    }

    /**
     * Adds {@code units} (0 to MAX_UNITS) to the cell that {@code hash} picks under the current salt. Lock-free,
     * allocation-free. A thread's hash is its id times 0x9E3779B97F4A7C15, top 32 bits (tests pick any hash).
     * NodeCounts.addDone makes this method's first attempt itself and calls it only when that attempt fails.
     */
    static void add(long[] cells, long units, int hash) {
        long salt = cells[SALT];
        int cell = ((hash ^ (int) salt) * SPREAD) >>> SHIFT;
        while (true) {
            int at = (cell + 1) * STRIDE;
            long value = (long) CELL.getVolatile(cells, at);
            if (value >= PackedCounts.MAX_UNITS || CELL.compareAndSet(cells, at, value, value + units)) {
                return;
            }
            CELL.compareAndSet(cells, SALT, salt, salt + 1); // reshuffle (once, among those who saw salt)
            cell = (cell + 1) & (CELLS - 1);
        }
    }

    /** The current salt (for tests). */
    static long salt(long[] cells) {
        return (long) CELL.getVolatile(cells, SALT);
    }

    /** The sum of the cells. */
    static long sum(long[] cells) {
        long sum = 0;
        for (int at = STRIDE; at < cells.length; at += STRIDE) {
            sum += (long) CELL.getVolatile(cells, at);
        }
        return sum;
    }

    // VarHandle mechanics
    static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);
}
