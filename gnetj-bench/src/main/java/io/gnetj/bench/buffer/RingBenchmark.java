package io.gnetj.bench.buffer;

import io.gnetj.buffer.BufferCache;
import io.gnetj.buffer.BufferPool;
import io.gnetj.buffer.ElasticRingBuffer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * An inbound buffer in steady state: {@code n} bytes arrive (copied in from a direct buffer, as
 * from the loop's read buffer) and {@code n} bytes are consumed, over a standing backlog of
 * {@link #BACKLOG} bytes that a decoder has not consumed yet, so the read position keeps moving
 * and the ring wraps.
 *
 * <p>gnetj's {@link ElasticRingBuffer} against Netty's nearest equivalent, a pooled direct
 * {@link ByteBuf} (allocator with thread caches, as on a Netty event loop) that compacts with
 * {@code discardSomeReadBytes()} as a cumulating decoder does. Two ways to consume: copy out
 * ({@code read} / {@code readBytes}), and look in place then drop ({@code peek}+{@code discard} /
 * {@code internalNioBuffer}+{@code skipBytes}), where the consumer reads the first and last byte.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=4g",
    "-Dio.netty.leakDetection.level=disabled", "-Dio.gnetj.leakDetection=disabled"})
public class RingBenchmark {

    /** Bytes left unconsumed across operations; not a power of two, so wraps land anywhere. */
    static final int BACKLOG = 1500;

    @Param({"256", "4096", "32768"})
    public int n;

    private BufferPool pool;
    private BufferCache cache;
    private ElasticRingBuffer ring;
    private final ByteBuffer[] views = new ByteBuffer[2];

    private ByteBuf nettyBuf;

    private ByteBuffer src;
    private ByteBuffer dst;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] bytes = new byte[Math.max(n, BACKLOG)];
        ThreadLocalRandom.current().nextBytes(bytes);
        src = ByteBuffer.allocateDirect(n);
        src.put(0, bytes, 0, n);
        dst = ByteBuffer.allocateDirect(n);

        pool = BenchPools.gnetjPool();
        cache = pool.newCache();
        ring = new ElasticRingBuffer(cache);
        ring.write(bytes, 0, BACKLOG);

        ByteBufAllocator allocator = NettyAllocators.pooledThreadCache();
        nettyBuf = allocator.directBuffer(BACKLOG + n);
        nettyBuf.writeBytes(bytes, 0, BACKLOG);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ring.release();
        cache.close();
        nettyBuf.release();
    }

    @Benchmark
    public int gnetjWriteRead() {
        src.clear();
        ring.write(src);
        dst.clear();
        return ring.read(dst);
    }

    @Benchmark
    public int nettyWriteRead() {
        src.clear();
        nettyBuf.writeBytes(src);
        dst.clear();
        nettyBuf.readBytes(dst);
        nettyBuf.discardSomeReadBytes();
        return dst.position();
    }

    @Benchmark
    public int gnetjWritePeekDiscard(Blackhole bh) {
        src.clear();
        ring.write(src);
        int k = ring.peek(n, views);
        ByteBuffer first = views[0];
        ByteBuffer last = views[k - 1];
        bh.consume(first.get(first.position()));
        bh.consume(last.get(last.limit() - 1));
        return ring.discard(n);
    }

    @Benchmark
    public int nettyWritePeekDiscard(Blackhole bh) {
        src.clear();
        nettyBuf.writeBytes(src);
        ByteBuffer view = nettyBuf.internalNioBuffer(nettyBuf.readerIndex(), n);
        bh.consume(view.get(view.position()));
        bh.consume(view.get(view.limit() - 1));
        nettyBuf.skipBytes(n);
        nettyBuf.discardSomeReadBytes();
        return n;
    }
}
