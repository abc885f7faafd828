package io.gnetj.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a {@link BufferCache} counts on its own and how the pool's figures include it, on one
 * thread: the hit path touches no shared figure, buffers crossing between cache and pool keep
 * every figure exact, and closing folds a cache into its pool.
 */
class BufferCacheCountersTest {

    static BufferPool pool() {
        return BufferPool.builder().minCapacity(256).maxPooledCapacity(4096)
                .leakDetection(LeakDetector.Level.DISABLED).build();
    }

    @Test
    void aWarmCacheHitTouchesNoSharedFigure() {
        BufferPool pool = pool();
        try (BufferCache cache = pool.newCache()) {
            cache.release(cache.take(256)); // warm: allocates, takes credit for one chunk
            cache.release(cache.take(1024));
            long sharedInUse = pool.sharedInUseBytes();
            long sharedRetained = pool.sharedRetainedBytes();
            long credit = pool.cacheCredit();
            long allocated = pool.allocatedBytes();
            for (int i = 0; i < 1000; i++) {
                PooledBuffer a = cache.take(200);
                PooledBuffer b = cache.take(1000);
                cache.release(b);
                cache.release(a);
            }
            assertThat(pool.sharedInUseBytes()).as("shared in-use adder").isEqualTo(sharedInUse);
            assertThat(pool.sharedRetainedBytes()).as("shared retained adder").isEqualTo(sharedRetained);
            assertThat(pool.cacheCredit()).as("no credit asked after warm-up").isEqualTo(credit);
            assertThat(pool.allocatedBytes()).isEqualTo(allocated);
        }
    }

    @Test
    void poolFiguresIncludeWhatCachesLentAndHold() {
        BufferPool pool = pool();
        try (BufferCache cache = pool.newCache()) {
            PooledBuffer a = cache.take(256);
            PooledBuffer b = cache.take(1024);
            PooledBuffer c = pool.take(512);
            assertThat(pool.inUseBytes()).isEqualTo(256 + 1024 + 512);
            assertThat(pool.inUseCount()).isEqualTo(3);
            assertThat(cache.inUseBytes()).as("only what went through the cache").isEqualTo(256 + 1024);
            assertThat(pool.sharedInUseBytes()).as("cache takes are not in the shared adders").isEqualTo(512);

            cache.release(a);
            assertThat(pool.inUseBytes()).isEqualTo(1024 + 512);
            assertThat(pool.retainedBytes()).as("a cached chunk is retained").isEqualTo(256);
            assertThat(cache.inUseBytes()).isEqualTo(1024);

            cache.release(c); // lent by the pool, released to the cache
            assertThat(pool.inUseBytes()).isEqualTo(1024);
            assertThat(pool.inUseCount()).isEqualTo(1);
            assertThat(cache.inUseBytes()).as("the cache did not lend it").isEqualTo(1024);
            assertThat(pool.retainedBytes()).isEqualTo(256 + 512);

            pool.release(b); // lent by the cache, released to the pool
            assertThat(pool.inUseBytes()).isZero();
            assertThat(pool.inUseCount()).isZero();
            assertThat(cache.inUseBytes()).as("released elsewhere, no longer the cache's").isZero();
            assertThat(pool.retainedBytes()).isEqualTo(256 + 512 + 1024);
            assertThat(pool.allocatedBytes()).isEqualTo(256 + 512 + 1024);
        }
        assertThat(pool.retainedBytes()).isEqualTo(256 + 512 + 1024);
        assertThat(pool.openCaches()).isZero();
    }

    @Test
    void unpooledTakesThroughACacheAreCountedAndDropped() {
        BufferPool pool = pool();
        try (BufferCache cache = pool.newCache()) {
            PooledBuffer big = cache.take(10_000);
            assertThat(cache.inUseBytes()).isEqualTo(10_000);
            assertThat(pool.inUseBytes()).isEqualTo(10_000);
            cache.release(big);
            assertThat(cache.inUseBytes()).isZero();
            assertThat(pool.inUseBytes()).isZero();
            assertThat(pool.retainedBytes()).isZero();
        }
    }

