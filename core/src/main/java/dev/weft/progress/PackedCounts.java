package dev.weft.progress;

/**
 * The layout of a node's counts word: done, total and the frozen flag in one {@code long}, so that one CAS changes
 * them together and one volatile read sees them together.
 */
final class PackedCounts {

    /*
     * Implementation notes:
     *
     *   bit 63      FROZEN: the node has ended and the counts are final (so a frozen word is negative)
     *   bits 62..32 total (31 bits, unsigned)
     *   bit 31      always 0
     *   bits 30..0  done  (31 bits, unsigned)
     *
     * Callers keep done <= total <= MAX_UNITS in every word they store, so adding at most total - done to a word
     * never carries out of done's bits.
     */

    /** The largest done or total: 2^31 - 1. */
    static final long MAX_UNITS = (1L << 31) - 1;
    static final long FROZEN = Long.MIN_VALUE;
    private static final int TOTAL_SHIFT = 32;

    private PackedCounts() {
    }

    static long pack(long done, long total) {
        return total << TOTAL_SHIFT | done;
    }

    static long done(long counts) {
        return counts & MAX_UNITS;
    }

    static long total(long counts) {
        return (counts >>> TOTAL_SHIFT) & MAX_UNITS;
    }

    static boolean isFrozen(long counts) {
        return counts < 0;
    }
}
