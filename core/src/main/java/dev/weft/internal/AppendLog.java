package dev.weft.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only list that any number of threads add to and read concurrently: a scope's tasks in fork order.
 * An add is two steps, {@link #claim} (one atomic read-modify-write, which fixes the element's place in the
 * order) and {@link #set} (a release store); no lock is taken, so a thread that adds many elements alone (a
 * scope's owner forking) pays no lock per add.
 *
 * <p>A claim may also draw the next number of a side sequence in the same atomic step; a scope numbers its
 * automatically named tasks with it ({@code task-1}, {@code task-2}, ...).
 *
 * <p>Memory effects: actions of a thread before it {@linkplain #set sets} an element happen-before the actions
 * of a thread after it reads that element through {@link #snapshot}.
 *
 * <p>A slot that is claimed but not yet set is skipped by readers: its add has not returned, so its element is
 * not yet part of the list for anyone who waited for that add. At most {@link #MAX_ELEMENTS} elements.
 *
 * @param <E> the element type
 */
public final class AppendLog<E> {

    /*
     * Implementation notes.
     *
     * The claims word packs two counters: the slots claimed (high 32 bits) and the numbers drawn from the side
     * sequence (low 32 bits). claim() advances both with one getAndAdd. Written by adding threads (atomic);
     * read by anyone. It sits in the middle of a long array with 64 bytes of unused slots on each side: a
     * scope's owner adds to it once per fork while the scope's task threads read the fields of the objects
     * allocated next to the log, and a shared cache line would cost a transfer per fork.
     *
     * Storage is a fixed directory of chunks whose sizes double: chunk k holds FIRST_CHUNK << k slots, so index
     * i lives in chunk k = log2(i + FIRST_CHUNK) - log2(FIRST_CHUNK), 27 chunks hold MAX_ELEMENTS, and no
     * element is ever copied. A chunk is created by the first adder that needs it and installed with a CAS on
     * its directory slot; a loser adopts the winner's chunk, so no add can land in a chunk that is then lost.
     * Slots are written once, with a release store, and read with acquire.
     *
     * A chunk has CHUNK_PAD unused slots (64 bytes or more) before and after its own: a chunk is made in the
     * middle of a fork loop, between objects that task threads write (a task, a thread), and the owner then
     * writes its slots fork after fork; without the padding its first and last slots would share a cache line
     * with those objects, which would move between the owner's core and a carrier's once per fork.
     */

    private static final int FIRST_CHUNK_SHIFT = 4;
    private static final int FIRST_CHUNK = 1 << FIRST_CHUNK_SHIFT;
    private static final int CHUNKS = 31 - FIRST_CHUNK_SHIFT;
    /** Unused slots at each end of a chunk: 64 bytes with compressed references, 128 without (see notes). */
    private static final int CHUNK_PAD = 16;
    /** The most elements a log holds: every slot of its 27 chunks, Integer.MAX_VALUE - 15. */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - FIRST_CHUNK + 1;
    private static final long ONE_SLOT = 1L << 32;
    /** The slot of `claims` that holds the claims; the 8 longs on each side are padding (see notes). */
    private static final int CLAIMS_SLOT = 8;
    private static final int CLAIMS_LENGTH = 17;

    /** In CLAIMS_SLOT: claimed slots (high half) and drawn numbers (low half); getAndAdd by adders. */
    private final long[] claims = new long[CLAIMS_LENGTH];
    /** Chunk k, or null until an adder needs it; slots installed by CAS, never replaced. */
    private final Object[][] chunks = new Object[CHUNKS][];

    /**
     * Claims the next slot, and draws the next number of the side sequence when {@code drawNumber}. Decode the
     * answer with {@link #indexOf} and {@link #numberOf}; the slot must then be {@link #set}.
     *
     * @throws IllegalStateException if {@link #MAX_ELEMENTS} slots have been claimed
     */
    public long claim(boolean drawNumber) {
        long claim = (long) CLAIMS.getAndAdd(claims, CLAIMS_SLOT, drawNumber ? ONE_SLOT + 1 : ONE_SLOT);
        int index = indexOf(claim);
        if (index < 0 || index >= MAX_ELEMENTS) {
            throw new IllegalStateException("append log is full: it holds at most " + MAX_ELEMENTS + " elements");
        }
        return claim;
    }

    /** The slot index of a {@link #claim}. */
    public static int indexOf(long claim) {
        return (int) (claim >>> 32);
    }

    /** The side-sequence number of a {@link #claim} (0, 1, ...); meaningful only if it drew one. */
    public static int numberOf(long claim) {
        return (int) claim;
    }

    /** Publishes {@code element} in the slot at {@code index}, which the caller claimed. */
    public void set(int index, E element) {
        int j = index + FIRST_CHUNK;
        int k = chunkOf(j);
        Object[] chunk = (Object[]) CHUNK.getAcquire(chunks, k);
        if (chunk == null) {
            chunk = installChunk(k);
        }
        SLOT.setRelease(chunk, CHUNK_PAD + j - (FIRST_CHUNK << k), element);
    }

    private Object[] installChunk(int k) {
        Object[] made = new Object[(FIRST_CHUNK << k) + 2 * CHUNK_PAD];
        Object[] won = (Object[]) CHUNK.compareAndExchange(chunks, k, (Object[]) null, made);
        return won == null ? made : won;
    }

    /** Whether any slot has been claimed. */
    public boolean isEmpty() {
        return claimed() == 0;
    }

    /** How many slots have been claimed (a volatile read): every add that started, finished or not. */
    public int claimed() {
        return indexOf(claimsNow());
    }

    /** The elements set so far, in claim order (slots claimed but not yet set are left out). */
    @SuppressWarnings("unchecked")
    public List<E> snapshot() {
        int claimed = indexOf(claimsNow());
        List<E> out = new ArrayList<>(claimed);
        for (int k = 0, start = 0; start < claimed; k++) {
            Object[] chunk = (Object[]) CHUNK.getAcquire(chunks, k);
            int size = FIRST_CHUNK << k;
            if (chunk != null) {
                for (int s = 0, n = Math.min(size, claimed - start); s < n; s++) {
                    Object e = SLOT.getAcquire(chunk, CHUNK_PAD + s);
                    if (e != null) {
                        out.add((E) e);
                    }
                }
            }
            start += size;
        }
        return out;
    }

    private static int chunkOf(int j) {
        return (31 - Integer.numberOfLeadingZeros(j)) - FIRST_CHUNK_SHIFT;
    }

    private long claimsNow() {
        return (long) CLAIMS.getVolatile(claims, CLAIMS_SLOT);
    }

    // VarHandle mechanics
    private static final VarHandle CLAIMS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle CHUNK = MethodHandles.arrayElementVarHandle(Object[][].class);
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
}