    @Test
    void aBufferTheCacheLentIsCountedOnceWhereverItIsReleased() throws Exception {
        BufferPool pool = pool();
        try (BufferCache mine = pool.newCache(); BufferCache other = pool.newCache()) {
            PooledBuffer toOtherThread = mine.take(512);
            PooledBuffer toOtherCache = mine.take(1024);
            CompletableFuture.runAsync(() -> pool.release(toOtherThread)).get(10, TimeUnit.SECONDS);
            other.release(toOtherCache);
            assertThat(mine.inUseBytes()).isZero();
            assertThat(other.inUseBytes()).isZero();
            assertThat(pool.inUseBytes()).isZero();
            assertThat(pool.inUseCount()).isZero();
            assertThat(other.cachedCount()).isEqualTo(1);
            assertThat(pool.retainedBytes()).isEqualTo(512 + 1024);
        }
    }

    @Test
    void doubleReleaseOfACacheLentBufferThrowsEveryWay() {
        BufferPool pool = pool();
        try (BufferCache cache = pool.newCache()) {
            PooledBuffer b = cache.take(256);
            cache.release(b);
            cache.release(cache.take(256)); // b again: off the cache's stack this time
            assertThatThrownBy(() -> cache.release(b)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("buffer released twice");
            assertThatThrownBy(() -> pool.release(b)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("buffer released twice");
            PooledBuffer fromPool = pool.take(512);
            cache.release(fromPool);
            assertThatThrownBy(() -> cache.release(fromPool)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("buffer released twice");
            assertThat(pool.inUseCount()).as("failed releases change no figure").isZero();
            assertThat(pool.inUseBytes()).isZero();
            assertThat(cache.cachedCount()).isEqualTo(2);
            assertThat(pool.retainedBytes()).isEqualTo(256 + 512);
        }
    }

    @Test
    void closingFoldsTheCacheIntoThePoolAndAReopenedCacheCountsAfresh() {
        BufferPool pool = pool();
        BufferCache cache = pool.newCache();
        assertThat(pool.openCaches()).isEqualTo(1);
        PooledBuffer a = cache.take(256);
        PooledBuffer b = cache.take(512);
        cache.release(cache.take(1024));
        cache.close();
        assertThat(pool.openCaches()).isZero();
        assertThat(pool.cacheCredit()).as("credit handed back").isZero();
        assertThat(cache.cachedCount()).isZero();
        assertThat(cache.inUseBytes()).as("a closed cache reports nothing").isZero();
        assertThat(pool.inUseBytes()).as("what it lent is still lent").isEqualTo(256 + 512);
        assertThat(pool.retainedBytes()).as("its chunk moved to the shared list").isEqualTo(1024);

        pool.release(a);
        cache.release(b); // reopens the cache; b was lent by the closed opening: shared path
        assertThat(pool.openCaches()).isEqualTo(1);
        assertThat(cache.inUseBytes()).isZero();
        assertThat(pool.inUseBytes()).isZero();
        assertThat(pool.inUseCount()).isZero();
        assertThat(pool.retainedBytes()).isEqualTo(256 + 512 + 1024);
        cache.close();
        cache.close(); // twice is harmless
        assertThat(pool.openCaches()).isZero();
        assertThat(pool.retainedBytes()).isEqualTo(256 + 512 + 1024);
    }

    @Test
    void cachesShareTheRetainedCapThroughCredit() {
        BufferPool pool = BufferPool.builder().minCapacity(256).maxPooledCapacity(4096).maxRetainedBytes(2048)
                .leakDetection(LeakDetector.Level.DISABLED).build();
        try (BufferCache one = pool.newCache(); BufferCache two = pool.newCache()) {
            List<PooledBuffer> taken = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                taken.add(one.take(512));
            }
            for (int i = 0; i < 3; i++) {
                one.release(taken.remove(0));
            }
            assertThat(pool.cacheCredit()).isEqualTo(3 * 512);
            two.release(taken.remove(0)); // one chunk's room left: two's credit
            two.release(taken.remove(0)); // none left: dropped
            pool.release(taken.remove(0)); // none left on the shared list either
            assertThat(one.cachedCount()).isEqualTo(3);
            assertThat(two.cachedCount()).isEqualTo(1);
            assertThat(pool.retainedBytes()).isEqualTo(2048);
            assertThat(pool.inUseBytes()).isZero();
        }
        assertThat(pool.cacheCredit()).isZero();
        assertThat(pool.retainedBytes()).isEqualTo(2048);
    }
}
