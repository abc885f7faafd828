package io.gnetj.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
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
 * The cap is checked against a sum that concurrent releases update, so racing releases may
 * overshoot it by a chunk each.
 *
 * <p>Handles ({@link PooledBuffer}) are recycled with their memory, so a steady state of take and
 * release allocates nothing (unless the leak detector tracks the take). A free list holds only free
 * handles: queues null their slot on poll, caches null theirs on pop.
 *
 * <p>Counters are {@link LongAdder}s: cheap under contention, exact when read at quiescence.
 *
 * <p>Leak detection: each take the pool's {@link LeakDetector} decides to track (every one at
 * PARANOID, about 1 in 128 at SAMPLED, none at DISABLED) records where it was taken and also runs
 * {@link LeakDetector#collect()}, so leaks are reported without anyone polling; untracked takes
 * pay one random draw (SAMPLED) or nothing (DISABLED).
 *
 * <p>Threading: every method is safe from any thread and lock-free (the free lists are the
 * {@code org.jctools.queues.atomic} variants, which need no {@code sun.misc.Unsafe}).
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

    private static final VarHandle NEXT_ID;

    static {
        try {
            NEXT_ID = MethodHandles.lookup().findStaticVarHandle(BufferPool.class, "nextId", int.class);
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

    private final LongAdder inUseBytes = new LongAdder();
    private final LongAdder inUseCount = new LongAdder();
    private final LongAdder retainedBytes = new LongAdder();
    private final LongAdder allocatedBytes = new LongAdder();

    @SuppressWarnings("unchecked")
    private BufferPool(Builder b) {
        this.id = (int) NEXT_ID.getAndAdd(1) + 1;
        this.minCapacity = b.minCapacity;
        this.minShift = Integer.numberOfTrailingZeros(b.minCapacity);
        this.maxPooledCapacity = b.maxPooledCapacity;
        this.maxRetainedBytes = b.maxRetainedBytes;
        this.cacheSizePerClass = b.cacheSizePerClass;
        int classes = Integer.numberOfTrailingZeros(maxPooledCapacity) - minShift + 1;
        this.freeLists = new MpmcAtomicArrayQueue[classes];
        for (int i = 0; i < classes; i++) {
            long fit = maxRetainedBytes / classCapacity(i);
            freeLists[i] = new MpmcAtomicArrayQueue<>((int) Math.max(2, Math.min(fit, MAX_QUEUE_CAPACITY)));
        }
        this.leakDetector = new LeakDetector(b.leakDetection == null ? LeakDetector.defaultLevel() : b.leakDetection);
    }

    /** A new builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A pool with every default. */
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
        int sizeClass = classIndex(minCapacity);
        if (sizeClass < 0) {
            return lend(allocate(-1, minCapacity));
        }
        PooledBuffer buffer = freeLists[sizeClass].poll();
        if (buffer == null) {
            buffer = allocate(sizeClass, classCapacity(sizeClass));
        } else {
            retainedBytes.add(-buffer.capacity());
        }
        return lend(buffer);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Any thread, not only the taker's. Pooled chunks go to the shared free list unless the
     * retained cap is reached; unpooled ones are dropped.
     */
    @Override
    public void release(PooledBuffer buffer) {
        markReleased(buffer, null);
        if (buffer.isPooled()) {
            offerShared(buffer);
        }
        // Keep the handle strongly reachable until its leak record is gone (see markReleased).
        Reference.reachabilityFence(buffer);
    }

    @Override
    public BufferPool pool() {
        return this;
    }

    /** A cache for the calling thread to own; see {@link BufferCache}. */
    public BufferCache newCache() {
        return new BufferCache(this);
    }

    /**
     * The capacity a request of {@code minCapacity} bytes is rounded up to: the size class, or
     * {@code minCapacity} itself above {@code maxPooledCapacity} (unpooled).
     *
     * @throws IllegalArgumentException if {@code minCapacity} is not positive
     */
    public int sizeClassOf(int minCapacity) {
        int sizeClass = classIndex(minCapacity);
        return sizeClass < 0 ? minCapacity : classCapacity(sizeClass);
    }

    /** Bytes of direct memory currently lent out (taken and not yet released). */
    public long inUseBytes() {
        return inUseBytes.sum();
    }

    /** Buffers currently lent out. */
    public long inUseCount() {
        return inUseCount.sum();
    }

    /** Bytes of idle memory held for reuse (shared free lists plus caches). */
    public long retainedBytes() {
        return retainedBytes.sum();
    }

    /** Total bytes of direct memory this pool has ever allocated (monotonic). */
    public long allocatedBytes() {
        return allocatedBytes.sum();
    }

    /** This pool's leak detector. */
    public LeakDetector leakDetector() {
        return leakDetector;
    }

    /** Smallest size class in bytes. */
    public int minCapacity() {
        return minCapacity;
    }

    /** Largest pooled size class in bytes. */
    public int maxPooledCapacity() {
        return maxPooledCapacity;
    }

    /** Cap on idle bytes this pool keeps. */
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
        return buffer;
    }

    /** Hands a free handle to a new owner: flips its state, counts it, maybe tracks it. */
    PooledBuffer lend(PooledBuffer buffer) {
        buffer.markInUse();
        inUseBytes.add(buffer.capacity());
        inUseCount.increment();
        if (leakDetector.shouldTrack()) {
            buffer.leakRecord = leakDetector.track(buffer, this);
        }
        return buffer;
    }

    /**
     * Checks ownership, flips the handle to free (exactly once), untracks it and uncounts it.
     * The caller must keep {@code buffer} reachable until this returns, so that the collector
     * cannot enqueue its leak record before the record left the live set (reachabilityFence).
     */
    void markReleased(PooledBuffer buffer, BufferCache via) {
        Objects.requireNonNull(buffer, "buffer");
        if (buffer.pool() != this) {
            throw new IllegalStateException("buffer from " + buffer.pool() + " released to "
                    + (via == null ? this : "a cache of " + this) + ": " + buffer);
        }
        buffer.markFree();
        LeakDetector.Record record = buffer.leakRecord;
        if (record != null) {
            buffer.leakRecord = null;
            LeakDetector.untrack(record);
        }
        inUseBytes.add(-buffer.capacity());
        inUseCount.decrement();
    }

    /** Whether keeping {@code bytes} more idle bytes stays within the cap. */
    boolean hasRoomFor(int bytes) {
        return retainedBytes.sum() + bytes <= maxRetainedBytes;
    }

    void addRetained(long bytes) {
        retainedBytes.add(bytes);
    }

    /** Puts a free pooled chunk on its shared list, or drops it if the cap or the list is full. */
    void offerShared(PooledBuffer buffer) {
        int capacity = buffer.capacity();
        if (!hasRoomFor(capacity)) {
            return;
        }
        retainedBytes.add(capacity);
        if (!freeLists[buffer.sizeClass].offer(buffer)) {
            retainedBytes.add(-capacity);
        }
    }

    /** A tracked buffer was garbage-collected in use: its memory is gone, stop counting it. */
    void onLeak(int capacity) {
        inUseBytes.add(-capacity);
        inUseCount.decrement();
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

        /** Smallest size class (power of two); default 256 bytes. */
        public Builder minCapacity(int bytes) {
            requirePowerOfTwo("minCapacity", bytes);
            this.minCapacity = bytes;
            return this;
        }

        /** Largest pooled size class (power of two, at most 2^30); larger requests are unpooled. Default 4 MiB. */
        public Builder maxPooledCapacity(int bytes) {
            requirePowerOfTwo("maxPooledCapacity", bytes);
            this.maxPooledCapacity = bytes;
            return this;
        }

        /** Cap on idle bytes the pool keeps; default 64 MiB. */
        public Builder maxRetainedBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxRetainedBytes must not be negative: " + bytes);
            }
            this.maxRetainedBytes = bytes;
            return this;
        }

        /** Chunks each {@link BufferCache} keeps per size class; default 16. */
        public Builder cacheSizePerClass(int chunks) {
            if (chunks < 0) {
                throw new IllegalArgumentException("cacheSizePerClass must not be negative: " + chunks);
            }
            this.cacheSizePerClass = chunks;
            return this;
        }

        /** Leak detection level; default from the system property {@code io.gnetj.leakDetection}, else SAMPLED. */
        public Builder leakDetection(LeakDetector.Level level) {
            this.leakDetection = Objects.requireNonNull(level, "level");
            return this;
        }

        /**
         * The pool.
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
