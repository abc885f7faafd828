package io.gnetj.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters of one {@link BufferCache}, registered with its {@link BufferPool} so that the
 * pool's figures include them: bytes and buffers lent through the cache and not given back to it,
 * and bytes held on its stacks.
 *
 * <pre>
 *   pool.inUseBytes() = pool's adders (shared path, every release not made to the lending cache)
 *                     + sum over registered ledgers of inUseBytes (lent here minus released here)
 * </pre>
 *
 * <p>A buffer lent through a cache and released anywhere else (the pool from another thread,
 * another cache) is uncounted in the pool's adders, not here, so the sum stays exact; it is also
 * added to {@link #lvReleasedElsewhereBytes()}, which only the cache's own
 * {@link BufferCache#inUseBytes()} subtracts. When the cache closes, its pool folds the counters
 * into its adders and drops the ledger; buffers the ledger lent stay pointed at it and are then
 * uncounted on the shared path like any other.
 *
 * <p>Threading: the owner fields ({@code inUseBytes}, {@code inUseCount}, {@code retainedBytes},
 * {@code credit}, {@code hits}, {@code misses}) are written only by the cache's owner thread, with ordered stores ({@code so})
 * and no atomic instruction; the owner reads them plainly, other threads read them with
 * {@code lv} loads and get a racy value that is exact once the owner is quiescent.
 * {@code releasedElsewhereBytes} is added to by any thread ({@code xadd}).
 */
final class CacheLedger {

    private static final VarHandle IN_USE_BYTES;
    private static final VarHandle IN_USE_COUNT;
    private static final VarHandle RETAINED_BYTES;
    private static final VarHandle RELEASED_ELSEWHERE_BYTES;
    private static final VarHandle HITS;
    private static final VarHandle MISSES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            IN_USE_BYTES = lookup.findVarHandle(CacheLedger.class, "inUseBytes", long.class);
            IN_USE_COUNT = lookup.findVarHandle(CacheLedger.class, "inUseCount", long.class);
            RETAINED_BYTES = lookup.findVarHandle(CacheLedger.class, "retainedBytes", long.class);
            RELEASED_ELSEWHERE_BYTES =
                    lookup.findVarHandle(CacheLedger.class, "releasedElsewhereBytes", long.class);
            HITS = lookup.findVarHandle(CacheLedger.class, "hits", long.class);
            MISSES = lookup.findVarHandle(CacheLedger.class, "misses", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Bytes lent through the cache and not released back to it (never below zero). */
    private long inUseBytes;
    private long inUseCount;
    /** Bytes on the cache's stacks. */
    private long retainedBytes;
    /**
     * Bytes of the pool's retained cap this cache holds ({@code retainedBytes <= credit}); owner
     * only, so plain. Taken from the pool when the stacks outgrow it, handed back on close.
     */
    long credit;
    @SuppressWarnings("unused") // accessed through RELEASED_ELSEWHERE_BYTES
    private long releasedElsewhereBytes;
    /** Takes served from the cache's stacks, and takes that went to the pool. */
    private long hits;
    private long misses;

    // ---- owner thread ----

    /** A buffer of {@code capacity} bytes was lent through the cache. */
    void lent(int capacity) {
        IN_USE_BYTES.setRelease(this, inUseBytes + capacity);
        IN_USE_COUNT.setRelease(this, inUseCount + 1);
    }

    /** A buffer this ledger lent came back to the same cache. */
    void returned(int capacity) {
        IN_USE_BYTES.setRelease(this, inUseBytes - capacity);
        IN_USE_COUNT.setRelease(this, inUseCount - 1);
    }

    /** A take was served from the cache's stacks ({@code hit}) or went to the pool. */
    void took(boolean hit) {
        if (hit) {
            HITS.setRelease(this, hits + 1);
        } else {
            MISSES.setRelease(this, misses + 1);
        }
    }

    /** A chunk went onto the cache's stacks ({@code delta > 0}) or left them. */
    void addRetained(long delta) {
        RETAINED_BYTES.setRelease(this, retainedBytes + delta);
    }

    /** Bytes on the stacks, read by the owner. */
    long retainedBytesByOwner() {
        return retainedBytes;
    }

    // ---- any thread ----

    /** A buffer this ledger lent was released somewhere else (or leaked); see the class doc. */
    void releasedElsewhere(int capacity) {
        RELEASED_ELSEWHERE_BYTES.getAndAdd(this, (long) capacity);
    }

    long lvInUseBytes() {
        return (long) IN_USE_BYTES.getVolatile(this);
    }

    long lvInUseCount() {
        return (long) IN_USE_COUNT.getVolatile(this);
    }

    long lvRetainedBytes() {
        return (long) RETAINED_BYTES.getVolatile(this);
    }

    long lvHits() {
        return (long) HITS.getVolatile(this);
    }

    long lvMisses() {
        return (long) MISSES.getVolatile(this);
    }

    long lvReleasedElsewhereBytes() {
        return (long) RELEASED_ELSEWHERE_BYTES.getVolatile(this);
    }
}
