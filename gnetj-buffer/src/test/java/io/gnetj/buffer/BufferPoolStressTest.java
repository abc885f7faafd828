package io.gnetj.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Many threads take and release at once, through their own caches and the shared lists, and hand
 * some buffers to other threads to release. Every buffer carries a stamp at both ends, checked
 * before release: two owners of one chunk would overwrite each other's stamps. Totals are checked
 * at the end. Bounded: each thread does a fixed number of cycles and the test waits at most 60 s.
 */
class BufferPoolStressTest {

    static final int THREADS = 4;
    static final int CYCLES = 100_000;

    @Test
    void concurrentTakeAndReleaseNeverShareAChunkAndBalanceOut() throws Exception {
        BufferPool pool = BufferPool.builder()
                .minCapacity(64).maxPooledCapacity(1 << 16).maxRetainedBytes(8L << 20)
                .cacheSizePerClass(8).leakDetection(LeakDetector.Level.DISABLED).build();
        ArrayBlockingQueue<PooledBuffer> handoff = new ArrayBlockingQueue<>(256);
        AtomicLong takes = new AtomicLong();
        AtomicLong releases = new AtomicLong();
        AtomicLong stamps = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            long seed = 1000 + t;
            Thread thread = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                List<PooledBuffer> held = new ArrayList<>();
                try (BufferCache cache = pool.newCache()) {
                    start.await();
                    for (int i = 0; i < CYCLES && failure.get() == null; i++) {
                        boolean viaCache = random.nextBoolean();
                        int size = random.nextInt(1000) == 0 ? 70_000 + random.nextInt(1000) : 1 + random.nextInt(4096);
                        PooledBuffer b = viaCache ? cache.take(size) : pool.take(size);
                        takes.incrementAndGet();
                        stamp(b, stamps.incrementAndGet());
                        held.add(b);
                        if (held.size() > 4 || random.nextInt(3) == 0) {
                            PooledBuffer victim = held.remove(random.nextInt(held.size()));
                            check(victim);
                            if (random.nextInt(8) == 0 && handoff.offer(victim)) {
                                continue; // another thread releases it
                            }
                            if (viaCache) {
                                cache.release(victim);
                            } else {
                                pool.release(victim);
                            }
                            releases.incrementAndGet();
                        }
                        PooledBuffer foreign = handoff.poll();
                        if (foreign != null) {
                            check(foreign);
                            pool.release(foreign);
                            releases.incrementAndGet();
                        }
                    }
                    for (PooledBuffer b : held) {
                        check(b);
                        cache.release(b);
                        releases.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }, "pool-stress-" + t);
            threads.add(thread);
            thread.start();
        }
        start.countDown();
        assertThat(done.await(60, TimeUnit.SECONDS)).as("stress threads finished in time").isTrue();
        for (Thread thread : threads) {
            thread.join(1000);
        }
        if (failure.get() != null) {
            throw new AssertionError("a stress thread failed", failure.get());
        }
        PooledBuffer left;
        while ((left = handoff.poll()) != null) {
            check(left);
            pool.release(left);
            releases.incrementAndGet();
        }
        assertThat(releases.get()).isEqualTo(takes.get()).isEqualTo((long) THREADS * CYCLES);
        assertThat(pool.inUseBytes()).isZero();
        assertThat(pool.inUseCount()).isZero();
        assertThat(pool.retainedBytes()).isBetween(1L, 8L << 20);
        assertThat(pool.allocatedBytes()).isGreaterThanOrEqualTo(pool.retainedBytes());
    }

    static void stamp(PooledBuffer b, long stamp) {
        b.buffer().putLong(0, stamp);
        b.buffer().putLong(b.capacity() - 8, stamp);
    }

    static void check(PooledBuffer b) {
        long head = b.buffer().getLong(0);
        long tail = b.buffer().getLong(b.capacity() - 8);
        if (head != tail) {
            throw new AssertionError("chunk shared by two owners: stamps " + head + " and " + tail + " in " + b);
        }
    }
}
