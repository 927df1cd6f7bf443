package dev.weft.jobs;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Job ids: UUID version 7 strings (RFC 9562), unique across runtimes, restarts and nodes, ordered by creation time,
 * and strictly increasing within one generator.
 */
final class JobIds {

    /*
     * Implementation notes. A UUIDv7 is 48 bits of Unix milliseconds, the version (7), 12 bits "rand_a", the
     * variant (binary 10) and 62 bits "rand_b". Here rand_a is a counter within the millisecond (RFC 9562,
     * section 6.2, method 1): `last` holds (millis << 12 | counter) of the latest id, and each id takes
     * max(last + 1, now << 12) by CAS. So ids of one generator strictly increase even when the wall clock stands
     * still or steps back; 4,096 ids within one millisecond borrow the next millisecond, which the clock catches
     * up with. rand_b is a bijective 64-bit mix of (a per-generator seed from SecureRandom + a sequence number):
     * never repeated within a generator, and random across generators (other runtimes, restarts, nodes). The
     * canonical string is fixed-width lower-case hex, so its lexicographic order is the numeric order.
     */

    private final LongSupplier clockMillis;
    private final long seed = new SecureRandom().nextLong();
    private final AtomicLong last = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();

    JobIds() {
        this(System::currentTimeMillis);
    }

    JobIds(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /** The next id. */
    String next() {
        long now = (clockMillis.getAsLong() & 0xFFFF_FFFF_FFFFL) << 12;
        long stamp;
        while (true) {
            long prev = last.get();
            stamp = Math.max(prev + 1, now);
            if (last.compareAndSet(prev, stamp)) {
                break;
            }
        }
        long msb = (stamp >>> 12) << 16 | 0x7000L | (stamp & 0xFFFL);
        long lsb = mix(seed + sequence.incrementAndGet() * 0x9E37_79B9_7F4A_7C15L);
        lsb = (lsb & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }

    /** A bijective finalizer (the one of SplitMix64). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
