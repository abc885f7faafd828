package io.gnetj.bench.buffer;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * The Netty allocators the buffer benchmarks compare against, configured in one place.
 *
 * <p>Netty 4.2 gives thread-local caches only to its own event-loop threads by default
 * ({@code useCacheForAllThreads=false}); JMH's threads are not such threads. So each allocator
 * comes in two forms: as a plain thread sees it, and as a Netty event loop sees it (caches on),
 * which is the path gnetj's {@code BufferCache} competes with.
 */
final class NettyAllocators {

    private NettyAllocators() {
    }

    /** {@code PooledByteBufAllocator.DEFAULT}: on a non-Netty thread, no thread cache. */
    static PooledByteBufAllocator pooled() {
        return PooledByteBufAllocator.DEFAULT;
    }

    /** A pooled allocator with Netty's defaults but a thread cache on every thread: the event-loop path. */
    static PooledByteBufAllocator pooledThreadCache() {
        return new PooledByteBufAllocator(true,
                PooledByteBufAllocator.defaultNumHeapArena(),
                PooledByteBufAllocator.defaultNumDirectArena(),
                PooledByteBufAllocator.defaultPageSize(),
                PooledByteBufAllocator.defaultMaxOrder(),
                PooledByteBufAllocator.defaultSmallCacheSize(),
                PooledByteBufAllocator.defaultNormalCacheSize(),
                true);
    }

    /** The adaptive allocator as Netty 4.2's {@code ByteBufAllocator.DEFAULT} is configured, direct. */
    static AdaptiveByteBufAllocator adaptive() {
        return new AdaptiveByteBufAllocator(true, false);
    }

    /** The adaptive allocator with a thread-local magazine on every thread: the event-loop path. */
    static AdaptiveByteBufAllocator adaptiveThreadCache() {
        return new AdaptiveByteBufAllocator(true, true);
    }
}
