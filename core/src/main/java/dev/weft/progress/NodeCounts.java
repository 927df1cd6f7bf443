package dev.weft.progress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static dev.weft.progress.PackedCounts.COMPLETE;
import static dev.weft.progress.PackedCounts.COMPLETING;
import static dev.weft.progress.PackedCounts.MAX_UNITS;
import static dev.weft.progress.PackedCounts.done;
import static dev.weft.progress.PackedCounts.hasEnded;
import static dev.weft.progress.PackedCounts.pack;
import static dev.weft.progress.PackedCounts.total;

/**
 * The counts of one progress node (its own done and total, and whether it is complete) and the lock-free
 * algorithms that update and read them. {@link Progress} extends it and adds the argument checks, the tree,
 * the rate and the listeners; the split keeps each file readable without an extra object per node.
 */
abstract class NodeCounts {

    /*
     * Implementation notes.
     *
     * Counts: the node's own done and total and two flags live in one long, `counts` (layout in PackedCounts),
     * so that a single CAS changes them together and a single volatile read sees them together. Invariant of
     * every value ever stored: done <= total <= MAX_UNITS. Updates give up (leaving the word as it is) once a
     * flag is set, so a completed node's counts are frozen and its final snapshot is final.
     *
     * Striped done. While one thread at a time advances the node, advance is one CAS on `counts`. The first
     * advance whose CAS fails (another update won) makes `cells` (DoneCells, never replaced), and from then on
     * every advance adds to its thread's cell and leaves `counts` alone; threads no longer contend on one word.
     * The node's done is then the word's done (its base) plus the sum of the cells, computed by readers, and
     * the total a reader reports is max(word's total, done): "advancing past the total raises it" holds at
     * read time, and addTotal/setTotal compute from that same view, so every snapshot still has done <= total.
     * A view of a striped node is validated: read the word, sum the cells, read the word again, and start over
     * if a flag appeared meanwhile.
     *
     * Completion is two steps, so that the final done includes every add that any snapshot has counted:
     * complete() sets COMPLETING by CAS (updates stop changing the word), then done is summed and the word set
     * to the final counts with COMPLETE. Any thread that sees COMPLETING finishes it the same way (a reader
     * helps instead of waiting), and the first CAS from the COMPLETING word wins. Why nothing is lost: a
     * snapshot S that reported a sum validated it, so its second read of the word preceded COMPLETING in the
     * synchronization order; every cell read of S precedes that, and every read of the finishing thread follows
     * COMPLETING; cells only grow, so the final sum is at least S's. An add that lands after the final sum is
     * an advance that raced with complete() and is ignored, as updates of a complete node are. An advance that
     * happened-before complete() wrote its cell (or the word) before COMPLETING, so it is counted.
     *
     * done never goes backwards: the base and the cells only grow (until the final word, which is at least any
     * earlier view), and a later snapshot reads each of them after an earlier one. Lock-free, not wait-free: a
     * CAS fails only because another update succeeded; a validation repeats only because a flag was set, which
     * happens once.
     */

    /** done (the base, once striped), total and the flags; written by CAS from any thread, read by anyone. */
    private volatile long counts;
    /** null until advances contend; then set once by CAS and added to by advancing threads, summed by readers. */
    private volatile long[] cells;

