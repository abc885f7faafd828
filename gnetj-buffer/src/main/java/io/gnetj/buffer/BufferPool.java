package io.gnetj.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.jctools.queues.atomic.MpmcAtomicArrayQueue;

/**
 * A pool of direct {@link java.nio.ByteBuffer}s in power-of-two size classes.
 *
 * <pre>
 *   owner thread ──► BufferCache (small, per class, no atomics) ──┐
 *   any thread   ──────────────────────────────────────────────────┴─► shared free list per class
 *                                                                        (JCTools MPMC queue)
 *
 *   size classes: minCapacity, 2*minCapacity, ..., maxPooledCapacity   (defaults 256 B .. 4 MiB)
 * </pre>
 *
 * <p>Requests above {@code maxPooledCapacity} are served with unpooled direct buffers that are
 * dropped on release. The pool retains at most {@code maxRetainedBytes} of idle memory (shared
 * lists and caches together); a release beyond that drops the chunk for the garbage collector.
 * Each cache holds a share of that cap (its credit, see {@link BufferCache}) and asks the pool for
 * more only when its stacks outgrow it, so a cache hit never reads the pool's figures. The shared
 * lists' bytes plus the caches' credit stay within the cap, up to one chunk per racing release
 * (the check and the update are not one atomic step).
 *
 * <p>Handles ({@link PooledBuffer}) are recycled with their memory, so a steady state of take and
 * release allocates nothing (unless the leak detector tracks the take). A free list holds only free
 * handles: queues null their slot on poll, caches null theirs on pop.
 *
 * <p>Counters: the shared path counts in {@link LongAdder}s; each live cache counts its own takes,
 * releases and stacks in plain fields of its ledger, which it registers with the pool when created
 * and hands back (folded into the adders) when closed. {@link #inUseBytes()},
 * {@link #inUseCount()} and {@link #retainedBytes()} add the adders and every registered ledger:
 * safe to call from any thread at any time, racy while takes and releases run (a figure may be off
 * by the operations in flight, either way), exact at quiescence.
 *
 * <p>Leak detection: each take the pool's {@link LeakDetector} decides to track (every one at
 * PARANOID, about 1 in 128 at SIMPLE and SAMPLED, none at DISABLED) is recorded (with its stack at
 * SAMPLED and PARANOID) and also runs {@link LeakDetector#collect()}, so leaks are reported without
 * anyone polling. An untracked take through the pool pays one thread-local random draw; through a
 * cache, one decrement of the cache's own countdown.
 *
 * <p>Threading: every method is safe from any thread and lock-free (the free lists are the
 * {@code org.jctools.queues.atomic} variants, which need no {@code sun.misc.Unsafe}), except that
 * opening and closing a cache take a short lock on the registry of caches (never on a take or
 * release).
 */
public final class BufferPool implements BufferAllocator {

    /** Default smallest size class. */
    public static final int DEFAULT_MIN_CAPACITY = 256;
    /** Default largest pooled size class. */
    public static final int DEFAULT_MAX_POOLED_CAPACITY = 4 << 20;
    /** Default cap on idle bytes kept. */
    public static final long DEFAULT_MAX_RETAINED_BYTES = 64L << 20;
    /** Default chunks a cache keeps per size class. */
    public static final int DEFAULT_CACHE_SIZE_PER_CLASS = 16;

    /** Slots of a shared free list, whatever the retained cap allows. */
    private static final int MAX_QUEUE_CAPACITY = 4096;

