package dev.weft.progress;

/**
 * The layout of a node's counts word: done, total and the completion flags in one {@code long}, so that one CAS
 * changes them together and one volatile read sees them together.
 */
final class PackedCounts {

    /*
     * Implementation notes:
     *
     *   bit 63      COMPLETE flag (so a complete word is negative)
     *   bits 62..32 total (31 bits, unsigned)
     *   bit 31      COMPLETING flag: complete() has begun and the final counts are being computed
     *   bits 30..0  done  (31 bits, unsigned; the base only, while the node's done is striped over cells)
     *
     * Callers keep done <= total <= MAX_UNITS in every word they store. A word with COMPLETE has no COMPLETING.
     */

    /** The largest done or total: 2^31 - 1. */
    static final long MAX_UNITS = (1L << 31) - 1;
    static final long COMPLETE = Long.MIN_VALUE;
    static final long COMPLETING = 1L << 31;
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

    /** Whether complete() has begun: COMPLETING or COMPLETE. */
    static boolean hasEnded(long counts) {
        return (counts & (COMPLETE | COMPLETING)) != 0;
    }
}
