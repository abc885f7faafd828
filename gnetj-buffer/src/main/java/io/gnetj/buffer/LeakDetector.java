package io.gnetj.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds pooled buffers that became unreachable without being released, and reports them: with the
 * stack of the {@code take} that lent them at {@link Level#SAMPLED} and {@link Level#PARANOID},
 * with their size, pool and taking thread only at {@link Level#SIMPLE}.
 *
 * <p>Levels, from cheapest:
 * <ul>
 *   <li>{@link Level#DISABLED}: nothing tracked, nothing paid.
 *   <li>{@link Level#SIMPLE} (the default): about one take in 128 is tracked, without capturing a
 *       stack. A leak is still found and reported (size, pool, thread), and the report says to run
 *       with {@code -Dio.gnetj.leakDetection=paranoid} to learn where. An untracked take through a
 *       {@link BufferCache} pays one decrement of the cache's own countdown; through the pool, one
 *       thread-local random draw. Neither touches shared memory.
 *   <li>{@link Level#SAMPLED}: as SIMPLE, and a tracked take also captures its stack (a
 *       {@link Throwable}: microseconds, and garbage).
 *   <li>{@link Level#PARANOID}: every take tracked with its stack; for tests (gnetj's own run at
 *       this level).
 * </ul>
 *
 * <p>Tracked buffers carry a weak reference. When the garbage collector clears one that was never
 * released, the next {@link #collect()} (run by the pools on every tracked take, or by anyone) logs
 * it through {@link System.Logger} at ERROR and counts it. The sampling is random (intervals drawn
 * uniformly from 1 to 255 takes), so a workload with a fixed pattern of takes cannot hide a leaking
 * kind of take from it.
 *
 * <p>How: a tracked take creates a {@code Record}, a {@link WeakReference} to the
 * {@link PooledBuffer} handle registered on one JVM-wide {@link ReferenceQueue}, and puts the
 * record in a JVM-wide live set (which keeps the record itself reachable). Release removes it from
 * the set and clears it. A record that reaches the queue and is still in the set was never
 * released: a leak. Its memory is gone with the handle (pools never hold in-use handles), so the
 * leak is only reported and subtracted from its pool's in-use counters. Idea as in Netty's
 * {@code ResourceLeakDetector}; the code is gnetj's own.
 *
 * <p>Threading: any thread. The live set is a concurrent set, the queue is the JDK's, and the leak
 * counter is updated with a {@link VarHandle} add.
 */
public final class LeakDetector {

    /** The system property that sets {@link #defaultLevel()}. */
    public static final String LEVEL_PROPERTY = "io.gnetj.leakDetection";

    /** How many buffers are tracked, and what is recorded for each. */
    public enum Level {
        /** None: no cost. */
        DISABLED,
        /** About one buffer in 128, without a stack trace: the production default. */
        SIMPLE,
        /** About one buffer in 128, with the stack trace of its take. */
        SAMPLED,
        /** Every buffer, with the stack trace of its take: for tests. */
        PARANOID;

        /**
         * Parses {@code disabled}, {@code simple}, {@code sampled} or {@code paranoid}, ignoring
         * case and surrounding blanks. Any thread.
         *
         * @param name the level's name
         * @return the level
         * @throws IllegalArgumentException for any other name
         */
        public static Level parse(String name) {
            switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "disabled": return DISABLED;
                case "simple": return SIMPLE;
                case "sampled": return SAMPLED;
                case "paranoid": return PARANOID;
                default:
                    throw new IllegalArgumentException("unknown leak detection level '" + name
                            + "' (want disabled, simple, sampled or paranoid)");
            }
        }
    }

    /** At SIMPLE and SAMPLED one take in about 2^7 is tracked. */
    static final int SAMPLE_INTERVAL = 128;
    /** The pool's own draw: one take in exactly 2^7 on average. */
    static final int SAMPLE_MASK = SAMPLE_INTERVAL - 1;

    private static final System.Logger LOG = System.getLogger(LeakDetector.class.getName());
    private static final ReferenceQueue<PooledBuffer> QUEUE = new ReferenceQueue<>();
    private static final Set<Record> LIVE = ConcurrentHashMap.newKeySet();
    private static final VarHandle TOTAL_LEAKS;
    private static final VarHandle TRACKED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TOTAL_LEAKS = lookup.findStaticVarHandle(LeakDetector.class, "totalLeaks", long.class);
            TRACKED = lookup.findVarHandle(LeakDetector.class, "tracked", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through TOTAL_LEAKS
    private static volatile long totalLeaks;

    private final Level level;
    @SuppressWarnings("unused") // accessed through TRACKED
    private volatile long tracked;

    LeakDetector(Level level) {
        this.level = level;
    }

    /**
     * {@return the level a pool gets by default: the system property {@code io.gnetj.leakDetection}
     * ({@code disabled}, {@code simple}, {@code sampled} or {@code paranoid}), else SIMPLE} An
     * unknown name is logged at WARNING and SIMPLE used. Any thread.
     */
    public static Level defaultLevel() {
        String value = System.getProperty(LEVEL_PROPERTY);
        if (value == null || value.isBlank()) {
            return Level.SIMPLE;
        }
        try {
            return Level.parse(value);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; using SIMPLE");
            return Level.SIMPLE;
        }
    }

    /**
     * Reports every leak found since the last call (in any pool).
     * Any thread; concurrent calls each report different leaks.
     *
     * @return how many leaks were found by this call
     */
    public static int collect() {
        int found = 0;
        Reference<? extends PooledBuffer> ref;
        while ((ref = QUEUE.poll()) != null) {
            Record record = (Record) ref;
            // Not in the live set: released (possibly racing with the collector), not leaked.
            if (LIVE.remove(record)) {
                found++;
                record.reportLeak();
            }
        }
        if (found > 0) {
            TOTAL_LEAKS.getAndAdd((long) found);
        }
        return found;
    }

    /** {@return the leaks reported so far in this JVM, by every pool} Any thread. */
    public static long totalLeaks() {
        return (long) TOTAL_LEAKS.getVolatile();
    }

    /** {@return this detector's level} Any thread. */
    public Level level() {
        return level;
    }

    /** Takes tracked by this detector so far (for tests and diagnostics). */
    long trackedCount() {
        return (long) TRACKED.getVolatile(this);
    }

    /** Decides whether a take through the pool is tracked; allocation-free when it is not. */
    boolean shouldTrack() {
        switch (level) {
            case DISABLED: return false;
            case PARANOID: return true;
            default: return (ThreadLocalRandom.current().nextInt() & SAMPLE_MASK) == 0;
        }
    }

    /**
     * How many takes a {@link BufferCache} lets pass until it tracks one (this one included): 1 at
     * PARANOID, uniform in [1, 2 * 128 - 1] (mean 128) at SIMPLE and SAMPLED, and
     * {@link Integer#MAX_VALUE} at DISABLED (the cache then re-arms without tracking). Drawn only
     * when a countdown runs out, so an untracked take costs a decrement.
     */
    int nextSampleCountdown() {
        switch (level) {
            case DISABLED: return Integer.MAX_VALUE;
            case PARANOID: return 1;
            default: return 1 + ThreadLocalRandom.current().nextInt(2 * SAMPLE_INTERVAL - 1);
        }
    }

    /**
     * Starts tracking a buffer being lent out (its {@link PooledBuffer#lender} already set); also
     * collects earlier leaks while it is here. At SIMPLE no stack is captured.
     */
    Record track(PooledBuffer buffer, BufferPool pool) {
        TRACKED.getAndAdd(this, 1L);
        TakenAt takenAt = level == Level.SIMPLE ? null : new TakenAt(buffer.capacity(), pool);
        Record record = new Record(buffer, pool, takenAt);
        LIVE.add(record);
        collect();
        return record;
    }

    /** Stops tracking a released buffer. */
    static void untrack(Record record) {
        LIVE.remove(record);
        record.clear();
    }

    /** Live tracked records in the JVM (for tests). */
    static int liveRecords() {
        return LIVE.size();
    }

    /**
     * A weak reference to one lending of a tracked handle, with the thread that took it and, above
     * SIMPLE, the stack of the take. Holds the pool, the lending cache's ledger and the capacity,
     * never the memory, so a leaked chunk is freed by the garbage collector.
     */
    static final class Record extends WeakReference<PooledBuffer> {
        private final BufferPool pool;
        private final CacheLedger lender;
        private final int capacity;
        private final String threadName;
        private final TakenAt takenAt;

        Record(PooledBuffer buffer, BufferPool pool, TakenAt takenAt) {
            super(buffer, QUEUE);
            this.pool = pool;
            this.lender = buffer.lender;
            this.capacity = buffer.capacity();
            this.threadName = Thread.currentThread().getName();
            this.takenAt = takenAt;
        }

        void reportLeak() {
            pool.onLeak(capacity, lender);
            Jfr.leakDetected(capacity, pool, threadName, takenAt);
            String what = "LEAK: a pooled buffer of " + capacity + " bytes from " + pool
                    + " was garbage-collected without being released";
            if (takenAt != null) {
                LOG.log(System.Logger.Level.ERROR, what + "; it was taken at:", takenAt);
            } else {
                LOG.log(System.Logger.Level.ERROR, what + "; it was taken on thread " + threadName
                        + ". To see where, run with -D" + LEVEL_PROPERTY + "=paranoid (every take"
                        + " recorded with its stack) or =sampled (one in about 128).");
            }
        }
    }

    /** The stack of a tracked take; never thrown, only logged. */
    static final class TakenAt extends Throwable {
        TakenAt(int capacity, BufferPool pool) {
            super("buffer of " + capacity + " bytes taken from " + pool
                    + " on thread " + Thread.currentThread().getName());
        }
    }
}
