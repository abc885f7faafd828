package io.gnetj.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The pool's figures ({@link BufferPool#inUseBytes()}, {@link BufferPool#inUseCount()},
 * {@link BufferPool#retainedBytes()}) and each cache's {@link BufferCache#inUseBytes()} with caches
 * on several threads: exact once the threads are quiescent (their caches still open, then closed),
 * and safe to read from other threads while buffers move and caches open and close. Bounded: a
 * fixed number of cycles per thread, every wait at most 60 s.
 */
class BufferPoolFiguresConcurrencyTest {

    static final int THREADS = 4;
    static final int CYCLES = 20_000;
    static final int MAX_HELD = 6;

    /** A pool that never drops a chunk here: room for everything the threads can hold or free. */
    static BufferPool roomyPool() {
        return BufferPool.builder().minCapacity(64).maxPooledCapacity(4096).maxRetainedBytes(64L << 20)
                .cacheSizePerClass(4).leakDetection(LeakDetector.Level.DISABLED).build();
    }

    @Test
    void figuresAreExactAtQuiescenceWithCachesOfSeveralThreads() throws Exception {
        BufferPool pool = roomyPool();
        BufferCache[] caches = new BufferCache[THREADS];
        // Which cache lent each outstanding buffer (-1: the pool), to know what each cache owes.
        Map<PooledBuffer, Integer> lentBy = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<PooledBuffer> handoff = new ConcurrentLinkedQueue<>();
        List<List<PooledBuffer>> heldAtEnd = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int me = t;
            List<PooledBuffer> held = new ArrayList<>();
            heldAtEnd.add(held);
            threads.add(new Thread(() -> {
                try {
                    BufferCache cache = pool.newCache();
                    caches[me] = cache;
                    SplittableRandom random = new SplittableRandom(42 + me);
                    for (int i = 0; i < CYCLES; i++) {
                        boolean viaCache = random.nextBoolean();
                        PooledBuffer b = viaCache ? cache.take(1 + random.nextInt(4096)) : pool.take(1 + random.nextInt(4096));
                        lentBy.put(b, viaCache ? me : -1);
                        held.add(b);
                        if (held.size() > MAX_HELD || random.nextInt(3) == 0) {
                            PooledBuffer victim = held.remove(random.nextInt(held.size()));
                            if (random.nextInt(8) == 0) {
                                handoff.add(victim); // some other thread releases it
                                continue;
                            }
                            release(victim, random.nextBoolean() ? cache : pool, lentBy);
                        }
                        PooledBuffer foreign = handoff.poll();
                        if (foreign != null) {
                            release(foreign, random.nextBoolean() ? cache : pool, lentBy);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "figures-" + t));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(thread.isAlive()).as("%s finished in time", thread.getName()).isFalse();
        }
        if (failure.get() != null) {
            throw new AssertionError("a thread failed", failure.get());
        }

        // Quiescent, caches still open: every figure is exact.
        long outstandingBytes = 0;
        long[] owedByCache = new long[THREADS];
        for (Map.Entry<PooledBuffer, Integer> e : lentBy.entrySet()) {
            outstandingBytes += e.getKey().capacity();
            if (e.getValue() >= 0) {
                owedByCache[e.getValue()] += e.getKey().capacity();
            }
        }
        assertThat(pool.openCaches()).isEqualTo(THREADS);
        assertThat(pool.inUseBytes()).isEqualTo(outstandingBytes);
        assertThat(pool.inUseCount()).isEqualTo(lentBy.size());
        for (int t = 0; t < THREADS; t++) {
            assertThat(caches[t].inUseBytes()).as("bytes cache %d lent and nobody released", t).isEqualTo(owedByCache[t]);
        }
        assertThat(pool.retainedBytes()).as("nothing dropped: all memory is lent or retained")
                .isEqualTo(pool.allocatedBytes() - outstandingBytes);

        // Give everything back from this thread (the owners have ended) and close their caches.
        for (PooledBuffer b : lentBy.keySet()) {
            pool.release(b);
        }
        for (BufferCache cache : caches) {
            cache.close();
        }
        assertThat(pool.openCaches()).isZero();
        assertThat(pool.cacheCredit()).isZero();
        assertThat(pool.inUseBytes()).isZero();
        assertThat(pool.inUseCount()).isZero();
        assertThat(pool.retainedBytes()).isEqualTo(pool.allocatedBytes());
    }

    static void release(PooledBuffer b, BufferAllocator to, Map<PooledBuffer, Integer> lentBy) {
        // Out of the map before the release: once released, another thread may take it again.
        lentBy.remove(b);
        to.release(b);
    }

    @Test
    void figuresAreSafeToReadWhileBuffersMoveAndCachesOpenAndClose() throws Exception {
        BufferPool pool = roomyPool();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(3);
        BufferCache[] workerCaches = new BufferCache[2];
        for (int w = 0; w < 2; w++) {
            int me = w;
            workerCaches[w] = pool.newCache();
            new Thread(() -> {
                try {
                    BufferCache cache = workerCaches[me];
                    SplittableRandom random = new SplittableRandom(7 + me);
                    List<PooledBuffer> held = new ArrayList<>();
                    for (int i = 0; i < CYCLES * 5 && failure.get() == null; i++) {
                        held.add(random.nextBoolean() ? cache.take(1 + random.nextInt(4096)) : pool.take(64));
                        if (held.size() > MAX_HELD) {
                            PooledBuffer victim = held.remove(random.nextInt(held.size()));
                            if (random.nextBoolean()) {
                                cache.release(victim);
                            } else {
                                pool.release(victim);
                            }
                        }
                        if ((i & 1023) == 0) {
                            // a short-lived cache: opens, lends, closes, while others read
                            try (BufferCache brief = pool.newCache()) {
                                brief.release(brief.take(128));
                                held.add(brief.take(256));
                            }
                        }
                    }
                    held.forEach(pool::release);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }, "mover-" + w).start();
        }
        long[] reads = new long[1];
        new Thread(() -> {
            try {
                while (!stop.get()) {
                    pool.inUseBytes();
                    pool.inUseCount();
                    pool.retainedBytes();
                    workerCaches[0].inUseBytes();
                    workerCaches[1].inUseBytes();
                    reads[0]++;
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                done.countDown();
            }
        }, "reader").start();
        // Both movers and the reader count down; stop the reader once the movers are through.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (done.getCount() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        stop.set(true);
        assertThat(done.await(10, TimeUnit.SECONDS)).as("movers and reader finished in time").isTrue();
        if (failure.get() != null) {
            throw new AssertionError("a thread failed", failure.get());
        }
        assertThat(reads[0]).as("the reader ran").isPositive();
        assertThat(pool.inUseBytes()).isZero();
        assertThat(pool.inUseCount()).isZero();
        assertThat(workerCaches[0].inUseBytes()).isZero();
        assertThat(workerCaches[1].inUseBytes()).isZero();
        workerCaches[0].close();
        workerCaches[1].close();
        assertThat(pool.openCaches()).isZero();
        assertThat(pool.retainedBytes()).isEqualTo(pool.allocatedBytes());
    }

    @Test
    void anotherThreadSeesAnOwnersFiguresWithoutSynchronizingWithIt() throws Exception {
        BufferPool pool = roomyPool();
        BufferCache cache = pool.newCache();
        AtomicBoolean seen = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread owner = new Thread(() -> {
            try {
                PooledBuffer a = cache.take(1000);
                PooledBuffer b = cache.take(3000);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!seen.get() && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // holds a and b, publishes nothing but its own counters
                }
                cache.release(a);
                cache.release(b);
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, "owner");
        owner.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!(pool.inUseBytes() == 1024 + 4096 && cache.inUseBytes() == 1024 + 4096)
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(pool.inUseBytes()).isEqualTo(1024 + 4096);
        assertThat(pool.inUseCount()).isEqualTo(2);
        assertThat(cache.inUseBytes()).isEqualTo(1024 + 4096);
        seen.set(true);
        owner.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(owner.isAlive()).isFalse();
        if (failure.get() != null) {
            throw new AssertionError("the owner failed", failure.get());
        }
        assertThat(pool.inUseBytes()).isZero();
        assertThat(pool.retainedBytes()).isEqualTo(1024 + 4096);
        cache.close();
    }
}
