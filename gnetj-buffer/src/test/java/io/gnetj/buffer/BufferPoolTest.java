package io.gnetj.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BufferPoolTest {

    static BufferPool smallPool() {
        return BufferPool.builder().minCapacity(256).maxPooledCapacity(4096).build();
    }

    @Test
    void defaultsAreAsDocumented() {
        BufferPool pool = BufferPool.create();
        assertThat(pool.minCapacity()).isEqualTo(256);
        assertThat(pool.maxPooledCapacity()).isEqualTo(4 << 20);
        assertThat(pool.maxRetainedBytes()).isEqualTo(64L << 20);
        assertThat(pool.pool()).isSameAs(pool);
        assertThat(pool.leakDetector().level()).isEqualTo(LeakDetector.defaultLevel());
    }

    @Test
    void requestsRoundUpToPowerOfTwoSizeClasses() {
        BufferPool pool = BufferPool.create();
        assertThat(pool.sizeClassOf(1)).isEqualTo(256);
        assertThat(pool.sizeClassOf(256)).isEqualTo(256);
        assertThat(pool.sizeClassOf(257)).isEqualTo(512);
        assertThat(pool.sizeClassOf(1000)).isEqualTo(1024);
        assertThat(pool.sizeClassOf(4 << 20)).isEqualTo(4 << 20);
        assertThat(pool.sizeClassOf((4 << 20) + 1)).as("unpooled: exact").isEqualTo((4 << 20) + 1);
        assertThatThrownBy(() -> pool.sizeClassOf(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> pool.take(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void takeLendsAClearedDirectBufferOfTheSizeClass() {
        BufferPool pool = smallPool();
        PooledBuffer b = pool.take(300);
        assertThat(b.capacity()).isEqualTo(512);
        assertThat(b.pool()).isSameAs(pool);
        assertThat(b.buffer().isDirect()).isTrue();
        assertThat(b.buffer().position()).isZero();
        assertThat(b.buffer().limit()).isEqualTo(512);
        b.buffer().position(10).limit(20);
        b.view().position(3);
        pool.release(b);
        PooledBuffer again = pool.take(400);
        assertThat(again).as("handle recycled with its chunk").isSameAs(b);
        assertThat(again.buffer().position()).isZero();
        assertThat(again.buffer().limit()).isEqualTo(512);
        assertThat(again.view().position()).isZero();
        pool.release(again);
    }

    @Test
    void viewIsASecondWindowOnTheSameMemoryKeptForTheChunksLife() {
        BufferPool pool = smallPool();
        PooledBuffer b = pool.take(256);
        b.buffer().put(5, (byte) 42);
        assertThat(b.view()).isSameAs(b.view()).isNotSameAs(b.buffer());
        assertThat(b.view().get(5)).isEqualTo((byte) 42);
        assertThat(b.view().capacity()).isEqualTo(256);
        pool.release(b);
    }

    @Test
    void requestsAboveTheLargestClassAreUnpooledAndDroppedOnRelease() {
        BufferPool pool = smallPool();
        PooledBuffer big = pool.take(5000);
        assertThat(big.capacity()).isEqualTo(5000);
        assertThat(pool.inUseBytes()).isEqualTo(5000);
        assertThat(pool.allocatedBytes()).isEqualTo(5000);
        pool.release(big);
        assertThat(pool.inUseBytes()).isZero();
        assertThat(pool.retainedBytes()).isZero();
        PooledBuffer again = pool.take(5000);
        assertThat(again).isNotSameAs(big);
        assertThat(pool.allocatedBytes()).isEqualTo(10_000);
        pool.release(again);
    }

    @Test
    void countersTrackLendingRetentionAndAllocation() {
        BufferPool pool = smallPool();
        PooledBuffer a = pool.take(256);
        PooledBuffer b = pool.take(1024);
        assertThat(pool.inUseBytes()).isEqualTo(1280);
        assertThat(pool.inUseCount()).isEqualTo(2);
        assertThat(pool.allocatedBytes()).isEqualTo(1280);
        assertThat(pool.retainedBytes()).isZero();
        pool.release(a);
        assertThat(pool.inUseBytes()).isEqualTo(1024);
        assertThat(pool.inUseCount()).isEqualTo(1);
        assertThat(pool.retainedBytes()).isEqualTo(256);
        pool.release(b);
        assertThat(pool.inUseBytes()).isZero();
        assertThat(pool.inUseCount()).isZero();
        assertThat(pool.retainedBytes()).isEqualTo(1280);
        pool.release(pool.take(200));
        assertThat(pool.allocatedBytes()).as("reuse allocates nothing").isEqualTo(1280);
    }

    @Test
    void releaseBeyondTheRetainedCapDropsTheChunk() {
        BufferPool pool = BufferPool.builder().minCapacity(256).maxPooledCapacity(4096).maxRetainedBytes(1024).build();
        List<PooledBuffer> taken = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            taken.add(pool.take(256));
        }
        taken.forEach(pool::release);
        assertThat(pool.retainedBytes()).isEqualTo(1024);
        assertThat(pool.inUseBytes()).isZero();
        for (int i = 0; i < 8; i++) {
            taken.set(i, pool.take(256));
        }
        assertThat(pool.allocatedBytes()).isEqualTo(256 * 8 + 256 * 4);
        taken.forEach(pool::release);
    }

    @Test
    void aZeroCapRetainsNothing() {
        BufferPool pool = BufferPool.builder().maxRetainedBytes(0).build();
        PooledBuffer b = pool.take(10);
        pool.release(b);
        assertThat(pool.retainedBytes()).isZero();
        PooledBuffer again = pool.take(10);
        assertThat(again).isNotSameAs(b);
        pool.release(again);
    }

    @Test
    void doubleReleaseThrows() {
        BufferPool pool = smallPool();
        PooledBuffer b = pool.take(256);
        pool.release(b);
        assertThatThrownBy(() -> pool.release(b))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("buffer released twice");
        assertThat(pool.inUseCount()).isZero();
        assertThat(pool.retainedBytes()).as("not queued twice").isEqualTo(256);
    }

    @Test
    void doubleReleaseThroughACacheThrows() {
        BufferPool pool = smallPool();
        try (BufferCache cache = pool.newCache()) {
            PooledBuffer b = cache.take(256);
            cache.release(b);
            assertThatThrownBy(() -> cache.release(b)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("buffer released twice");
            assertThatThrownBy(() -> pool.release(b)).isInstanceOf(IllegalStateException.class);
            assertThat(cache.cachedCount()).isEqualTo(1);
        }
    }

    @Test
    void releaseToAnotherPoolThrowsNamingBoth() {
        BufferPool mine = smallPool();
        BufferPool other = smallPool();
        PooledBuffer b = mine.take(256);
        assertThatThrownBy(() -> other.release(b))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(mine.toString())
                .hasMessageContaining(other.toString());
        try (BufferCache otherCache = other.newCache()) {
            assertThatThrownBy(() -> otherCache.release(b))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(mine.toString())
                    .hasMessageContaining("a cache of " + other);
        }
        mine.release(b); // still intact
        assertThat(mine.inUseCount()).isZero();
        assertThat(other.retainedBytes()).isZero();
    }

    @Test
    void builderRejectsNonsense() {
        assertThatThrownBy(() -> BufferPool.builder().minCapacity(300)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BufferPool.builder().maxPooledCapacity(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BufferPool.builder().maxRetainedBytes(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BufferPool.builder().cacheSizePerClass(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BufferPool.builder().minCapacity(1024).maxPooledCapacity(512).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cacheServesWhatWasReleasedToIt() {
        BufferPool pool = smallPool();
        try (BufferCache cache = pool.newCache()) {
            assertThat(cache.pool()).isSameAs(pool);
            PooledBuffer b = cache.take(256);
            cache.release(b);
            assertThat(cache.cachedCount()).isEqualTo(1);
            assertThat(pool.retainedBytes()).as("cached chunks count as retained").isEqualTo(256);
            assertThat(cache.take(100)).isSameAs(b);
            assertThat(pool.retainedBytes()).isZero();
            assertThat(pool.inUseBytes()).isEqualTo(256);
            cache.release(b);
        }
        assertThat(pool.retainedBytes()).isEqualTo(256);
    }

    @Test
    void cacheFallsBackToTheSharedListBothWays() {
        BufferPool pool = smallPool();
        PooledBuffer b = pool.take(512);
        pool.release(b);
        try (BufferCache cache = pool.newCache()) {
            PooledBuffer fromShared = cache.take(512);
            assertThat(fromShared).isSameAs(b);
            pool.release(fromShared); // taken through a cache, released to the pool from anywhere
            assertThat(cache.cachedCount()).isZero();
            PooledBuffer big = cache.take(10_000);
            assertThat(big.capacity()).isEqualTo(10_000);
            cache.release(big);
            assertThat(cache.cachedCount()).as("unpooled chunks are never cached").isZero();
        }
        assertThat(pool.inUseBytes()).isZero();
    }

    @Test
    void cacheHoldsAtMostItsSizePerClassAndOverflowsToTheSharedList() {
        BufferPool pool = BufferPool.builder().minCapacity(256).maxPooledCapacity(4096).cacheSizePerClass(4).build();
        try (BufferCache cache = pool.newCache()) {
            List<PooledBuffer> taken = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                taken.add(cache.take(256));
            }
            taken.forEach(cache::release);
            assertThat(cache.cachedCount()).isEqualTo(4);
            assertThat(pool.retainedBytes()).isEqualTo(10 * 256);
            cache.close();
            assertThat(cache.cachedCount()).isZero();
            assertThat(pool.retainedBytes()).isEqualTo(10 * 256);
            // still usable after close
            PooledBuffer b = cache.take(256);
            cache.release(b);
            assertThat(cache.cachedCount()).isEqualTo(1);
        }
        assertThat(pool.inUseBytes()).isZero();
        assertThat(pool.allocatedBytes()).isEqualTo(10 * 256);
    }

    @Test
    void cacheHonoursTheRetainedCap() {
        BufferPool pool = BufferPool.builder().minCapacity(256).maxRetainedBytes(512).build();
        try (BufferCache cache = pool.newCache()) {
            PooledBuffer a = cache.take(256);
            PooledBuffer b = cache.take(256);
            PooledBuffer c = cache.take(256);
            cache.release(a);
            cache.release(b);
            cache.release(c);
            assertThat(pool.retainedBytes()).isEqualTo(512);
            assertThat(cache.cachedCount()).isEqualTo(2);
        }
    }

    @Test
    void aZeroSizedCacheKeepsNothing() {
        BufferPool pool = BufferPool.builder().cacheSizePerClass(0).build();
        try (BufferCache cache = pool.newCache()) {
            cache.release(cache.take(300));
            assertThat(cache.cachedCount()).isZero();
            assertThat(pool.retainedBytes()).isEqualTo(512);
        }
    }
}