    // VarHandle mechanics
    private static final VarHandle COUNTS;
    private static final VarHandle CELLS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COUNTS = l.findVarHandle(NodeCounts.class, "counts", long.class);
            CELLS = l.findVarHandle(NodeCounts.class, "cells", long[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Adds {@code units} (1 to MAX_UNITS) to done. Ignored once complete. */
    final void addDone(long units) {
        long[] striped = cells;
        if (striped == null) {
            long current = (long) COUNTS.getVolatile(this);
            long next;
            if (done(current) + units <= total(current) && !hasEnded(current)) {
                // within the total (so below MAX_UNITS): done's bits take the add with no carry out of them,
                // and the CAS's new value depends on one add only (the checks run beside it, predicted)
                next = current + units;
            } else if (hasEnded(current)) {
                return; // complete: frozen
            } else {
                long done = Math.min(MAX_UNITS, done(current) + units);
                next = pack(done, Math.max(done, total(current))); // past the total: raises it
            }
            if (COUNTS.compareAndSet(this, current, next)) {
                return;
            }
            striped = stripe(); // another update won the word: contended, so stripe
        }
        // After completion, an add lands in a cell no reader looks at. The first attempt of DoneCells.add, written
        // out here (see DoneCells' notes on why it is not a call):
        int hash = (int) ((Thread.currentThread().threadId() * 0x9E3779B97F4A7C15L) >>> 32);
        int cell = ((hash ^ (int) striped[DoneCells.SALT]) * DoneCells.SPREAD) >>> DoneCells.SHIFT;
        int at = (cell + 1) * DoneCells.STRIDE;
        long value = (long) DoneCells.CELL.getVolatile(striped, at);
        if (value >= MAX_UNITS || !DoneCells.CELL.compareAndSet(striped, at, value, value + units)) {
            DoneCells.add(striped, units, hash);
        }
    }

    /** Raises total by {@code units} (0 or more) over max(total, done). Ignored once complete. */
    final void addToTotal(long units) {
        long current;
        long next;
        do {
            current = (long) COUNTS.getVolatile(this);
            if (hasEnded(current) || units == 0) {
                return;
            }
            long total = Math.max(total(current), doneOf(current));
            next = pack(done(current), Math.min(MAX_UNITS, total + Math.min(units, MAX_UNITS)));
        } while (!COUNTS.weakCompareAndSet(this, current, next));
    }

    /**
     * Sets total to {@code total} (0 to MAX_UNITS) unless it is below done. Ignored once complete.
     *
     * @return -1 if set or ignored, else the done that {@code total} is below (counts unchanged)
     */
    final long replaceTotal(long total) {
        long current;
        long next;
        do {
            current = (long) COUNTS.getVolatile(this);
            if (hasEnded(current)) {
                return -1;
            }
            long done = doneOf(current);
            if (total < done) {
                return done;
            }
            next = pack(done(current), total);
        } while (!COUNTS.weakCompareAndSet(this, current, next));
        return -1;
    }

    /**
     * Freezes the counts. Only the first call starts the completion; every call returns once the counts are
     * final.
     *
     * @return true for the call that started it
     */
    final boolean completeCounts() {
        long current;
        do {
            current = (long) COUNTS.getVolatile(this);
            if (hasEnded(current)) {
                counts(); // finishes a completion in progress, so that the counts are final when this returns
                return false;
            }
        } while (!COUNTS.compareAndSet(this, current, current | COMPLETING));
        finishCompleting(current | COMPLETING);
        return true;
    }

    /** Whether completion has begun. */
    final boolean countsEnded() {
        return hasEnded((long) COUNTS.getVolatile(this));
    }

    /**
     * The node's counts as one word in PackedCounts' layout, striped done folded in: the word itself while the
     * node is not striped, the final word once complete, else a validated view (see the implementation notes).
     * The COMPLETING flag never shows: this finishes a completion it finds in progress.
     */
    final long counts() {
        while (true) {
            long current = (long) COUNTS.getVolatile(this);
            if (current < 0) {
                return current; // COMPLETE: the final counts
            }
            if (hasEnded(current)) {
                finishCompleting(current);
                continue;
            }
            long[] striped = cells;
            if (striped == null) {
                return current;
            }
            long sum = DoneCells.sum(striped);
            long validated = (long) COUNTS.getVolatile(this);
            if (!hasEnded(validated)) {
                long done = Math.min(MAX_UNITS, done(validated) + sum);
                return pack(done, Math.max(done, total(validated)));
            }
        }
    }

    /** Stripes done now (if not yet): called on contention, and by tests. Returns the cells. */
    final long[] stripe() {
        long[] made = DoneCells.create();
        long[] witness = (long[]) CELLS.compareAndExchange(this, (long[]) null, made);
        return witness == null ? made : witness;
    }

    /** Whether done is striped over cells (for tests). */
    final boolean isStriped() {
        return cells != null;
    }

    /**
     * done as a reader sees it, given the word {@code current}: the word's done plus the cells, if striped. Called
     * with a flagged word only by finishCompleting, after COMPLETING was set.
     */
    private long doneOf(long current) {
        long[] striped = cells;
        return striped == null ? done(current) : Math.min(MAX_UNITS, done(current) + DoneCells.sum(striped));
    }

    /** Replaces the COMPLETING word {@code completing} by the final counts, unless another thread already did. */
    private void finishCompleting(long completing) {
        long done = doneOf(completing); // cells read after COMPLETING was set: every add a validated view counted is in
        long last = pack(done, Math.max(done, total(completing))) | COMPLETE;
        COUNTS.compareAndSet(this, completing, last);
    }
}
