package io.gnetj.buffer;

import java.lang.ref.Reference;

/**
 * A small per-thread cache of free chunks in front of a {@link BufferPool}, owned by one thread
 * (in gnetj, one event loop) that creates it with {@link BufferPool#newCache()}. Not a
 * {@code ThreadLocal}: the owner holds it explicitly.
 *
 * <p>One bounded stack per size class ({@code cacheSizePerClass} chunks, default 16), plain
 * arrays. A take pops from the stack of its class, else falls back to the pool's shared free list;
 * a release pushes onto the stack if it has room, else goes to the shared list. Popped slots are
 * nulled, so a lent handle is never referenced from here.
 *
 * <pre>
 *   stacks[class]: [ h0 | h1 | h2 | null | ... ]   sizes[class] = 3, pop/push at index sizes[class]
 * </pre>
 *
 * <p>The hit path (a take served from a stack, or a release of a buffer this cache lent pushed
 * onto a stack) is loop-local work: no atomic instruction and no write to memory another thread
 * writes. The cache counts in its own ledger (bytes and buffers lent through it and not given back
 * to it, bytes on its stacks), plain fields the pool adds to its figures when asked; the
 * handle's in-use flag is flipped with opaque accesses, since only the owner holds it; the leak
 * detector's sampling is a countdown of the cache's own.
 *
 * <p>Retained cap: the cache holds a credit, a share of the pool's {@code maxRetainedBytes}. A
 * push within the credit touches nothing shared; a push beyond it asks the pool for the difference
 * (one CAS, and the pool reads its figures), and goes to the shared list if the pool refuses. The
 * credit stays with the cache, so after warm-up a steady take/release cycle asks for nothing; it is
 * handed back by {@link #close()}.
 *
 * <p>A buffer taken through a cache may be released to the pool (from any thread) or to another
 * cache of the same pool, and a buffer taken from the pool may be released to a cache of the same
 * pool: those releases take the shared path (a CAS on the handle, the pool's adders) and the
 * counts stay exact. A release of a buffer this cache lent, racing a release of the same buffer
 * from another thread, is a double release by the caller that is not guaranteed to be caught.
 *
 * <p>Close the cache when its owner stops: until then it holds its chunks, its credit and its
 * place among the pool's counted ledgers. A closed cache stays usable; its next take or release
 * opens it again with a fresh ledger.
 *
 * <p>Threading: {@link #take}, {@link #release} and {@link #cachedCount()} from the owner thread
 * only; {@link #close()} from the owner, or from any thread once the owner has stopped (and that
 * stop happened-before); {@link #inUseBytes()} from any thread (exact on the owner thread, racy
 * elsewhere).
 */
public final class BufferCache implements BufferAllocator, AutoCloseable {

    private final BufferPool pool;
    private final LeakDetector leakDetector;
    private final PooledBuffer[][] stacks;
    private final int[] sizes;
    private final int perClass;
    /** This opening's counters, registered with the pool; null once closed, until used again. */
    private CacheLedger ledger;
    /** Takes until the next one the leak detector tracks (see {@link LeakDetector#nextSampleCountdown()}). */
    private int sampleCountdown;

