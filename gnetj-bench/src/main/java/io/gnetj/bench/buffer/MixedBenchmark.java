package io.gnetj.bench.buffer;

import io.gnetj.buffer.BufferCache;
import io.gnetj.buffer.BufferPool;
import io.gnetj.buffer.ElasticMixedBuffer;
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
 * A connection's outbound buffer under a slow reader: {@code messages} writes of
 * {@link #MESSAGE_SIZE} bytes are queued, then drained with gathering writes to a sink that takes
 * at most {@link #SINK_PER_WRITE} bytes per call (a socket whose send buffer fills), until empty.
 *
 * <p>gnetj's {@link ElasticMixedBuffer} is set up as gnetj-core sets up a connection's (ring and
 * list nodes of {@link #RING_CAP} bytes), so 16 messages stay in the ring and 256 spill into the
 * list. Netty's peer is what its outbound path holds: one pooled direct buffer per write, here in
 * a reused {@link CompositeByteBuf} drained through {@code nioBuffers()}, {@code skipBytes} and
 * {@code discardReadComponents()}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms1g", "-Xmx1g", "-XX:MaxDirectMemorySize=4g",
    "-Dio.netty.leakDetection.level=disabled", "-Dio.gnetj.leakDetection=disabled"})
public class MixedBenchmark {

    static final int MESSAGE_SIZE = 512;
    /** gnetj-core's default writeBufferCap, used for both the ring cap and the node size. */
    static final int RING_CAP = 64 * 1024;
    static final int SINK_PER_WRITE = 32 * 1024;

    @Param({"16", "256"})
    public int messages;

    private byte[] message;
    private final CountingSink sink = new CountingSink(SINK_PER_WRITE);

    private BufferPool pool;
    private BufferCache cache;
    private ElasticMixedBuffer mixed;

    private ByteBufAllocator nettyAllocator;
    private CompositeByteBuf composite;

    @Setup(Level.Trial)
    public void setUp() {
        message = new byte[MESSAGE_SIZE];
        ThreadLocalRandom.current().nextBytes(message);
        pool = BenchPools.gnetjPool();
        cache = pool.newCache();
        mixed = new ElasticMixedBuffer(cache, RING_CAP, RING_CAP);
        nettyAllocator = NettyAllocators.pooledThreadCache();
        composite = nettyAllocator.compositeDirectBuffer(messages);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        mixed.release();
        cache.close();
        composite.release();
    }

    @Benchmark
    public long gnetjWriteDrain() throws Exception {
        for (int i = 0; i < messages; i++) {
            mixed.write(message, 0, message.length);
        }
        long total = 0;
        while (!mixed.isEmpty()) {
            total += mixed.writeTo(sink);
        }
        return total;
    }

    @Benchmark
    public long nettyCompositeWriteDrain() {
        for (int i = 0; i < messages; i++) {
            ByteBuf b = nettyAllocator.directBuffer(message.length);
            b.writeBytes(message);
            composite.addComponent(true, b);
        }
        long total = 0;
        while (composite.isReadable()) {
            long n = sink.write(composite.nioBuffers());
            composite.skipBytes((int) n);
            composite.discardReadComponents();
            total += n;
        }
        return total;
    }
}
