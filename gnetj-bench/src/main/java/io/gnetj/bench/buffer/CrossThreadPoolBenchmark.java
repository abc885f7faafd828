package io.gnetj.bench.buffer;

import io.gnetj.buffer.BufferPool;
import io.gnetj.buffer.PooledBuffer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.jctools.queues.atomic.SpscAtomicArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Control;

/**
 * One thread takes buffers and passes them through a queue to another thread, which releases
 * them: the shape of an {@code asyncWrite} whose buffer is freed on the event loop, or of a
 * buffer filled on a loop and freed by a worker.
 *
 * <p>The hand-off is a bounded single-producer single-consumer queue (the same one for every
 * allocator). Each side spins while the queue is full or empty, and gives up when JMH ends the
 * iteration, so neither side can wedge the other. JMH reports each side's rate and their sum;
 * the {@code take} rate is the transfer rate, and an allocation figure per op is per side, so a
 * transfer costs twice the reported bytes/op.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=4g", "-Dio.netty.leakDetection.level=disabled"})
public class CrossThreadPoolBenchmark {

    /** Buffers in flight between the threads at most. */
    static final int QUEUE_CAPACITY = 256;

    /** The sizes every hand-off state takes. */
    @State(Scope.Benchmark)
    public static class Sizes {
        @Param({"256", "4096", "65536"})
        public int size;
    }

    /**
     * gnetj: take from the shared pool on one thread, release to it from the other. At two leak
     * detection levels, as in {@link PoolBenchmark}: {@code disabled} and the {@code default} of a
     * pool built with no setting (so the fork sets no {@code io.gnetj.leakDetection} property).
     */
    @State(Scope.Group)
    public static class GnetjHandOff {
        @Param({"disabled", "default"})
        public String leak;

        BufferPool pool;
        final SpscAtomicArrayQueue<PooledBuffer> queue = new SpscAtomicArrayQueue<>(QUEUE_CAPACITY);

        @Setup(Level.Trial)
        public void setUp() {
            pool = BenchPools.gnetjPool(leak);
        }

        @TearDown(Level.Iteration)
        public void drain() {
            PooledBuffer b;
            while ((b = queue.poll()) != null) {
                pool.release(b);
            }
        }
    }

    /** Netty: one allocator; release is {@code ByteBuf.release()} on the consuming thread. */
    public abstract static class NettyHandOff {
        ByteBufAllocator allocator;
        final SpscAtomicArrayQueue<ByteBuf> queue = new SpscAtomicArrayQueue<>(QUEUE_CAPACITY);

        @TearDown(Level.Iteration)
        public void drain() {
            ByteBuf b;
            while ((b = queue.poll()) != null) {
                b.release();
            }
        }
    }

    /** {@code PooledByteBufAllocator.DEFAULT}, as seen from non-Netty threads. */
    @State(Scope.Group)
    public static class NettyPooledHandOff extends NettyHandOff {
        @Setup(Level.Trial)
        public void setUp() {
            allocator = NettyAllocators.pooled();
        }
    }

    /** The pooled allocator with thread caches on both threads, as Netty event loops have. */
    @State(Scope.Group)
    public static class NettyPooledThreadCacheHandOff extends NettyHandOff {
        @Setup(Level.Trial)
        public void setUp() {
            allocator = NettyAllocators.pooledThreadCache();
        }
    }

    /** The adaptive allocator, as Netty 4.2's default is configured. */
    @State(Scope.Group)
    public static class NettyAdaptiveHandOff extends NettyHandOff {
        @Setup(Level.Trial)
        public void setUp() {
            allocator = NettyAllocators.adaptive();
        }
    }

    @Benchmark
    @Group("gnetjPool")
    @GroupThreads(1)
    public void gnetjTake(GnetjHandOff s, Sizes sizes, Control control) {
        PooledBuffer b = s.pool.take(sizes.size);
        b.buffer().put(0, (byte) 1);
        while (!s.queue.offer(b)) {
            if (control.stopMeasurement) {
                s.pool.release(b);
                return;
            }
            Thread.onSpinWait();
        }
    }

    @Benchmark
    @Group("gnetjPool")
    @GroupThreads(1)
    public void gnetjRelease(GnetjHandOff s, Control control) {
        PooledBuffer b;
        while ((b = s.queue.poll()) == null) {
            if (control.stopMeasurement) {
                return;
            }
            Thread.onSpinWait();
        }
        s.pool.release(b);
    }

    @Benchmark
    @Group("nettyPooled")
    @GroupThreads(1)
    public void nettyPooledTake(NettyPooledHandOff s, Sizes sizes, Control control) {
        nettyTake(s, sizes, control);
    }

    @Benchmark
    @Group("nettyPooled")
    @GroupThreads(1)
    public void nettyPooledRelease(NettyPooledHandOff s, Control control) {
        nettyRelease(s, control);
    }

    @Benchmark
    @Group("nettyPooledThreadCache")
    @GroupThreads(1)
    public void nettyPooledThreadCacheTake(NettyPooledThreadCacheHandOff s, Sizes sizes, Control control) {
        nettyTake(s, sizes, control);
    }

    @Benchmark
    @Group("nettyPooledThreadCache")
    @GroupThreads(1)
    public void nettyPooledThreadCacheRelease(NettyPooledThreadCacheHandOff s, Control control) {
        nettyRelease(s, control);
    }

    @Benchmark
    @Group("nettyAdaptive")
    @GroupThreads(1)
    public void nettyAdaptiveTake(NettyAdaptiveHandOff s, Sizes sizes, Control control) {
        nettyTake(s, sizes, control);
    }

    @Benchmark
    @Group("nettyAdaptive")
    @GroupThreads(1)
    public void nettyAdaptiveRelease(NettyAdaptiveHandOff s, Control control) {
        nettyRelease(s, control);
    }

    private static void nettyTake(NettyHandOff s, Sizes sizes, Control control) {
        ByteBuf b = s.allocator.directBuffer(sizes.size);
        b.setByte(0, 1);
        while (!s.queue.offer(b)) {
            if (control.stopMeasurement) {
                b.release();
                return;
            }
            Thread.onSpinWait();
        }
    }

    private static void nettyRelease(NettyHandOff s, Control control) {
        ByteBuf b;
        while ((b = s.queue.poll()) == null) {
            if (control.stopMeasurement) {
                return;
            }
            Thread.onSpinWait();
        }
        b.release();
    }
}
