package dev.weft.progress;

/**
 * The layout of a node's counts word: done, total and the complete flag in one {@code long}, so that one CAS
 * changes them together and one volatile read sees them together.
 */
final class PackedCounts {

    /*
     * Implementation notes:
     *
     *   bit 63      COMPLETE flag (so a complete word is negative)
     *   bits 62..32 total (31 bits, unsigned)
     *   bit 31      always 0
     *   bits 30..0  done  (31 bits, unsigned)
     *
     * Callers keep done <= total <= MAX_UNITS in every word they store.
     */

    /** The largest done or total: 2^31 - 1. */
    static final long MAX_UNITS = (1L << 31) - 1;
    static final long COMPLETE = Long.MIN_VALUE;
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

    static boolean isComplete(long counts) {
        return counts < 0;
    }
}
