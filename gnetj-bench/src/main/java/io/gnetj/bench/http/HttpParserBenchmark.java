package io.gnetj.bench.http;

import io.gnetj.examples.http.HttpHandler;
import io.gnetj.examples.http.HttpRequestParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parsing HTTP/1.1 requests that arrived in one read: the HTTP example's
 * {@link HttpRequestParser} against Netty's {@link HttpRequestDecoder}, on the same bytes.
 *
 * <p>gnetj: the parser reads a direct {@link ByteBuffer} in place, as the example's
 * {@code onTraffic} does with {@code conn.peek(-1)}: {@code parse}, look at the method, whether the
 * path is {@code /plaintext} and keep-alive, advance the position, until the buffer is used up. One
 * parser is reused across requests, as one is per connection, with the example's limits.
 *
 * <p>Netty: {@link HttpRequestDecoder} with header validation off (as the end-to-end Netty peer
 * builds its {@code HttpServerCodec}: its responses are constants), in a channel pipeline, followed
 * by a handler that looks at the same three things ({@code method()}, {@code uri()},
 * {@link HttpUtil#isKeepAlive}) and releases what it gets. Each operation does what a Netty event
 * loop does with one read: {@code fireChannelRead} of a pooled direct {@link ByteBuf} holding the
 * bytes, then {@code fireChannelReadComplete}. The decoder is the part of {@code HttpServerCodec}
 * that parses; the codec's other half only queues each request's method for the response encoder,
 * which this benchmark has no use for. The channel is an {@link EmbeddedChannel}, whose event loop
 * says every thread is in it, so the pipeline runs on the JMH thread with nothing queued; its own
 * inbound queue is never used because the last handler consumes every message.
 *
 * <p>What neither side pays here: reading the socket (the same for both), and Netty allocating a
 * fresh {@code ByteBuf} per read (the one buffer is retained before each operation, and the decoder
 * releases it once it has read it all, as it would a fresh one).
 *
 * <p>Inputs ({@code request}): {@code techempower} is the request wrk sends in the end-to-end
 * runner ({@code io.gnetj.bench.e2e.Wrk}; captured from wrk 4.1.0: its {@code -H} headers in the order
 * it writes them), 164 bytes; {@code browser} is a browser's navigation request with 15 headers,
 * about 800 bytes. {@code *One} parses one request per operation; {@code *Pipelined} parses
 * {@value #PIPELINED} back-to-back requests from one buffer and reports the time per request, as
 * TechEmpower's pipelined plaintext test sends them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {
    "-Xms1g", "-Xmx1g",
    "-Dio.netty.leakDetection.level=disabled", "-Dio.gnetj.leakDetection=disabled"})
public class HttpParserBenchmark {

    /** Requests per operation in the pipelined benchmarks. */
    static final int PIPELINED = 16;

    /** Exactly what {@code wrk -H 'Host: localhost' -H 'Accept: ...' -H 'Connection: keep-alive'} sends. */
    static final String TECHEMPOWER = "GET /plaintext HTTP/1.1\r\n"
            + "Connection: keep-alive\r\n"
            + "Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\n"
            + "Host: localhost\r\n"
            + "\r\n";

    /** A browser's top-level navigation: 15 headers, cookies included. */
    static final String BROWSER = "GET /plaintext HTTP/1.1\r\n"
            + "Host: localhost:8080\r\n"
            + "Connection: keep-alive\r\n"
            + "sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n"
            + "sec-ch-ua-mobile: ?0\r\n"
            + "sec-ch-ua-platform: \"Linux\"\r\n"
            + "Upgrade-Insecure-Requests: 1\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/124.0.0.0 Safari/537.36\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
            + "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n"
            + "Sec-Fetch-Site: none\r\n"
            + "Sec-Fetch-Mode: navigate\r\n"
            + "Sec-Fetch-User: ?1\r\n"
            + "Sec-Fetch-Dest: document\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Accept-Language: en-US,en;q=0.9,de;q=0.8\r\n"
            + "Cookie: session=4f6c2a9e8b7d1c3e5f6a7b8c9d0e1f2a; theme=dark; consent=1\r\n"
            + "\r\n";

    private static final String PATH = "/plaintext";
    private static final byte[] PATH_BYTES = PATH.getBytes(StandardCharsets.US_ASCII);

    @Param({"techempower", "browser"})
    public String request;

    private HttpRequestParser parser;
    private ByteBuffer gnetjOne;
    private ByteBuffer gnetjPipelined;

    private EmbeddedChannel channel;
    private ChannelPipeline pipeline;
    private Sink sink;
    private ByteBuf nettyOne;
    private ByteBuf nettyPipelined;

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) {
        byte[] one = (switch (request) {
            case "techempower" -> TECHEMPOWER;
            case "browser" -> BROWSER;
            default -> throw new IllegalArgumentException("unknown request " + request);
        }).getBytes(StandardCharsets.US_ASCII);
        byte[] many = new byte[one.length * PIPELINED];
        for (int i = 0; i < PIPELINED; i++) {
            System.arraycopy(one, 0, many, i * one.length, one.length);
        }

        parser = new HttpRequestParser(HttpHandler.MAX_REQUEST_LINE, HttpHandler.MAX_HEADER_BYTES, 1 << 20);
        gnetjOne = ByteBuffer.allocateDirect(one.length).put(one).flip();
        gnetjPipelined = ByteBuffer.allocateDirect(many.length).put(many).flip();

        HttpDecoderConfig config = new HttpDecoderConfig()
                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(false))
                .setTrailersFactory(DefaultHttpHeadersFactory.trailersFactory().withValidation(false));
        sink = new Sink(bh);
        channel = new EmbeddedChannel(new HttpRequestDecoder(config), sink);
        pipeline = channel.pipeline();
        // Allocated once; which allocator does not matter to the measurement.
        nettyOne = PooledByteBufAllocator.DEFAULT.directBuffer(one.length).writeBytes(one);
        nettyPipelined = PooledByteBufAllocator.DEFAULT.directBuffer(many.length).writeBytes(many);

        // Both sides see every request whole and as expected, before anything is timed.
        check(gnetjParse(gnetjOne, bh) == 1, "gnetj parsed the single request");
        check(gnetjParse(gnetjPipelined, bh) == PIPELINED, "gnetj parsed " + PIPELINED + " requests");
        nettyDecode(nettyOne);
        nettyDecode(nettyPipelined);
        sink.check(1 + PIPELINED);
    }

    @TearDown(Level.Iteration)
    public void checkIteration() {
        sink.check(sink.requests);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        nettyOne.release();
        nettyPipelined.release();
    }

    @Benchmark
    public int gnetjOne(Blackhole bh) {
        return gnetjParse(gnetjOne, bh);
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINED)
    public int gnetjPipelined(Blackhole bh) {
        return gnetjParse(gnetjPipelined, bh);
    }

    @Benchmark
    public void nettyOne() {
        nettyDecode(nettyOne);
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINED)
    public void nettyPipelined() {
        nettyDecode(nettyPipelined);
    }

    /** Parses every request in {@code in} as the example's {@code onTraffic} does; returns how many. */
    private int gnetjParse(ByteBuffer in, Blackhole bh) {
        in.position(0);
        int requests = 0;
        while (in.hasRemaining()) {
            int n = parser.parse(in);
            if (n <= 0) {
                throw new IllegalStateException("gnetj parser returned " + n + " (status " + parser.errorStatus() + ")");
            }
            bh.consume(parser.method() == HttpRequestParser.METHOD_GET);
            bh.consume(parser.pathEquals(in, PATH_BYTES));
            bh.consume(parser.keepAlive());
            requests++;
            in.position(in.position() + n);
        }
        return requests;
    }

    /** One read's worth of bytes through the pipeline, as a Netty event loop delivers it. */
    private void nettyDecode(ByteBuf in) {
        in.retain().readerIndex(0); // the decoder releases it once it has read it all
        pipeline.fireChannelRead(in);
        pipeline.fireChannelReadComplete();
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("check failed: " + what);
        }
    }

    /** The handler after Netty's decoder: looks at what a server routes on, then releases it. */
    static final class Sink extends ChannelInboundHandlerAdapter {

        private final Blackhole bh;
        long requests;
        long expected;
        long lastContents;
        Throwable failure;

        Sink(Blackhole bh) {
            this.bh = bh;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                HttpRequest r = (HttpRequest) msg;
                boolean get = r.method() == HttpMethod.GET;
                boolean plaintext = PATH.equals(r.uri());
                boolean keepAlive = HttpUtil.isKeepAlive(r);
                bh.consume(get);
                bh.consume(plaintext);
                bh.consume(keepAlive);
                requests++;
                if (get && plaintext && keepAlive && r.decoderResult().isSuccess()) {
                    expected++;
                }
            }
            if (msg instanceof LastHttpContent) {
                lastContents++;
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure = cause; // thrown from here it would only be logged by the pipeline
        }

        /** Throws unless {@code n} requests, all as expected and each with its end, came through. */
        void check(long n) {
            if (failure != null) {
                throw new IllegalStateException("Netty's decoder failed", failure);
            }
            if (requests != n || expected != n || lastContents != n) {
                throw new IllegalStateException("Netty decoded " + requests + " requests, " + expected
                        + " as expected, " + lastContents + " ends; wanted " + n);
            }
        }
    }
}
