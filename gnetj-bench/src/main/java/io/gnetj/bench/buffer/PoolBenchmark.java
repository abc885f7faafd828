package io.gnetj.bench.buffer;

import io.gnetj.buffer.BufferCache;
import io.gnetj.buffer.BufferPool;
import io.gnetj.buffer.PooledBuffer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Take one direct buffer and give it back, on one thread: the cost a connection pays per read or
 * write that needs pooled memory.
 *
 * <p>gnetj through a {@link BufferCache} (what an event loop uses) and through the {@link BufferPool}
 * itself; Netty's pooled and adaptive allocators both as a plain thread sees them and with the
 * thread-local cache a Netty event loop gets (see {@link NettyAllocators}). The buffer's first byte
 * is written so that every variant hands out memory that is really usable.
 *
 * <p>gnetj runs at two leak detection levels ({@link Gnetj#leak}): {@code disabled}, the fast path
 * Netty is compared with (Netty's detector is off), and {@code default}, the level a pool gets when
 * nothing is configured, which is what a production user pays. So this class sets no
 * {@code io.gnetj.leakDetection} property in its fork.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=4g", "-Dio.netty.leakDetection.level=disabled"})
public class PoolBenchmark {

    @Param({"256", "4096", "65536"})
    public int size;

    /** gnetj's pool and cache, at one leak detection level; Netty's benchmarks do not use it. */
    @State(Scope.Thread)
    public static class Gnetj {
        /** {@code disabled}, or {@code default}: the level of a pool built with no setting. */
        @Param({"disabled", "default"})
        public String leak;

        BufferPool pool;
        BufferCache cache;

        @Setup(Level.Trial)
        public void setUp() {
            pool = BenchPools.gnetjPool(leak);
            cache = pool.newCache();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            cache.close();
        }
    }

    private ByteBufAllocator nettyPooled;
    private ByteBufAllocator nettyPooledThreadCache;
    private ByteBufAllocator nettyAdaptive;
    private ByteBufAllocator nettyAdaptiveThreadCache;

    @Setup(Level.Trial)
    public void setUp() {
        nettyPooled = NettyAllocators.pooled();
        nettyPooledThreadCache = NettyAllocators.pooledThreadCache();
        nettyAdaptive = NettyAllocators.adaptive();
        nettyAdaptiveThreadCache = NettyAllocators.adaptiveThreadCache();
    }

    @Benchmark
    public int gnetjCache(Gnetj g) {
        BufferCache cache = g.cache;
        PooledBuffer b = cache.take(size);
        b.buffer().put(0, (byte) 1);
        int capacity = b.capacity();
        cache.release(b);
        return capacity;
    }

    @Benchmark
    public int gnetjPool(Gnetj g) {
        BufferPool pool = g.pool;
        PooledBuffer b = pool.take(size);
        b.buffer().put(0, (byte) 1);
        int capacity = b.capacity();
        pool.release(b);
        return capacity;
    }

    @Benchmark
    public int nettyPooled() {
        return takeAndRelease(nettyPooled);
    }

    @Benchmark
    public int nettyPooledThreadCache() {
        return takeAndRelease(nettyPooledThreadCache);
    }

    @Benchmark
    public int nettyAdaptive() {
        return takeAndRelease(nettyAdaptive);
    }

    @Benchmark
    public int nettyAdaptiveThreadCache() {
        return takeAndRelease(nettyAdaptiveThreadCache);
    }

    private int takeAndRelease(ByteBufAllocator allocator) {
        ByteBuf b = allocator.directBuffer(size);
        b.setByte(0, 1);
        int capacity = b.capacity();
        b.release();
        return capacity;
    }
}
