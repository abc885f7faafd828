package io.gnetj.bench.e2e;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * Netty's HTTP peer, behind {@code HttpServerCodec}: {@code GET /plaintext} answers
 * {@code Hello, World!} with the headers gnetj's HTTP example sends, in the same order
 * ({@code Server}, {@code Date}, {@code Content-Type: text/plain}, {@code Content-Length}); any
 * other path gets 404. Keep-alive follows the request, as in gnetj's example. Responses are written
 * in {@code channelRead} and flushed once per read batch.
 *
 * <p>Threading: stateless bar the shared {@link HttpDate}; one instance for every channel.
 */
@ChannelHandler.Sharable
final class NettyHttpHandler extends ChannelInboundHandlerAdapter {

    static final NettyHttpHandler INSTANCE = new NettyHttpHandler();

    private static final String PLAINTEXT = "/plaintext";
    private static final ByteBuf HELLO = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(13).writeBytes("Hello, World!".getBytes(StandardCharsets.US_ASCII))).asReadOnly();
    // Same length as gnetj's "gnetj", so both servers send responses of the same size.
    private static final AsciiString SERVER = AsciiString.cached("netty");
    private static final AsciiString HELLO_LENGTH = AsciiString.cached("13");
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    private final HttpDate date = new HttpDate();

    private NettyHttpHandler() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg); // the (empty) LastHttpContent of a GET
            return;
        }
        HttpRequest request = (HttpRequest) msg;
        try {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            FullHttpResponse response;
            HttpMethod method = request.method();
            if (PLAINTEXT.equals(request.uri()) && (method == HttpMethod.GET || method == HttpMethod.HEAD)) {
                ByteBuf body = method == HttpMethod.HEAD ? Unpooled.EMPTY_BUFFER : HELLO.duplicate();
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body, HEADERS, TRAILERS);
                HttpHeaders headers = response.headers();
                headers.set(HttpHeaderNames.SERVER, SERVER);
                headers.set(HttpHeaderNames.DATE, date.get());
                headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
                headers.set(HttpHeaderNames.CONTENT_LENGTH, HELLO_LENGTH);
            } else {
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                        Unpooled.EMPTY_BUFFER, HEADERS, TRAILERS);
                response.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
                keepAlive = false;
            }
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.write(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                if (request.protocolVersion().minorVersion() == 0) {
                    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                }
                ctx.write(response, ctx.voidPromise());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