    private static final CacheLedger[] NO_LEDGERS = {};
    private static final VarHandle NEXT_ID;
    private static final VarHandle CACHE_CREDIT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            NEXT_ID = lookup.findStaticVarHandle(BufferPool.class, "nextId", int.class);
            CACHE_CREDIT = lookup.findVarHandle(BufferPool.class, "cacheCredit", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through NEXT_ID
    private static volatile int nextId;

    private final int id;
    private final int minCapacity;
    private final int minShift;
    private final int maxPooledCapacity;
    private final long maxRetainedBytes;
    private final int cacheSizePerClass;
    private final MpmcAtomicArrayQueue<PooledBuffer>[] freeLists;
    private final LeakDetector leakDetector;

    /** Shared path: lent by the pool itself, minus every release not made to the lending cache. */
    private final LongAdder inUseBytes = new LongAdder();
    private final LongAdder inUseCount = new LongAdder();
    /** Bytes on the shared free lists (cached chunks are in the caches' ledgers). */
    private final LongAdder sharedRetainedBytes = new LongAdder();
    private final LongAdder allocatedBytes = new LongAdder();
    /** Chunks ever allocated; and the cache hits and misses of closed caches, folded in by retire. */
    private final LongAdder allocatedCount = new LongAdder();
    private final LongAdder retiredCacheHits = new LongAdder();
    private final LongAdder retiredCacheMisses = new LongAdder();
    /** Bytes of the retained cap handed to caches as credit; accessed through CACHE_CREDIT. */
    @SuppressWarnings("unused")
    private long cacheCredit;
    /** Ledgers of the open caches; copied on write under {@code registryLock}, read lock-free. */
    private volatile CacheLedger[] ledgers = NO_LEDGERS;
    private final Object registryLock = new Object();

    private BufferPool(Builder b) {
        this.id = (int) NEXT_ID.getAndAdd(1) + 1;
        this.minCapacity = b.minCapacity;
        this.minShift = Integer.numberOfTrailingZeros(b.minCapacity);
        this.maxPooledCapacity = b.maxPooledCapacity;
        this.maxRetainedBytes = b.maxRetainedBytes;
        this.cacheSizePerClass = b.cacheSizePerClass;
        int classes = Integer.numberOfTrailingZeros(maxPooledCapacity) - minShift + 1;
        // Java cannot create an array of a parameterised type; every element is set to a
        // MpmcAtomicArrayQueue<PooledBuffer> below, so the cast holds.
        @SuppressWarnings("unchecked")
        MpmcAtomicArrayQueue<PooledBuffer>[] lists =
                (MpmcAtomicArrayQueue<PooledBuffer>[]) new MpmcAtomicArrayQueue<?>[classes];
        for (int i = 0; i < classes; i++) {
            long fit = maxRetainedBytes / classCapacity(i);
            lists[i] = new MpmcAtomicArrayQueue<>((int) Math.max(2, Math.min(fit, MAX_QUEUE_CAPACITY)));
        }
        this.freeLists = lists;
        this.leakDetector = new LeakDetector(b.leakDetection == null ? LeakDetector.defaultLevel() : b.leakDetection);
    }

    /** {@return a new builder with the defaults} Any thread. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a pool with every default} Any thread. */
    public static BufferPool create() {
        return builder().build();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Served from the shared free list of the size class, else newly allocated. Any thread.
     */
    @Override
    public PooledBuffer take(int minCapacity) {
        PooledBuffer buffer = obtain(classIndex(minCapacity), minCapacity);
        buffer.lender = null;
        inUseBytes.add(buffer.capacity());
        inUseCount.increment();
        if (leakDetector.shouldTrack()) {
            buffer.leakRecord = leakDetector.track(buffer, this);
        }
        return buffer;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Any thread, not only the taker's. Pooled chunks go to the shared free list unless the
     * retained cap is reached; unpooled ones are dropped.
     */
    @Override
    public void release(PooledBuffer buffer) {
        checkOwnPool(buffer, null);
        buffer.markFree();
        untrack(buffer);
        uncountSharedPath(buffer);
        if (buffer.isPooled()) {
            offerShared(buffer);
        }
        // Keep the handle strongly reachable until its leak record is gone (see untrack).
        Reference.reachabilityFence(buffer);
    }

    @Override
    public BufferPool pool() {
        return this;
    }

    /**
     * {@return a new cache for one thread to own; see {@link BufferCache}} The cache registers its
     * counters with this pool until it is closed. Any thread.
     */
    public BufferCache newCache() {
        return new BufferCache(this);
    }

    /**
     * {@return the capacity a request of {@code minCapacity} bytes is rounded up to: the size
     * class, or {@code minCapacity} itself above {@code maxPooledCapacity} (unpooled)} Any thread.
     *
     * @param minCapacity the bytes requested
     * @throws IllegalArgumentException if {@code minCapacity} is not positive
     */
    public int sizeClassOf(int minCapacity) {
        int sizeClass = classIndex(minCapacity);
        return sizeClass < 0 ? minCapacity : classCapacity(sizeClass);
    }

    /**
     * {@return the bytes of direct memory currently lent out (taken and not yet released), through
     * the pool and through every open cache} Any thread; racy while buffers move (off by the
     * operations in flight), exact at quiescence.
     */
    public long inUseBytes() {
        CacheLedger[] open = ledgers; // the snapshot first: a ledger folded meanwhile counts twice, never zero times
        long sum = inUseBytes.sum();
        for (CacheLedger ledger : open) {
            sum += ledger.lvInUseBytes();
        }
        return sum;
    }

    /**
     * {@return the buffers currently lent out} As {@link #inUseBytes()}: racy while they move,
     * exact at quiescence. Any thread.
     */
    public long inUseCount() {
        CacheLedger[] open = ledgers;
        long sum = inUseCount.sum();
        for (CacheLedger ledger : open) {
            sum += ledger.lvInUseCount();
        }
        return sum;
    }

    /**
     * {@return the bytes of idle memory held for reuse: shared free lists plus the stacks of every
     * open cache} Any thread; racy while buffers move, exact at quiescence.
     */
    public long retainedBytes() {
        CacheLedger[] open = ledgers;
        long sum = sharedRetainedBytes.sum();
        for (CacheLedger ledger : open) {
            sum += ledger.lvRetainedBytes();
        }
        return sum;
    }

    /**
     * {@return the total bytes of direct memory this pool has ever allocated (monotonic)} Any
     * thread; racy while buffers are allocated.
     */
    public long allocatedBytes() {
        return allocatedBytes.sum();
    }

    /**
     * {@return a snapshot of the pool's figures: bytes lent and kept, what it allocated, the caches'
     * hit ratio, and the chunks on each size class's shared free list} Any thread; racy while
     * buffers move (each figure is off by at most the operations in flight), exact at quiescence.
     * It allocates the snapshot: meant for monitoring, not for a hot path.
     */
    public BufferPoolMetrics metrics() {
        CacheLedger[] open = ledgers;
        long hits = retiredCacheHits.sum();
        long misses = retiredCacheMisses.sum();
        for (CacheLedger ledger : open) {
            hits += ledger.lvHits();
            misses += ledger.lvMisses();
        }
        java.util.List<BufferPoolMetrics.SizeClass> classes = new java.util.ArrayList<>(freeLists.length);
        for (int i = 0; i < freeLists.length; i++) {
            classes.add(new BufferPoolMetrics.SizeClass(classCapacity(i), freeLists[i].size()));
        }
        return new BufferPoolMetrics(inUseBytes(), inUseCount(), retainedBytes(), maxRetainedBytes,
                allocatedBytes.sum(), allocatedCount.sum(), hits, misses, open.length, java.util.List.copyOf(classes));
    }

    /** {@return this pool's leak detector} Any thread. */
    public LeakDetector leakDetector() {
        return leakDetector;
    }

    /** {@return the smallest size class in bytes} Any thread. */
    public int minCapacity() {
        return minCapacity;
    }

    /** {@return the largest pooled size class in bytes} Any thread. */
    public int maxPooledCapacity() {
        return maxPooledCapacity;
    }

    /** {@return the cap on idle bytes this pool keeps} Any thread. */
    public long maxRetainedBytes() {
        return maxRetainedBytes;
    }

    @Override
    public String toString() {
        return "BufferPool#" + id;
    }

    // ---- package-private plumbing shared with BufferCache ----

    int cacheSizePerClass() {
        return cacheSizePerClass;
    }

    int classCount() {
        return freeLists.length;
    }

    /** Size class index of a request, or -1 if it is served unpooled. */
    int classIndex(int minCapacity) {
        if (minCapacity <= 0) {
            throw new IllegalArgumentException("minCapacity must be positive: " + minCapacity);
        }
        if (minCapacity > maxPooledCapacity) {
            return -1;
        }
        if (minCapacity <= this.minCapacity) {
            return 0;
        }
        return 32 - Integer.numberOfLeadingZeros(minCapacity - 1) - minShift;
    }

    int classCapacity(int sizeClass) {
        return minCapacity << sizeClass;
    }

    private PooledBuffer allocate(int sizeClass, int capacity) {
        PooledBuffer buffer = new PooledBuffer(this, sizeClass, capacity);
        allocatedBytes.add(capacity);
        allocatedCount.increment();
        return buffer;
    }

    /**
     * A handle from the shared free list of {@code sizeClass} (or a new one; unpooled when
     * {@code sizeClass < 0}), flipped to in use with a CAS. Counts it out of the shared retained
     * bytes but not into any in-use figure: that is the caller's.
     */
    PooledBuffer obtain(int sizeClass, int minCapacity) {
        PooledBuffer buffer;
        if (sizeClass < 0) {
            buffer = allocate(-1, minCapacity);
        } else {
            buffer = freeLists[sizeClass].poll();
            if (buffer == null) {
                buffer = allocate(sizeClass, classCapacity(sizeClass));
            } else {
                sharedRetainedBytes.add(-buffer.capacity());
            }
        }
        buffer.markInUse();
        return buffer;
    }

    /** Throws if {@code buffer} is null or belongs to another pool; {@code via} names the cache, if any. */
    void checkOwnPool(PooledBuffer buffer, BufferCache via) {
        Objects.requireNonNull(buffer, "buffer");
        if (buffer.pool() != this) {
            throw new IllegalStateException("buffer from " + buffer.pool() + " released to "
                    + (via == null ? this : "a cache of " + this) + ": " + buffer);
        }
    }

    /**
     * Stops tracking a released buffer. The caller must keep {@code buffer} reachable until this
     * returns, so that the collector cannot enqueue its leak record before the record left the
     * live set (reachabilityFence).
     */
    static void untrack(PooledBuffer buffer) {
        LeakDetector.Record record = buffer.leakRecord;
        if (record != null) {
            buffer.leakRecord = null;
            LeakDetector.untrack(record);
        }
    }

    /**
     * Uncounts a released buffer that did not come back to the cache that lent it (or that the
     * pool lent): the shared adders, and the lending cache's own figure if a cache lent it.
     */
    void uncountSharedPath(PooledBuffer buffer) {
        int capacity = buffer.capacity();
        inUseBytes.add(-capacity);
        inUseCount.decrement();
        CacheLedger lender = buffer.lender;
        if (lender != null) {
            lender.releasedElsewhere(capacity);
        }
    }

    /** Puts a free pooled chunk on its shared list, or drops it if the cap or the list is full. */
    void offerShared(PooledBuffer buffer) {
        int capacity = buffer.capacity();
        if (sharedRetainedBytes.sum() + lvCacheCredit() + capacity > maxRetainedBytes) {
            return;
        }
        sharedRetainedBytes.add(capacity);
        if (!freeLists[buffer.sizeClass].offer(buffer)) {
            sharedRetainedBytes.add(-capacity);
        }
    }

    /**
     * Grants a cache {@code bytes} more of the retained cap, if the shared lists and the credit
     * already granted leave room. Called only when a cache's stacks outgrow its credit.
     */
    boolean grantCredit(long bytes) {
        for (;;) {
            long credit = lvCacheCredit();
            if (sharedRetainedBytes.sum() + credit + bytes > maxRetainedBytes) {
                return false;
            }
            if (casCacheCredit(credit, credit + bytes)) {
                return true;
            }
        }
    }

    /** A closing cache hands its credit back. */
    void returnCredit(long bytes) {
        CACHE_CREDIT.getAndAdd(this, -bytes);
    }

    private long lvCacheCredit() {
        return (long) CACHE_CREDIT.getVolatile(this);
    }

    private boolean casCacheCredit(long expected, long next) {
        return CACHE_CREDIT.compareAndSet(this, expected, next);
    }

    /** Adds an opening cache's ledger to the figures. Any thread; rare (once per cache opening). */
    CacheLedger register(CacheLedger ledger) {
        synchronized (registryLock) {
            CacheLedger[] open = ledgers;
            CacheLedger[] next = Arrays.copyOf(open, open.length + 1);
            next[open.length] = ledger;
            ledgers = next;
        }
        return ledger;
    }

    /**
     * Folds a closing cache's in-use figures into the shared adders, then drops its ledger. Folded
     * before dropped, so a concurrent reader may count it twice for a moment, never miss it. The
     * caller has emptied its stacks and returned its credit already.
     */
    void retire(CacheLedger ledger) {
        synchronized (registryLock) {
            inUseBytes.add(ledger.lvInUseBytes());
            inUseCount.add(ledger.lvInUseCount());
            retiredCacheHits.add(ledger.lvHits());
            retiredCacheMisses.add(ledger.lvMisses());
            CacheLedger[] open = ledgers;
            int at = -1;
            for (int i = 0; i < open.length; i++) {
                if (open[i] == ledger) {
                    at = i;
                    break;
                }
            }
            if (at < 0) {
                throw new IllegalStateException("cache ledger not registered with " + this);
            }
            CacheLedger[] next = new CacheLedger[open.length - 1];
            System.arraycopy(open, 0, next, 0, at);
            System.arraycopy(open, at + 1, next, at, open.length - at - 1);
            ledgers = next;
        }
    }

    /** Caches open on this pool now (for tests). */
    int openCaches() {
        return ledgers.length;
    }

    /** The shared path's in-use bytes alone, without the caches' (for tests). */
    long sharedInUseBytes() {
        return inUseBytes.sum();
    }

    /** Bytes on the shared free lists alone (for tests). */
    long sharedRetainedBytes() {
        return sharedRetainedBytes.sum();
    }

    /** Credit held by the open caches (for tests). */
    long cacheCredit() {
        return lvCacheCredit();
    }

    /**
     * A tracked buffer was garbage-collected in use: its memory is gone, stop counting it, as a
     * release elsewhere would.
     */
    void onLeak(int capacity, CacheLedger lender) {
        inUseBytes.add(-capacity);
        inUseCount.decrement();
        if (lender != null) {
            lender.releasedElsewhere(capacity);
        }
    }

    /**
     * Builds a {@link BufferPool}. Not thread-safe.
     */
    public static final class Builder {
        private int minCapacity = DEFAULT_MIN_CAPACITY;
        private int maxPooledCapacity = DEFAULT_MAX_POOLED_CAPACITY;
        private long maxRetainedBytes = DEFAULT_MAX_RETAINED_BYTES;
        private int cacheSizePerClass = DEFAULT_CACHE_SIZE_PER_CLASS;
        private LeakDetector.Level leakDetection;

        private Builder() {
        }

        /**
         * Sets the smallest size class; default 256 bytes.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param bytes a power of two
         * @return this builder
         */
        public Builder minCapacity(int bytes) {
            requirePowerOfTwo("minCapacity", bytes);
            this.minCapacity = bytes;
            return this;
        }

        /**
         * Sets the largest pooled size class; larger requests are unpooled. Default 4 MiB.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param bytes a power of two, at most 2^30
         * @return this builder
         */
        public Builder maxPooledCapacity(int bytes) {
            requirePowerOfTwo("maxPooledCapacity", bytes);
            this.maxPooledCapacity = bytes;
            return this;
        }

        /**
         * Sets the cap on idle bytes the pool keeps; default 64 MiB.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param bytes the cap, 0 or more
         * @return this builder
         */
        public Builder maxRetainedBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxRetainedBytes must not be negative: " + bytes);
            }
            this.maxRetainedBytes = bytes;
            return this;
        }

        /**
         * Sets how many chunks each {@link BufferCache} keeps per size class; default 16.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param chunks 0 or more
         * @return this builder
         */
        public Builder cacheSizePerClass(int chunks) {
            if (chunks < 0) {
                throw new IllegalArgumentException("cacheSizePerClass must not be negative: " + chunks);
            }
            this.cacheSizePerClass = chunks;
            return this;
        }

        /**
         * Sets the leak detection level; default from the system property
         * {@code io.gnetj.leakDetection}, else SIMPLE.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param level the level
         * @return this builder
         */
        public Builder leakDetection(LeakDetector.Level level) {
            this.leakDetection = Objects.requireNonNull(level, "level");
            return this;
        }

        /**
         * {@return the pool} One thread at a time: a builder is not thread-safe.
         *
         * @throws IllegalArgumentException if {@code maxPooledCapacity < minCapacity}
         */
        public BufferPool build() {
            if (maxPooledCapacity < minCapacity) {
                throw new IllegalArgumentException("maxPooledCapacity " + maxPooledCapacity
                        + " is below minCapacity " + minCapacity);
            }
            return new BufferPool(this);
        }

        private static void requirePowerOfTwo(String what, int bytes) {
            if (bytes <= 0 || Integer.bitCount(bytes) != 1 || bytes > (1 << 30)) {
                throw new IllegalArgumentException(what + " must be a power of two in [1, 2^30]: " + bytes);
            }
        }
    }
}
