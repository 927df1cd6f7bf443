package dev.weft.scope;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How long the join of a scope owned by a platform thread spins before it parks, learned per scope path: a join
 * whose tasks end within the spin is not put to sleep and woken again, and a path whose joins keep outlasting
 * the spin soon stops spinning.
 *
 * <p>The budget of a path (a slot of a small table that paths share by hash) starts at {@link #FIRST_NANOS}. A
 * join that its spin ended (every task exited, a task forked, or the scope stopped) doubles it, up to
 * {@link #MAX_NANOS}; a join that outlasted it takes an eighth off it, and below {@link #MIN_NANOS} it is 0: no
 * spin. So a path keeps spinning while more than about one join in six ends within the spin. A path
 * at 0 spins again with the first budget in one join out of {@link #PROBE_ONE_IN} (on the owner's own random
 * numbers), so a path whose tasks became short learns it again. So a path of joins that wait for I/O spends on
 * average about {@code FIRST_NANOS / PROBE_ONE_IN} (250 ns) per join spinning, and a path of short fan-outs
 * (tasks of a few microseconds) keeps its owner awake until they end.
 *
 * <p>{@code -Dweft.joinSpin=false} turns the spin off (every join parks at once, as the JDK's does); it is read
 * once, when the class is loaded. It exists to measure what the spin is worth (docs/performance.md).
 */
final class JoinSpin {

    /*
     * Implementation notes.
     *
     * Why spin. A platform thread that parks in join and is unparked by the last task's thread pays a system
     * call on each side and, if its core went idle meanwhile, the core's wake-up: on the 2-core virtual machine
     * the benchmarks run on, 97 to 98% of fan-outs of ten trivial tasks took 16 us or more with the owner
     * parking, most of it in those sleeps and wake-ups, and half of them less with this spin
     * (docs/performance.md, "Eleventh round"). The JDK's own scheduler spins the same way before its carrier
     * threads park (ForkJoinPool.deactivate). A virtual owner never spins: its park is cheap (it unmounts, no
     * system call), and its spin would hold the very carrier its tasks need.
     *
     * Learning. Doubling on a success and taking an eighth off on a failure keeps the budget up while about one
     * join in six or more succeeds (2 x (7/8)^5 > 1), and brings a path of long waits from 8 us to 0 in 16
     * joins (from 16 us in 21). Halving on a failure was tried first: on the 2-core machine a fan-out of ten
     * trivial tasks sometimes outlasts 16 us (a carrier that had parked takes that long to wake), the budget then fell to 0 within a
     * few joins and stayed there, and the fan-out never got the spin's speed.
     *
     * The table. BUDGETS holds a budget in nanoseconds per slot; slots are picked by the path's hash, so two
     * paths may share one and then learn together (a matter of speed, never of correctness). Reads and writes
     * are plain and racy: every value written is a valid budget, a lost update costs one join a spin more or
     * less, and a write happens only when the budget changes, so a path whose budget is settled (at the maximum
     * or at 0) writes nothing, and owners on different cores do not pass the table's cache lines back and forth.
     * The probe draws from ThreadLocalRandom, the owner thread's own state, for the same reason: no shared
     * counter is written per join.
     */

    /** Whether joins spin at all: {@code -Dweft.joinSpin=false} turns it off. Read once. */
    static final boolean ENABLED = !"false".equals(System.getProperty("weft.joinSpin"));
    /** The budget of a path not seen yet, and of a probe: 8 us. */
    static final long FIRST_NANOS = 8_000;
    /** The largest budget: 16 us. */
    static final long MAX_NANOS = 16_000;
    /** A budget cut below this becomes 0 (no spin): 1 us. */
    static final long MIN_NANOS = 1_000;
    /** A path at budget 0 probes with FIRST_NANOS in one join out of this many, on average. */
    static final int PROBE_ONE_IN = 32;
    private static final int SLOTS = 64;

    /** Per slot, the spin budget in nanoseconds; plain, racy reads and writes (see notes). */
    private static final long[] BUDGETS = new long[SLOTS];

    static {
        java.util.Arrays.fill(BUDGETS, FIRST_NANOS);
    }

    private JoinSpin() {
    }

    /** The slot of the scope path {@code path}. */
    static int slotOf(String path) {
        return (path.hashCode() * 0x9E3779B9 >>> 16) & (SLOTS - 1);
    }

    /** How long a join of a scope in {@code slot} spins: its budget, or a probe's when its budget is 0. */
    static long budgetNanos(int slot) {
        long budget = BUDGETS[slot];
        if (budget == 0 && ThreadLocalRandom.current().nextInt(PROBE_ONE_IN) == 0) {
            return FIRST_NANOS;
        }
        return budget;
    }

    /**
     * Records how a join of a scope in {@code slot} spun for {@code spunNanos} (its budget): {@code ended}, the
     * spin ended its wait; else the owner went on to park.
     */
    static void learn(int slot, long spunNanos, boolean ended) {
        long budget = BUDGETS[slot];
        long next;
        if (ended) {
            next = Math.min(MAX_NANOS, Math.max(spunNanos, budget) * 2);
        } else {
            next = budget - budget / 8;
            if (next < MIN_NANOS) {
                next = 0;
            }
        }
        if (next != budget) {
            BUDGETS[slot] = next;
        }
    }

    /** The budget of {@code slot} now; for tests. */
    static long budgetOf(int slot) {
        return BUDGETS[slot];
    }

    /** Sets the budget of {@code slot}; for tests. */
    static void setBudget(int slot, long nanos) {
        BUDGETS[slot] = nanos;
    }
}
