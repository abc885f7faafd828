package io.gnetj.buffer;

import io.gnetj.buffer.testing.ConcurrencyCheck;
import io.gnetj.buffer.testing.Ownership;
import java.util.List;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Take and release across threads, checked by Lincheck (see {@link ConcurrencyCheck}): threads
 * take from and release to the pool, one owner thread does the same through its
 * {@link BufferCache} (and closes it, which reopens on next use), buffers cross between threads
 * through a mailbox and are released on the other side through the pool or the cache, and two
 * threads race to release one buffer. Verdicts:
 * <ul>
 *   <li>no handle is ever held by two owners at once ({@link Ownership} refuses the claim);
 *   <li>of racing releases of one buffer, exactly one succeeds and the others throw;
 *   <li>a second release by the owner, through its cache or the pool, throws;
 *   <li>once the threads are quiescent, {@link BufferPool#inUseBytes()},
 *       {@link BufferPool#inUseCount()} and {@link BufferCache#inUseBytes()} equal what the
 *       threads hold, retained memory stays within the cap (give or take the chunks of racing
 *       releases) and is never more than what is not lent, and after everything is released and
 *       the cache closed every figure is back to zero.
 * </ul>
 */
@Tag(ConcurrencyCheck.TAG)
class BufferPoolConcurrencyCheckTest {

    /** Scenarios and interleavings (or runs) of each, in the short run; the long run does more. */
    static final int SCENARIOS = 30;
    static final int INVOCATIONS = 300;

    @Test
    void modelCheckingFindsNoInterleavingThatBreaksTheRules() {
        ConcurrencyCheck.modelChecking(SCENARIOS, INVOCATIONS)
                .threads(3).actorsPerThread(3)
                .check(Model.class);
    }

    @Test
    void stressFindsNoRunThatBreaksTheRules() {
        ConcurrencyCheck.stress(SCENARIOS, INVOCATIONS * 3)
                .threads(3).actorsPerThread(4)
                .check(Model.class);
    }

    /**
     * The state Lincheck builds for each run, and what threads may do with it. Size classes: 256
     * and 512 for ordinary takes; 1024 only for the contested buffer and 2048 only for the owner's
     * double release, so no other take can be handed one of those chunks between two releases
     * (which would make the second release legitimately succeed).
     */
    public static final class Model {
        /** The holder id of buffers in transit between threads. */
        static final int MAILBOX = -1;
        /** Buffers a thread holds at most. */
        static final int MAX_HELD = 2;
        static final long MAX_RETAINED = 2048;
        static final int LARGEST = 2048;

        final BufferPool pool = BufferPool.builder().minCapacity(256).maxPooledCapacity(LARGEST)
                .maxRetainedBytes(MAX_RETAINED).cacheSizePerClass(1)
                .leakDetection(LeakDetector.Level.DISABLED).build();
        /** Used by the "owner" operations only, which Lincheck runs on one thread. */
        final BufferCache cache = pool.newCache();
        final Ownership<PooledBuffer> owners = new Ownership<>();
        /** Taken here, held by nobody: threads race to release it. */
        final PooledBuffer contested = pool.take(1024);
        final Ownership<String> contestedWinner = new Ownership<>();

        public Model() {
        }

        // ---- any thread ----

        @Operation
        public void take(@Param(gen = ThreadIdGen.class) int me, @Param(gen = IntGen.class, conf = "1:2") int units) {
            if (owners.count(me) < MAX_HELD) {
                owners.claim(me, pool.take(units * 256));
            }
        }

        @Operation
        public void release(@Param(gen = ThreadIdGen.class) int me) {
            PooledBuffer b = owners.giveUpOldest(me);
            if (b != null) {
                pool.release(b);
            }
        }

        /** Hands the buffer this thread got last to whichever thread collects it. */
        @Operation
        public void post(@Param(gen = ThreadIdGen.class) int me) {
            PooledBuffer b = owners.giveUpLatest(me);
            if (b != null) {
                owners.claim(MAILBOX, b);
            }
        }

        /** Releases a buffer another thread posted, through the pool: a cross-thread release. */
        @Operation
        public void collectAndRelease() {
            PooledBuffer b = owners.giveUpOldest(MAILBOX);
            if (b != null) {
                pool.release(b);
            }
        }

        /** Races the other threads to release {@link #contested}: one wins, the rest must throw. */
        @Operation
        public void releaseContested(@Param(gen = ThreadIdGen.class) int me) {
            try {
                pool.release(contested);
            } catch (IllegalStateException expected) {
                return;
            }
            contestedWinner.claim(me, "contested"); // a second winner fails here
        }

        // ---- the cache's owner thread ----

        @Operation(nonParallelGroup = "owner")
        public void ownerTake(@Param(gen = ThreadIdGen.class) int me, @Param(gen = IntGen.class, conf = "1:2") int units) {
            if (owners.count(me) < MAX_HELD) {
                owners.claim(me, cache.take(units * 256));
            }
        }

        /** Releases through the cache what the owner holds: lent by the cache, or by the pool. */
        @Operation(nonParallelGroup = "owner")
        public void ownerRelease(@Param(gen = ThreadIdGen.class) int me) {
            PooledBuffer b = owners.giveUpOldest(me);
            if (b != null) {
                cache.release(b);
            }
        }

        /** Releases through the cache a buffer another thread posted (lent by anyone). */
        @Operation(nonParallelGroup = "owner")
        public void ownerCollectAndRelease() {
            PooledBuffer b = owners.giveUpOldest(MAILBOX);
            if (b != null) {
                cache.release(b);
            }
        }

        /** Takes a chunk through the cache and releases it twice, through the cache and the pool. */
        @Operation(nonParallelGroup = "owner")
        public void ownerReleaseTwice() {
            PooledBuffer b = cache.take(LARGEST);
            cache.release(b);
            expectDoubleReleaseRefused(cache, b);
            expectDoubleReleaseRefused(pool, b);
        }

        /** Closes the cache while other threads may release what it lent; the next owner operation reopens it. */
        @Operation(nonParallelGroup = "owner")
        public void ownerClose() {
            cache.close();
        }

        // ---- quiescence ----

        @Validate
        public void figuresAreExactAtQuiescence() {
            List<PooledBuffer> out = owners.holdings();
            boolean contestedOut = !contestedWinner.isHeld("contested");
            long bytes = contestedOut ? contested.capacity() : 0;
            long count = contestedOut ? 1 : 0;
            long cacheBytes = 0;
            CacheLedger opening = cache.ledger();
            for (PooledBuffer b : out) {
                bytes += b.capacity();
                count++;
                if (opening != null && b.lender == opening) {
                    cacheBytes += b.capacity();
                }
            }
            expectEqual("pool.inUseBytes()", bytes, pool.inUseBytes());
            expectEqual("pool.inUseCount()", count, pool.inUseCount());
            expectEqual("cache.inUseBytes()", cacheBytes, cache.inUseBytes());
            // Racing releases may each pass the cap check before any adds: up to a chunk per thread.
            expectAtMost("pool.retainedBytes()", MAX_RETAINED + 3L * LARGEST, pool.retainedBytes());
            expectAtMost("retained + in use", pool.allocatedBytes(), pool.retainedBytes() + pool.inUseBytes());

            for (PooledBuffer b : out) {
                pool.release(b);
            }
            if (contestedOut) {
                pool.release(contested);
                contestedWinner.claim(Integer.MIN_VALUE, "contested"); // released: a later validation must not count it
            }
            cache.close();
            expectEqual("pool.inUseBytes() after all released", 0, pool.inUseBytes());
            expectEqual("pool.inUseCount() after all released", 0, pool.inUseCount());
            expectEqual("cache.inUseBytes() after close", 0, cache.inUseBytes());
            expectEqual("open caches after close", 0, pool.openCaches());
            expectEqual("cache credit after close", 0, pool.cacheCredit());
            expectAtMost("pool.retainedBytes() after all released", pool.allocatedBytes(), pool.retainedBytes());
        }

        static void expectDoubleReleaseRefused(BufferAllocator to, PooledBuffer b) {
            try {
                to.release(b);
            } catch (IllegalStateException expected) {
                return;
            }
            throw new AssertionError("a second release through " + to + " was accepted: " + b);
        }

        static void expectEqual(String what, long expected, long actual) {
            if (expected != actual) {
                throw new AssertionError(what + " is " + actual + ", expected " + expected);
            }
        }

        static void expectAtMost(String what, long bound, long actual) {
            if (actual > bound) {
                throw new AssertionError(what + " is " + actual + ", more than " + bound);
            }
        }
    }
}
