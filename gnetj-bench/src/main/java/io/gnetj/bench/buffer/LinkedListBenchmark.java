package io.gnetj.bench.buffer;

import io.gnetj.buffer.BufferCache;
import io.gnetj.buffer.BufferPool;
import io.gnetj.buffer.LinkedListBuffer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
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

/**
 * Outbound data made of many small writes ({@link #CHUNKS} chunks of {@code chunkSize} bytes,
 * from a heap array as an encoder would produce them), then flushed with one gathering write to a
 * sink that takes everything ({@link CountingSink}).
 *
 * <p>gnetj's {@link LinkedListBuffer} copies the chunks into pooled nodes of
 * {@link #NODE_CAPACITY} bytes and gathers the nodes. Netty keeps one pooled direct buffer per
 * write in a {@link CompositeByteBuf} (allocator with thread caches, as on an event loop) and
 * gathers {@code nioBuffers()}; the composite is reused across operations and drops the written
 * components with {@code discardReadComponents()}, which releases them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=4g",
    "-Dio.netty.leakDetection.level=disabled", "-Dio.gnetj.leakDetection=disabled"})
public class LinkedListBenchmark {

    /** Writes per flush. */
    static final int CHUNKS = 64;
    /** Node size of the gnetj list. */
    static final int NODE_CAPACITY = 4096;

    @Param({"64", "1024"})
    public int chunkSize;

    private byte[] chunk;
    private final CountingSink sink = new CountingSink();

    private BufferPool pool;
    private BufferCache cache;
    private LinkedListBuffer list;

    private ByteBufAllocator nettyAllocator;
    private CompositeByteBuf composite;

    @Setup(Level.Trial)
    public void setUp() {
        chunk = new byte[chunkSize];
        ThreadLocalRandom.current().nextBytes(chunk);
        pool = BenchPools.gnetjPool();
        cache = pool.newCache();
        list = new LinkedListBuffer(cache, NODE_CAPACITY);
        nettyAllocator = NettyAllocators.pooledThreadCache();
        composite = nettyAllocator.compositeDirectBuffer(CHUNKS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        list.release();
        cache.close();
        composite.release();
    }

    @Benchmark
    public long gnetjAppendWriteTo() throws Exception {
        for (int i = 0; i < CHUNKS; i++) {
            list.write(chunk, 0, chunk.length);
        }
        return list.writeTo(sink);
    }

    @Benchmark
    public long nettyCompositeNioBuffers() {
        for (int i = 0; i < CHUNKS; i++) {
            ByteBuf b = nettyAllocator.directBuffer(chunk.length);
            b.writeBytes(chunk);
            composite.addComponent(true, b);
        }
        long n = sink.write(composite.nioBuffers());
        composite.skipBytes((int) n);
        composite.discardReadComponents();
        return n;
    }
}
