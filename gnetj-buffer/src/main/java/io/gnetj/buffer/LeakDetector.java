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
 * Finds pooled buffers that became unreachable without being released, and reports where they
 * were taken.
 *
 * <p>Tracked buffers (every one at {@link Level#PARANOID}, about one in 128 at
 * {@link Level#SAMPLED}) carry a weak reference and the stack trace of their {@code take}. When
 * the garbage collector clears one that was never released, the next {@link #collect()} (run by
 * the pools on every tracked take, or by anyone) logs it through {@link System.Logger} at ERROR
 * and counts it.
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

    /** How many buffers are tracked. */
    public enum Level {
        /** None: no cost. */
        DISABLED,
        /** About one buffer in 128: the production default. */
        SAMPLED,
        /** Every buffer: for tests. */
        PARANOID;

        /**
         * Parses {@code disabled}, {@code sampled} or {@code paranoid}, ignoring case.
         *
         * @throws IllegalArgumentException for any other name
         */
        public static Level parse(String name) {
            switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "disabled": return DISABLED;
                case "sampled": return SAMPLED;
                case "paranoid": return PARANOID;
                default:
                    throw new IllegalArgumentException(
                            "unknown leak detection level '" + name + "' (want disabled, sampled or paranoid)");
            }
        }
    }

    /** One take in 2^7 is tracked at SAMPLED. */
    static final int SAMPLE_MASK = 127;

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

    /** The level a pool gets by default: system property {@code io.gnetj.leakDetection}, else SAMPLED. */
    public static Level defaultLevel() {
        String value = System.getProperty(LEVEL_PROPERTY);
        if (value == null || value.isBlank()) {
            return Level.SAMPLED;
        }
        try {
            return Level.parse(value);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; using SAMPLED");
            return Level.SAMPLED;
        }
    }

    /** Reports every leak found since the last call (in any pool); returns how many were found now. */
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

    /** Leaks reported so far in this JVM, by every pool. */
    public static long totalLeaks() {
        return (long) TOTAL_LEAKS.getVolatile();
    }

    /** This detector's level. */
    public Level level() {
        return level;
    }

    /** Takes tracked by this detector so far (for tests and diagnostics). */
    long trackedCount() {
        return (long) TRACKED.getVolatile(this);
    }

    /** Decides whether this take is tracked; allocation-free when it is not. */
    boolean shouldTrack() {
        switch (level) {
            case DISABLED: return false;
            case PARANOID: return true;
            default: return (ThreadLocalRandom.current().nextInt() & SAMPLE_MASK) == 0;
        }
    }

    /**
     * Starts tracking a buffer being lent out (its {@link PooledBuffer#lender} already set); also
     * collects earlier leaks while it is here.
     */
    Record track(PooledBuffer buffer, BufferPool pool) {
        TRACKED.getAndAdd(this, 1L);
        Record record = new Record(buffer, pool, new TakenAt(buffer.capacity(), pool));
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
     * A weak reference to one lending of a tracked handle, with where it was taken. Holds the
     * pool, the lending cache's ledger and the capacity, never the memory, so a leaked chunk is
     * freed by the garbage collector.
     */
    static final class Record extends WeakReference<PooledBuffer> {
        private final BufferPool pool;
        private final CacheLedger lender;
        private final int capacity;
        private final TakenAt takenAt;

        Record(PooledBuffer buffer, BufferPool pool, TakenAt takenAt) {
            super(buffer, QUEUE);
            this.pool = pool;
            this.lender = buffer.lender;
            this.capacity = buffer.capacity();
            this.takenAt = takenAt;
        }

        void reportLeak() {
            pool.onLeak(capacity, lender);
            LOG.log(System.Logger.Level.ERROR,
                    "LEAK: a pooled buffer of " + capacity + " bytes from " + pool
                            + " was garbage-collected without being released; it was taken at:",
                    takenAt);
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