    BufferCache(BufferPool pool) {
        this.pool = pool;
        this.leakDetector = pool.leakDetector();
        this.perClass = pool.cacheSizePerClass();
        this.stacks = new PooledBuffer[pool.classCount()][perClass];
        this.sizes = new int[pool.classCount()];
        this.sampleCountdown = leakDetector.nextSampleCountdown();
        this.ledger = pool.register(new CacheLedger());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Served from this cache's stack of the size class (no atomic instruction), else from the
     * pool's shared free list. Either way the buffer counts as lent through this cache until it is
     * released. Owner thread only.
     */
    @Override
    public PooledBuffer take(int minCapacity) {
        CacheLedger ledger = openLedger();
        int sizeClass = pool.classIndex(minCapacity);
        PooledBuffer buffer;
        int size;
        if (sizeClass >= 0 && (size = sizes[sizeClass]) > 0) {
            PooledBuffer[] stack = stacks[sizeClass];
            buffer = stack[--size];
            stack[size] = null;
            sizes[sizeClass] = size;
            ledger.addRetained(-buffer.capacity());
            buffer.markInUseByOwner();
            ledger.took(true);
        } else {
            buffer = pool.obtain(sizeClass, minCapacity);
            ledger.took(false);
        }
        buffer.lender = ledger;
        ledger.lent(buffer.capacity());
        if (--sampleCountdown == 0) {
            sample(buffer);
        }
        return buffer;
    }

    /**
     * {@inheritDoc}
     *
     * <p>A buffer this cache lent is flipped free without an atomic instruction (a second release
     * still throws) and uncounted here; any other buffer of the pool takes the shared path. Then
     * the chunk goes onto this cache's stack if it has room and credit, else to the shared list.
     * Owner thread only. To release from another thread, use {@link BufferPool#release}.
     */
    @Override
    public void release(PooledBuffer buffer) {
        CacheLedger ledger = openLedger();
        pool.checkOwnPool(buffer, this);
        int capacity = buffer.capacity();
        if (buffer.lender == ledger) {
            buffer.markFreeByOwner();
            BufferPool.untrack(buffer);
            ledger.returned(capacity);
        } else {
            buffer.markFree();
            BufferPool.untrack(buffer);
            pool.uncountSharedPath(buffer);
        }
        if (buffer.isPooled()) {
            int sizeClass = buffer.sizeClass;
            int size = sizes[sizeClass];
            if (size < perClass && hasCreditFor(ledger, capacity)) {
                stacks[sizeClass][size] = buffer;
                sizes[sizeClass] = size + 1;
                ledger.addRetained(capacity);
            } else {
                pool.offerShared(buffer);
            }
        }
        // Keep the handle strongly reachable until its leak record is gone (see BufferPool.untrack).
        Reference.reachabilityFence(buffer);
    }

    @Override
    public BufferPool pool() {
        return pool;
    }

    /**
     * {@return the bytes taken through this cache and not yet given back} A chunk is given back
     * when it is released, whichever way (to this cache, to the pool from any thread, to another
     * cache), or lost (a leak the detector reported). This is the memory an owner is responsible
     * for: gnetj's event loops take and release every connection buffer through their cache, so
     * this is the loop's pooled memory in use, the figure a per-loop memory budget compares
     * against.
     *
     * <p>On the owner thread it is exact (for releases made elsewhere, as of the last one that
     * happened-before the call); from any other thread it is a racy but safe read. A closed cache
     * reports 0 until it is used again; what it lent before closing is then counted by the pool
     * alone.
     */
    public long inUseBytes() {
        CacheLedger current = ledger;
        return current == null ? 0 : current.lvInUseBytes() - current.lvReleasedElsewhereBytes();
    }

    /** {@return the chunks held by this cache now (owner thread, or at quiescence)} */
    public int cachedCount() {
        int total = 0;
        for (int size : sizes) {
            total += size;
        }
        return total;
    }

    /**
     * Moves every cached chunk back to the pool's shared free lists (within the retained cap),
     * hands the cache's credit back, folds its counters into the pool's and stops being counted.
     * The cache stays usable: a later take or release opens it again.
     * Owner thread, or any thread once the owner has stopped (and that stop happened-before).
     */
    @Override
    public void close() {
        CacheLedger closing = ledger;
        if (closing == null) {
            return;
        }
        // Credit first, so that the chunks moving to the shared lists find room under the cap.
        pool.returnCredit(closing.credit);
        closing.credit = 0;
        for (int c = 0; c < stacks.length; c++) {
            PooledBuffer[] stack = stacks[c];
            for (int i = sizes[c] - 1; i >= 0; i--) {
                PooledBuffer buffer = stack[i];
                stack[i] = null;
                closing.addRetained(-buffer.capacity());
                pool.offerShared(buffer);
            }
            sizes[c] = 0;
        }
        pool.retire(closing);
        ledger = null;
    }

    @Override
    public String toString() {
        return "BufferCache[" + cachedCount() + " chunks, " + pool + "]";
    }

    /** This opening's ledger, null when closed (for tests: which buffers this opening lent). */
    CacheLedger ledger() {
        return ledger;
    }

    private CacheLedger openLedger() {
        CacheLedger current = ledger;
        if (current == null) {
            current = pool.register(new CacheLedger());
            ledger = current;
        }
        return current;
    }

    /** Whether {@code capacity} more bytes on the stacks stay within the credit, asking for more if not. */
    private boolean hasCreditFor(CacheLedger ledger, int capacity) {
        long needed = ledger.retainedBytesByOwner() + capacity - ledger.credit;
        if (needed <= 0) {
            return true;
        }
        if (pool.grantCredit(needed)) {
            ledger.credit += needed;
            return true;
        }
        return false;
    }

    /** The countdown ran out: re-arm it and track this take unless detection is off. */
    private void sample(PooledBuffer buffer) {
        sampleCountdown = leakDetector.nextSampleCountdown();
        if (leakDetector.level() != LeakDetector.Level.DISABLED) {
            buffer.leakRecord = leakDetector.track(buffer, pool);
        }
    }
}
