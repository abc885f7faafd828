package io.gnetj.bench.websocket;

import io.gnetj.codec.websocket.Opcodes;
import io.gnetj.codec.websocket.WebSocketFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoding masked, unfragmented binary frames from a client, as a server receives them: gnetj's
 * {@link WebSocketFrameDecoder} against Netty's {@link WebSocket08FrameDecoder}, on the same
 * bytes.
 *
 * <ul>
 *   <li>{@code *Small}: {@value #SMALL_FRAMES} frames of {@value #SMALL_PAYLOAD} bytes arrive in one
 *       read (a chatty client); the time is per frame.
 *   <li>{@code *Large}: one frame of {@value #LARGE_PAYLOAD} bytes per read; the time is per frame.
 * </ul>
 *
 * <p>gnetj: the decoder reads a {@link ReplayConn} (the engine's view of one read, without a
 * socket) until {@code decode} says it needs more, and the handler looks at the payload's size and
 * last byte. Its message buffer is kept between frames, so after the first frame nothing is
 * allocated (run with {@code -prof gc} to see 0 B/op).
 *
 * <p>Netty: the decoder (masked frames expected, no extensions, the same 1 MiB limit) in an
 * {@link EmbeddedChannel} pipeline, followed by a handler that looks at the same two things and
 * releases the frame; each operation is a {@code fireChannelRead} of a pooled direct
 * {@link ByteBuf} holding the bytes, then {@code fireChannelReadComplete}, as a Netty event loop
 * delivers one read. Netty copies each payload into a new pooled buffer and unmasks it there.
 *
 * <p>What neither side pays: reading the socket, and Netty's allocation of a fresh buffer per
 * read (the one buffer is retained before each operation, and the decoder releases it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms1g", "-Xmx1g",
    "-Dio.netty.leakDetection.level=disabled", "-Dio.gnetj.leakDetection=disabled"})
public class WebSocketDecoderBenchmark {

    static final int SMALL_PAYLOAD = 32;
    static final int SMALL_FRAMES = 64;
    static final int LARGE_PAYLOAD = 64 * 1024;
    private static final int LIMIT = 1024 * 1024;

    private WebSocketFrameDecoder decoder;
    private ReplayConn small;
    private ReplayConn large;

    private ChannelPipeline pipeline;
    private EmbeddedChannel channel;
    private Sink sink;
    private ByteBuf nettySmall;
    private ByteBuf nettyLarge;

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) {
        byte[] smallBytes = frames(SMALL_PAYLOAD, SMALL_FRAMES);
        byte[] largeBytes = frames(LARGE_PAYLOAD, 1);
        decoder = new WebSocketFrameDecoder(LIMIT, LIMIT);
        small = new ReplayConn(ByteBuffer.allocateDirect(smallBytes.length).put(smallBytes).flip());
        large = new ReplayConn(ByteBuffer.allocateDirect(largeBytes.length).put(largeBytes).flip());

        WebSocketDecoderConfig config = WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(true).allowMaskMismatch(false).allowExtensions(false)
                .maxFramePayloadLength(LIMIT).build();
        sink = new Sink(bh);
        channel = new EmbeddedChannel(new WebSocket08FrameDecoder(config), sink);
        pipeline = channel.pipeline();
        nettySmall = PooledByteBufAllocator.DEFAULT.directBuffer(smallBytes.length).writeBytes(smallBytes);
        nettyLarge = PooledByteBufAllocator.DEFAULT.directBuffer(largeBytes.length).writeBytes(largeBytes);

        // both sides see every frame, whole, before anything is timed
        check(gnetj(small, bh) == SMALL_FRAMES, "gnetj decoded " + SMALL_FRAMES + " small frames");
        check(gnetj(large, bh) == 1, "gnetj decoded the large frame");
        netty(nettySmall);
        netty(nettyLarge);
        sink.check(SMALL_FRAMES + 1);
    }

    /** Masked binary frames of {@code payload} random bytes, {@code count} of them back to back. */
    static byte[] frames(int payload, int count) {
        Random random = new Random(payload);
        int header = payload <= 125 ? 6 : payload <= 0xFFFF ? 8 : 14;
        byte[] out = new byte[(header + payload) * count];
        ByteBuffer b = ByteBuffer.wrap(out);
        for (int i = 0; i < count; i++) {
            b.put((byte) (0x80 | Opcodes.BINARY));
            if (payload <= 125) {
                b.put((byte) (0x80 | payload));
            } else if (payload <= 0xFFFF) {
                b.put((byte) (0x80 | 126)).putShort((short) payload);
            } else {
                b.put((byte) (0x80 | 127)).putLong(payload);
            }
            byte[] mask = new byte[4];
            random.nextBytes(mask);
            b.put(mask);
            byte[] data = new byte[payload];
            random.nextBytes(data);
            for (int j = 0; j < payload; j++) {
                b.put((byte) (data[j] ^ mask[j & 3]));
            }
        }
        return out;
    }

    @TearDown(Level.Iteration)
    public void checkIteration() {
        sink.check(sink.frames);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        nettySmall.release();
        nettyLarge.release();
    }

    @Benchmark
    @OperationsPerInvocation(SMALL_FRAMES)
    public int gnetjSmall(Blackhole bh) {
        return gnetj(small, bh);
    }

    @Benchmark
    public int gnetjLarge(Blackhole bh) {
        return gnetj(large, bh);
    }

    @Benchmark
    @OperationsPerInvocation(SMALL_FRAMES)
    public void nettySmall() {
        netty(nettySmall);
    }

    @Benchmark
    public void nettyLarge() {
        netty(nettyLarge);
    }

    /** Decodes every frame of one read, as a session's {@code onTraffic} does; returns how many. */
    private int gnetj(ReplayConn conn, Blackhole bh) {
        conn.rewind();
        int frames = 0;
        for (int event; (event = decoder.decode(conn)) != WebSocketFrameDecoder.NONE; ) {
            ByteBuffer payload = decoder.payload();
            bh.consume(payload.remaining());
            bh.consume(payload.get(payload.limit() - 1));
            frames += event == Opcodes.BINARY ? 1 : 1000;
        }
        return frames;
    }

    private void netty(ByteBuf in) {
        in.retain().readerIndex(0); // the decoder releases it once it has read it all
        pipeline.fireChannelRead(in);
        pipeline.fireChannelReadComplete();
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("check failed: " + what);
        }
    }

    /** The handler after Netty's decoder: looks at the payload's size and last byte, then releases it. */
    static final class Sink extends ChannelInboundHandlerAdapter {
        private final Blackhole bh;
        long frames;
        long expected;
        Throwable failure;

        Sink(Blackhole bh) {
            this.bh = bh;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof BinaryWebSocketFrame) {
                ByteBuf content = ((BinaryWebSocketFrame) msg).content();
                bh.consume(content.readableBytes());
                bh.consume(content.getByte(content.writerIndex() - 1));
                expected++;
            }
            frames++;
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure = cause; // thrown from here it would only be logged by the pipeline
        }

        /** Throws unless {@code n} frames came through, all binary, and nothing failed. */
        void check(long n) {
            if (failure != null || frames != n || expected != n) {
                throw new IllegalStateException("netty: " + frames + " frames (" + expected + " binary), expected "
                        + n + ", failure " + failure);
            }
        }
    }
}
